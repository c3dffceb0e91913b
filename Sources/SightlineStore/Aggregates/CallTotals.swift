import Foundation
import SightlineCore

/// The sums of a group of calls (one model, one time bucket, everything) and their latencies for percentiles:
/// the one aggregation behind `sightline stats`, the `sightline run` summary and `/api/dashboard`. Groups add up
/// (`merge`) and a call can be taken back out (`remove`, for a flow recorded again), so the stores keep them per
/// minute (`CallMinute`) and the dashboard sums minutes instead of reading flows.
public struct CallTotals: Sendable, Equatable {
    /// The first provider seen in the group.
    public internal(set) var provider: String?
    public internal(set) var calls = 0
    /// Calls that failed: an error, a status of 400 or more, or no response.
    public internal(set) var errors = 0
    /// Those failures by why they failed. A call that failed by its status alone, or was recorded before kinds
    /// were kept, has no kind: these add up to at most `errors`.
    public internal(set) var errorsByKind: [FlowErrorKind: Int] = [:]
    public internal(set) var inputTokens = 0
    public internal(set) var outputTokens = 0
    /// The sum of the known costs.
    public internal(set) var costUSD: Decimal = 0
    public internal(set) var pricedCalls = 0
    /// LLM calls (a provider was recognised) without a price: `costUSD` leaves them out.
    public internal(set) var unpricedCalls = 0
    public internal(set) var durations = LatencyHistogram()
    public internal(set) var ttfts = LatencyHistogram()

    public init() {}

    public mutating func add(_ call: CallFacts) { change(call, by: 1) }

    /// Takes a call added before back out (its flow was recorded again, or deleted).
    public mutating func remove(_ call: CallFacts) { change(call, by: -1) }

    private mutating func change(_ call: CallFacts, by sign: Int) {
        calls += sign
        if call.failed {
            errors += sign
            if let kind = call.errorKind { bump(kind, by: sign) }
        }
        inputTokens += sign * (call.inputTokens ?? 0)
        outputTokens += sign * (call.outputTokens ?? 0)
        if let cost = call.costUSD {
            costUSD += sign == 1 ? cost : -cost
            pricedCalls += sign
        } else if call.provider != nil {
            unpricedCalls += sign
        }
        if let d = call.durationMs { durations.add(d, count: sign) }
        if let t = call.ttftMs { ttfts.add(t, count: sign) }
        if provider == nil { provider = call.provider }
    }

    public mutating func merge(_ other: CallTotals) {
        calls += other.calls
        errors += other.errors
        for (kind, count) in other.errorsByKind { bump(kind, by: count) }
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        costUSD += other.costUSD
        pricedCalls += other.pricedCalls
        unpricedCalls += other.unpricedCalls
        durations.merge(other.durations)
        ttfts.merge(other.ttfts)
        if provider == nil { provider = other.provider }
    }

    private mutating func bump(_ kind: FlowErrorKind, by count: Int) {
        let updated = errorsByKind[kind, default: 0] + count
        errorsByKind[kind] = updated == 0 ? nil : updated
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

    /// Nearest-rank percentiles of the durations and times to first token, to three significant digits
    /// (`LatencyHistogram`).
    public func latencies() -> Latencies {
        Latencies(p50Ms: durations.percentile(0.50), p95Ms: durations.percentile(0.95), p50TTFTMs: ttfts.percentile(0.50))
    }
}

extension CallFacts {
    /// The facts of a summary already read (the CLI pages summaries; the web API folds facts in the store).
    public init(_ summary: FlowSummary) {
        self.init(startedAt: summary.startedAt, mode: summary.mode, host: summary.host, status: summary.status, error: summary.error,
                  errorKind: summary.errorKind, durationMs: summary.durationMs, provider: summary.provider, model: summary.model,
                  inputTokens: summary.inputTokens, outputTokens: summary.outputTokens, costUSD: summary.costUSD, ttftMs: summary.ttftMs, sessionID: summary.sessionID,
                  sessionName: summary.sessionName, userID: summary.userID, gateway: summary.gateway,
                  instance: summary.instance)
    }
}
