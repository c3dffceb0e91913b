import Foundation

/// How figures are written in the report.
enum Formatting {
    static func milliseconds(_ nanoseconds: Int64?) -> String {
        guard let nanoseconds else { return "—" }
        return String(format: "%.3f ms", Double(nanoseconds) / 1e6)
    }

    static func addedMilliseconds(_ proxied: Int64?, _ direct: Int64?) -> String {
        guard let proxied, let direct else { return "" }
        return String(format: "%+.3f ms", Double(proxied - direct) / 1e6)
    }

    static func rate(_ perSecond: Double?) -> String {
        guard let perSecond else { return "—" }
        return String(format: "%.0f req/s", perSecond)
    }

    static func percent(_ part: Double?, of whole: Double?) -> String {
        guard let part, let whole, whole > 0 else { return "" }
        return String(format: "%.0f%% of direct", 100 * part / whole)
    }

    static func megabytes(_ bytes: Int?) -> String {
        guard let bytes, bytes > 0 else { return "—" }
        return String(format: "%.1f MB", Double(bytes) / 1e6)
    }

    /// Signed: a per-item difference of two RSS readings can come out below zero.
    static func kilobytes(_ bytes: Double?) -> String {
        guard let bytes else { return "—" }
        return String(format: "%.1f kB", bytes / 1e3)
    }

    static func microseconds(_ nanoseconds: Double?) -> String {
        guard let nanoseconds else { return "—" }
        return String(format: "%.0f µs", nanoseconds / 1e3)
    }

    static func cores(_ cores: Double?) -> String {
        guard let cores else { return "?" }
        return String(format: "%.2f", cores)
    }
}
