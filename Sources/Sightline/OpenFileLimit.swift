#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every proxied connection holds two descriptors (client and upstream) and shells often start programs
/// with a soft limit of 1024, which would cap Sightline at ~500 connections; the hard limit is what the
/// administrator allows, so the soft one is raised to it (as nginx and most servers do).
enum OpenFileLimit {
    /// Returns the soft limit now in force.
    @discardableResult
    static func raiseToHardLimit() -> UInt64 {
        #if os(Linux)
        let resource = Int32(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { return UInt64(raised.rlim_cur) }
        }
        return UInt64(limit.rlim_cur)
    }
}
