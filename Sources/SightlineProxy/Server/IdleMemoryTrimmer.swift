#if canImport(Glibc)
import Glibc
#endif

/// Decides when to give the heap's free pages back to the system. glibc keeps what connections freed in
/// its arenas: after 1,000 streams closed, the proxy stayed at its peak RSS (their TLS buffers, free but
/// resident). `malloc_trim` returns them; it takes the arenas' locks while it walks them, so it runs only
/// once no client connection is open, and once per burst of traffic, not on every idle tick.
struct IdleMemoryTrimmer: Sendable, Equatable {
    /// Connections admitted when the heap was last trimmed (or at start).
    private var admittedAtLastTrim: Int

    init(admittedAtStart: Int = 0) {
        admittedAtLastTrim = admittedAtStart
    }

    /// One look at the connection counts; true when the heap should be trimmed now.
    mutating func shouldTrim(open: Int, admitted: Int) -> Bool {
        guard open == 0, admitted != admittedAtLastTrim else { return false }
        admittedAtLastTrim = admitted
        return true
    }

    /// Returns free heap pages to the system (all arenas). Call off the event loops.
    static func trim() {
        mallocTrim?(0)
    }

    /// False where glibc's `malloc_trim` is not found (then trimming does nothing).
    static var isAvailable: Bool { mallocTrim != nil }

    /// glibc's `malloc_trim`, looked up once: `<malloc.h>` is not part of the Glibc module (nil elsewhere).
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()
}
