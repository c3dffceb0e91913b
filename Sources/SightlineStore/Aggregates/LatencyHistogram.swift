import Foundation

/// Latencies kept as counts of values rounded to three significant digits (1,234.5 ms counts as 1,230; 0.0456 as
/// 0.0456), so that a group's percentiles can be read from a sum of per-minute rollups instead of every flow.
/// A percentile is then at most 0.5 % from the exact one, whatever the spread; values of three digits or fewer
/// (200 ms, 50 ms) are kept exactly.
///
/// Counts sit in an array indexed by bucket key from the lowest key seen (latencies span a few decades: a few
/// thousand slots at most), so adding a minute's histogram into a dashboard group is array arithmetic. A histogram
/// read from a rollup row keeps its text until it is first used, and merging it into another reads the text straight
/// into that one: a dashboard over a day reads ten thousand rows and never builds a histogram per row.
public struct LatencyHistogram: Sendable {
    /// Key of `dense[0]`.
    private var base: Int32 = 0
    /// Counts by `key - base`; may hold zeros.
    private var dense: [Int] = []
    /// Values of zero and below (key 0), apart from the dense range of positive values.
    private var zeros = 0
    /// A stored row's `key:count,…` not yet read into `dense`.
    private var pending: String?

    public init() {}

    /// The number of values.
    public var total: Int { materialized.zeros + materialized.dense.reduce(0, +) }

    /// Count per bucket key (see `key(of:)`); only buckets with a count are present.
    public var counts: [Int32: Int] {
        var counts: [Int32: Int] = [:]
        materialized.forEachBucket { counts[$0] = $1 }
        return counts
    }

    public mutating func add(_ value: Double, count: Int = 1) {
        guard value.isFinite else { return }
        materialize()
        add(key: Self.key(of: value), count: count)
    }

    public mutating func merge(_ other: LatencyHistogram, sign: Int = 1) {
        materialize()
        if let text = other.pending {
            Self.parse(text) { key, count in add(key: key, count: sign * count) }
        } else {
            other.forEachBucket { key, count in add(key: key, count: sign * count) }
        }
    }

    /// Nearest rank: the smallest bucket value with at least `p` of the values at or below it.
    public func percentile(_ p: Double) -> Double? {
        let histogram = materialized
        let total = histogram.total
        guard total > 0 else { return nil }
        let rank = min(total, max(1, Int((p * Double(total)).rounded(.up))))
        var seen = 0
        var found: Int32?
        histogram.forEachBucket { key, count in
            guard found == nil else { return }
            seen += count
            if seen >= rank { found = key }
        }
        return found.map(Self.value(of:))
    }

    private mutating func add(key: Int32, count: Int) {
        guard count != 0 else { return }
        if key == 0 {
            zeros += count
            return
        }
        if dense.isEmpty {
            base = key
            dense = [count]
            return
        }
        if key < base {
            dense.insert(contentsOf: repeatElement(0, count: Int(base - key)), at: 0)
            base = key
        } else if Int(key - base) >= dense.count {
            dense.append(contentsOf: repeatElement(0, count: Int(key - base) - dense.count + 1))
        }
        dense[Int(key - base)] += count
    }

    /// Buckets with a count, in key (so value) order.
    private func forEachBucket(_ body: (Int32, Int) -> Void) {
        if zeros != 0 { body(0, zeros) }
        for (offset, count) in dense.enumerated() where count != 0 { body(base + Int32(offset), count) }
    }

    private mutating func materialize() {
        guard let text = pending else { return }
        pending = nil
        Self.parse(text) { key, count in add(key: key, count: count) }
    }

    private var materialized: LatencyHistogram {
        var copy = self
        copy.materialize()
        return copy
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

extension LatencyHistogram: Equatable {
    public static func == (lhs: LatencyHistogram, rhs: LatencyHistogram) -> Bool { lhs.counts == rhs.counts }
}

extension LatencyHistogram {
    /// `key:count,key:count` in key order, as the rollup tables store it.
    public var encoded: String {
        if let pending { return pending }
        // Digits written as bytes: a minute's histograms are encoded again at every batch the recorder
        // writes into that minute, and interpolating each bucket showed in its profile.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        forEachBucket { key, count in
            if !bytes.isEmpty { bytes.append(UInt8(ascii: ",")) }
            Self.appendDecimal(Int(key), to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            Self.appendDecimal(count, to: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    /// A stored row's histogram, read when first used.
    public init(encoded: some StringProtocol) {
        self.init()
        if !encoded.isEmpty { pending = String(encoded) }
    }

    /// Reads `key:count,…` byte by byte (a dashboard reads a few thousand of these; substrings showed).
    private static func parse(_ text: String, _ body: (Int32, Int) -> Void) {
        var key = 0, count = 0, negative = false, inCount = false
        func flush() {
            if inCount { body(Int32(truncatingIfNeeded: key), negative ? -count : count) }
            key = 0; count = 0; negative = false; inCount = false
        }
        for byte in text.utf8 {
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
