import Foundation
import SightlineCore
import SightlineStore

/// `GET /api/dashboard`: calls, tokens, cost, error rate and latency percentiles, by model and over
/// time, for the flows of a time window (tunnels left out: they are not calls).
struct DashboardStats: Encodable {
    var since: String
    var until: String
    var bucketSeconds: Int
    /// Flows looked at; `complete` is false when the window held more than the scan limit.
    var scanned: Int
    var complete: Bool
    var totals: Group
    /// Cache hits, saved cost, rate-limited, retried and fallback calls (GATEWAY.md features).
    var gateway: GatewayTotals
    var byModel: [Group]
    var overTime: [Group]

    enum CodingKeys: String, CodingKey {
        case since, until, scanned, complete, totals, gateway
        case bucketSeconds = "bucket_seconds", byModel = "by_model", overTime = "over_time"
    }

    struct Group: Encodable {
        /// The model (by model), the bucket's start (over time) or `all`.
        var key: String
        var provider: String?
        var calls = 0
        var errors = 0
        var errorRate: Double = 0
        var inputTokens = 0
        var outputTokens = 0
        var costUSD: Decimal = 0
        /// Calls whose cost is unknown (an unknown model): `cost_usd` leaves them out.
        var unpricedCalls = 0
        var p50Ms: Double?
        var p95Ms: Double?
        var p50TTFTMs: Double?

        enum CodingKeys: String, CodingKey {
            case key, provider, calls, errors, errorRate = "error_rate", inputTokens = "input_tokens"
            case outputTokens = "output_tokens", costUSD = "cost_usd", unpricedCalls = "unpriced_calls"
            case p50Ms = "p50_ms", p95Ms = "p95_ms", p50TTFTMs = "p50_ttft_ms"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(key, forKey: .key)
            try c.encode(provider, forKey: .provider)
            try c.encode(calls, forKey: .calls)
            try c.encode(errors, forKey: .errors)
            try c.encode(errorRate, forKey: .errorRate)
            try c.encode(inputTokens, forKey: .inputTokens)
            try c.encode(outputTokens, forKey: .outputTokens)
            try c.encode(costUSD, forKey: .costUSD)
            try c.encode(unpricedCalls, forKey: .unpricedCalls)
            try c.encode(p50Ms, forKey: .p50Ms)
            try c.encode(p95Ms, forKey: .p95Ms)
            try c.encode(p50TTFTMs, forKey: .p50TTFTMs)
        }
    }

    static func compute(flows: [FlowSummary], complete: Bool, since: Date, until: Date, bucketSeconds: Int?) -> DashboardStats {
        let calls = flows.filter { $0.mode != .tunnel }
        let span = max(1, until.timeIntervalSince(since))
        let bucket = max(1, bucketSeconds ?? Self.bucket(for: span))
        let totals = group(key: "all", provider: nil, calls)

        var models: [String: [FlowSummary]] = [:]
        for flow in calls { models[flow.model ?? "(\(flow.host))", default: []].append(flow) }
        let byModel = models.map { key, flows in
            group(key: key, provider: flows.first(where: { $0.provider != nil })?.provider, flows)
        }.sorted { ($0.calls, $1.key) > ($1.calls, $0.key) }

        var buckets: [Int: [FlowSummary]] = [:]
        let origin = Int((since.timeIntervalSince1970 / Double(bucket)).rounded(.down)) * bucket
        for flow in calls {
            let start = Int((flow.startedAt.timeIntervalSince1970 / Double(bucket)).rounded(.down)) * bucket
            buckets[start, default: []].append(flow)
        }
        var overTime: [Group] = []
        var start = origin
        while Double(start) <= until.timeIntervalSince1970 && overTime.count < 500 {
            overTime.append(group(key: APITime.string(from: Date(timeIntervalSince1970: Double(start))), provider: nil, buckets[start] ?? []))
            start += bucket
        }
        return DashboardStats(since: APITime.string(from: since), until: APITime.string(from: until), bucketSeconds: bucket,
                              scanned: flows.count, complete: complete, totals: totals, gateway: GatewayTotals(calls), byModel: byModel, overTime: overTime)
    }

    /// About 24–60 buckets over the window, at a round size.
    static func bucket(for span: TimeInterval) -> Int {
        let sizes = [60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400]
        return sizes.first { span / Double($0) <= 60 } ?? 7 * 86400
    }

    static func group(key: String, provider: String?, _ flows: [FlowSummary]) -> Group {
        var g = Group(key: key, provider: provider)
        var durations: [Double] = []
        var ttfts: [Double] = []
        for flow in flows {
            g.calls += 1
            if flow.error != nil || (flow.status ?? 0) >= 400 || flow.status == nil { g.errors += 1 }
            g.inputTokens += flow.inputTokens ?? 0
            g.outputTokens += flow.outputTokens ?? 0
            if let cost = flow.costUSD { g.costUSD += cost } else if flow.provider != nil { g.unpricedCalls += 1 }
            if let d = flow.durationMs { durations.append(d) }
            if let t = flow.ttftMs { ttfts.append(t) }
        }
        g.errorRate = g.calls == 0 ? 0 : Double(g.errors) / Double(g.calls)
        durations.sort()
        ttfts.sort()
        g.p50Ms = percentile(durations, 0.50)
        g.p95Ms = percentile(durations, 0.95)
        g.p50TTFTMs = percentile(ttfts, 0.50)
        return g
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}
