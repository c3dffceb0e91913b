import Foundation

/// Parses the sizes and durations users type on the command line.
public enum Quantities {
    /// `32MiB`, `500MB`, `1g`, `4096` → bytes. Binary and decimal suffixes both accepted.
    public static func parseByteCount(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits), number >= 0 else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let factors: [String: Double] = [
            "": 1, "b": 1,
            "k": 1024, "kb": 1000, "kib": 1024,
            "m": 1_048_576, "mb": 1_000_000, "mib": 1_048_576,
            "g": 1_073_741_824, "gb": 1_000_000_000, "gib": 1_073_741_824,
            "t": 1_099_511_627_776, "tb": 1_000_000_000_000, "tib": 1_099_511_627_776,
        ]
        guard let factor = factors[unit] else { return nil }
        return Int(number * factor)
    }

    /// `90s`, `15m`, `12h`, `7d`, `2w` → seconds.
    public static func parseDurationSeconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits), number >= 0 else { return nil }
        let unit = trimmed.dropFirst(digits.count)
        let factors: [Substring: Double] = ["": 1, "s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800]
        guard let factor = factors[unit] else { return nil }
        return number * factor
    }
}
