import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A program `sightline run` starts: spawned directly with `posix_spawnp` rather than Foundation's
/// `Process`, so it stays in our process group and session (it can read the terminal, and Ctrl-C
/// reaches it as it would without Sightline), inherits stdio as is, and gets default signal actions
/// back (we ignore SIGINT/SIGTERM to handle them, and ignored signals survive `exec`).
struct ChildProcess: Sendable {
    let pid: pid_t

    /// Why a program could not be started.
    struct SpawnError: Error, CustomStringConvertible {
        let reason: String
        var description: String { reason }
    }

    /// How the child ended, as a shell reports it: its exit status, or 128 + the signal that killed it.
    struct Termination: Sendable, Equatable {
        let exitCode: Int32
        let signal: Int32?
    }

    static func spawn(_ arguments: [String], environment: [String: String]) throws -> ChildProcess {
        guard let program = arguments.first else { throw SpawnError(reason: "no command given after --") }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        // posix_spawnp searches PATH of this process, which the child's environment leaves unchanged.
        let status = posix_spawnp(&pid, program, nil, &attributes, argv, envp)
        guard status == 0 else {
            throw SpawnError(reason: "cannot run \(program): \(String(cString: strerror(status)))")
        }
        return ChildProcess(pid: pid)
    }

    /// Waits on a thread of its own: a child may run for hours, and blocking one of the few
    /// cooperative threads that long would starve the proxy's recorder and web tasks.
    func wait() async -> Termination {
        let pid = pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                // The W* macros are not imported into Swift: low 7 bits are the signal, next 8 the exit code.
                let signal = status & 0x7f
                if signal == 0 {
                    continuation.resume(returning: Termination(exitCode: (status >> 8) & 0xff, signal: nil))
                } else {
                    continuation.resume(returning: Termination(exitCode: 128 + signal, signal: signal))
                }
            }
        }
    }

    func send(_ signal: Int32) {
        kill(pid, signal)
    }
}
