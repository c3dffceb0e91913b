/// Order statistics over nanosecond samples.
struct Samples: Sendable {
    private let sorted: [Int64]

    init(_ values: [Int64]) { sorted = values.sorted() }
    init(_ values: [UInt64]) { self.init(values.map { Int64($0) }) }

    var count: Int { sorted.count }

    /// Nearest-rank percentile (`quantile` in 0...1); nil without samples.
    func percentile(_ quantile: Double) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((quantile * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(sorted.count - 1, Swift.max(0, rank - 1))]
    }

    var p50: Int64? { percentile(0.50) }
    var p99: Int64? { percentile(0.99) }
    var max: Int64? { sorted.last }
}
