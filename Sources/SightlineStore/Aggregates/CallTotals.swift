import Foundation
import SightlineCore

/// The sums of a group of calls (one model, one time bucket, everything) and their latencies for percentiles:
/// the one aggregation behind `sightline stats`, the `sightline run` summary and `/api/dashboard`.
public struct CallTotals: Sendable {
    /// The first provider seen in the group.
    public private(set) var provider: String?
    public private(set) var calls = 0
    /// Calls that failed: an error, a status of 400 or more, or no response.
    public private(set) var errors = 0
    /// Those failures by why they failed. A call that failed by its status alone, or was recorded before kinds
    /// were kept, has no kind: these add up to at most `errors`.
    public private(set) var errorsByKind: [FlowErrorKind: Int] = [:]
    public private(set) var inputTokens = 0
    public private(set) var outputTokens = 0
    /// The sum of the known costs.
    public private(set) var costUSD: Decimal = 0
    public private(set) var pricedCalls = 0
    /// LLM calls (a provider was recognised) without a price: `costUSD` leaves them out.
    public private(set) var unpricedCalls = 0
    private var durations: [Double] = []
    private var ttfts: [Double] = []

    public init() {}

    public mutating func add(_ call: CallFacts) {
        calls += 1
        if call.failed {
            errors += 1
            if let kind = call.errorKind { errorsByKind[kind, default: 0] += 1 }
        }
        inputTokens += call.inputTokens ?? 0
        outputTokens += call.outputTokens ?? 0
        if let cost = call.costUSD {
            costUSD += cost
            pricedCalls += 1
        } else if call.provider != nil {
            unpricedCalls += 1
        }
        if let d = call.durationMs { durations.append(d) }
        if let t = call.ttftMs { ttfts.append(t) }
        if provider == nil { provider = call.provider }
    }

    public var errorRate: Double { calls == 0 ? 0 : Double(errors) / Double(calls) }

    /// Failures of the upstream or the way to it (refused, DNS, TLS, reset, timeout, a bad response).
    public var upstreamErrors: Int { errorsByKind.reduce(0) { $0 + ($1.key.isUpstream ? $1.value : 0) } }
    /// Calls whose client went away before the answer was complete: not the upstream's doing.
    public var clientDisconnects: Int { errorsByKind[.clientGone] ?? 0 }
    /// `errorsByKind` keyed by the API words (`upstream_reset`), as JSON shows it.
    public var errorsByKindWords: [String: Int] {
        Dictionary(uniqueKeysWithValues: errorsByKind.map { ($0.key.rawValue, $0.value) })
    }

    public struct Latencies: Sendable, Equatable {
        public var p50Ms: Double?
        public var p95Ms: Double?
        public var p50TTFTMs: Double?
    }

    /// Nearest-rank percentiles of the durations and times to first token.
    public func latencies() -> Latencies {
        let durations = durations.sorted(), ttfts = ttfts.sorted()
        return Latencies(p50Ms: Self.nearestRank(durations, 0.50), p95Ms: Self.nearestRank(durations, 0.95),
                         p50TTFTMs: Self.nearestRank(ttfts, 0.50))
    }

    /// The smallest value with at least `p` of the values at or below it.
    public static func nearestRank(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}

extension CallFacts {
    /// The facts of a summary already read (the CLI pages summaries; the web API folds facts in the store).
    public init(_ summary: FlowSummary) {
        self.init(startedAt: summary.startedAt, mode: summary.mode, host: summary.host, status: summary.status, error: summary.error,
                  errorKind: summary.errorKind, durationMs: summary.durationMs, provider: summary.provider, model: summary.model,
                  inputTokens: summary.inputTokens, outputTokens: summary.outputTokens, costUSD: summary.costUSD, ttftMs: summary.ttftMs, sessionID: summary.sessionID,
                  sessionName: summary.sessionName, userID: summary.userID, gateway: summary.gateway)
    }
}
