import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// `run()` with no signal blocked in the child. Foundation spawns the child with the calling thread's
    /// signal mask, and the threads Swift concurrency and Dispatch run tests on block nearly every signal, so
    /// a child started from a test had SIGTERM blocked: `terminate()` did nothing and a wait for it hung.
    /// The mask is cleared on this thread only for the spawn.
    public func runWithDefaultSignals() throws {
        var empty = sigset_t()
        sigemptyset(&empty)
        var saved = sigset_t()
        pthread_sigmask(SIG_SETMASK, &empty, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        try run()
    }
}
