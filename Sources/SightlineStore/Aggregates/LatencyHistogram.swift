import Foundation

/// Latencies kept as counts of values rounded to three significant digits (1,234.5 ms counts as 1,230; 0.0456 as
/// 0.0456), so that a group's percentiles can be read from a sum of per-minute rollups instead of every flow.
/// A percentile is then at most 0.5 % from the exact one, whatever the spread; values of three digits or fewer
/// (200 ms, 50 ms) are kept exactly.
public struct LatencyHistogram: Sendable, Equatable {
    /// Count per bucket key (see `key(of:)`); only buckets with a count are present.
    public private(set) var counts: [Int32: Int] = [:]
    public private(set) var total = 0

    public init() {}

    public mutating func add(_ value: Double, count: Int = 1) {
        guard value.isFinite else { return }
        let key = Self.key(of: value)
        let updated = counts[key, default: 0] + count
        counts[key] = updated == 0 ? nil : updated
        total += count
    }

    public mutating func merge(_ other: LatencyHistogram, sign: Int = 1) {
        for (key, count) in other.counts {
            let updated = counts[key, default: 0] + sign * count
            counts[key] = updated == 0 ? nil : updated
        }
        total += sign * other.total
    }

    /// Nearest rank: the smallest bucket value with at least `p` of the values at or below it.
    public func percentile(_ p: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = min(total, max(1, Int((p * Double(total)).rounded(.up))))
        var seen = 0
        for key in counts.keys.sorted() {
            seen += counts[key] ?? 0
            if seen >= rank { return Self.value(of: key) }
        }
        return counts.keys.max().map(Self.value(of:))
    }

    /// 0 for zero and below; otherwise (exponent + 64) × 1024 + mantissa, mantissa in 100…999 and value =
    /// mantissa × 10^exponent, so keys sort as their values do.
    static func key(of value: Double) -> Int32 {
        guard value > 0 else { return 0 }
        var exponent = Int(log10(value).rounded(.down)) - 2
        var mantissa = Int((value / scale(exponent)).rounded())
        if mantissa >= 1000 { exponent += 1; mantissa = Int((value / scale(exponent)).rounded()) }
        if mantissa < 100 { exponent -= 1; mantissa = Int((value / scale(exponent)).rounded()) }
        exponent = min(max(exponent, -60), 60)
        return Int32((exponent + 64) * 1024 + min(max(mantissa, 100), 999))
    }

    static func value(of key: Int32) -> Double {
        guard key > 0 else { return 0 }
        let exponent = Int(key) / 1024 - 64, mantissa = Double(Int(key) % 1024)
        // Dividing by a power of ten (exact) instead of multiplying by 0.1…: 500 × 0.1 is not 50.
        return exponent >= 0 ? mantissa * scale(exponent) : mantissa / scale(-exponent)
    }

    private static func scale(_ exponent: Int) -> Double { pow(10, Double(exponent)) }
}

extension LatencyHistogram {
    /// `key:count,key:count` in key order, as the rollup tables store it.
    public var encoded: String {
        counts.keys.sorted().map { "\($0):\(counts[$0] ?? 0)" }.joined(separator: ",")
    }

    public init(encoded: some StringProtocol) {
        self.init()
        // Read byte by byte: a dashboard parses a few thousand of these, and splitting into substrings showed.
        var key = 0, count = 0, negative = false, inCount = false
        func flush() {
            let value = negative ? -count : count
            if inCount, value != 0 { counts[Int32(truncatingIfNeeded: key), default: 0] += value; total += value }
            key = 0; count = 0; negative = false; inCount = false
        }
        for byte in encoded.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inCount { count = count &* 10 &+ Int(byte &- 48) } else { key = key &* 10 &+ Int(byte &- 48) }
            case UInt8(ascii: ":"): inCount = true
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: ","): flush()
            default: break
            }
        }
        flush()
    }
}
