import Foundation
import SightlineCore
import SightlineStore

/// `GET /api/dashboard`: calls, tokens, cost, error rate and latency percentiles, by model and over
/// time, for the flows of a time window (tunnels left out: they are not calls).
struct DashboardStats: Encodable {
    var since: String
    var until: String
    var bucketSeconds: Int
    /// Flows looked at; `complete` is false when the window held more than the limit (`InsightRoutes.maxScan`).
    var scanned: Int
    var complete: Bool
    /// `rollups` when summed from per-minute rollups (no filter: whole minutes of the window), `flows` when
    /// every matching flow was read (a filter the rollups do not keep).
    var source: String
    var totals: Group
    /// Cache hits, saved cost, rate-limited, retried and fallback calls (GATEWAY.md features).
    var gateway: GatewayTotals
    var byModel: [Group]
    var overTime: [Group]

    enum CodingKeys: String, CodingKey {
        case since, until, scanned, complete, source, totals, gateway
        case bucketSeconds = "bucket_seconds", byModel = "by_model", overTime = "over_time"
    }

    struct Group: Encodable {
        /// The model (by model), the bucket's start (over time) or `all`.
        var key: String
        var provider: String?
        var calls = 0
        var errors = 0
        var errorRate: Double = 0
        /// The errors by kind (`upstream_reset`: 2); errors by status alone have no kind.
        var errorsByKind: [String: Int] = [:]
        /// Errors of the upstream (kind `upstream_*`), apart from clients that went away (`client_gone`).
        var upstreamErrors = 0
        var clientDisconnects = 0
        var inputTokens = 0
        var outputTokens = 0
        var costUSD: Decimal = 0
        /// Calls whose cost is unknown (an unknown model): `cost_usd` leaves them out.
        var unpricedCalls = 0
        var p50Ms: Double?
        var p95Ms: Double?
        var p50TTFTMs: Double?

        enum CodingKeys: String, CodingKey {
            case key, provider, calls, errors, errorRate = "error_rate", errorsByKind = "errors_by_kind"
            case upstreamErrors = "upstream_errors", clientDisconnects = "client_disconnects", inputTokens = "input_tokens"
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
            try c.encode(errorsByKind, forKey: .errorsByKind)
            try c.encode(upstreamErrors, forKey: .upstreamErrors)
            try c.encode(clientDisconnects, forKey: .clientDisconnects)
            try c.encode(inputTokens, forKey: .inputTokens)
            try c.encode(outputTokens, forKey: .outputTokens)
            try c.encode(costUSD, forKey: .costUSD)
            try c.encode(unpricedCalls, forKey: .unpricedCalls)
            try c.encode(p50Ms, forKey: .p50Ms)
            try c.encode(p95Ms, forKey: .p95Ms)
            try c.encode(p50TTFTMs, forKey: .p50TTFTMs)
        }
    }

    /// Folds the window's flows into totals, per-model and per-bucket groups (tunnels are not calls).
    struct Accumulator: FlowAccumulator {
        let bucketSeconds: Int
        var scanned = 0
        var totals = CallTotals()
        var models: [String: CallTotals] = [:]
        var buckets: [Int: CallTotals] = [:]
        var gateway = GatewayTotals()

        init(since: Date, until: Date, bucketSeconds: Int?) {
            self.bucketSeconds = max(1, bucketSeconds ?? DashboardStats.bucket(for: max(1, until.timeIntervalSince(since))))
        }

        mutating func add(_ call: CallFacts) {
            scanned += 1
            guard call.mode != .tunnel else { return }
            totals.add(call)
            models[call.model ?? "(\(call.host))", default: CallTotals()].add(call)
            buckets[Self.start(of: call.startedAt, bucket: bucketSeconds), default: CallTotals()].add(call)
            gateway.add(call)
        }

        /// Set once rollups were added: `totals` is then the sum of the model groups, made once at the end
        /// rather than merged row by row (each row's latency histograms are the cost of a dashboard).
        var totalsFromModels = false

        /// A minute of rollups: its calls count as scanned (flows the figures cover).
        mutating func add(_ minute: CallMinute) {
            scanned += minute.totals.calls
            totalsFromModels = true
            models[minute.key.group, default: CallTotals()].merge(minute.totals)
            buckets[Self.start(of: Date(timeIntervalSince1970: Double(minute.key.minute) * 60), bucket: bucketSeconds), default: CallTotals()]
                .merge(minute.totals)
            gateway.merge(minute.gateway)
        }

        static func start(of date: Date, bucket: Int) -> Int {
            Int((date.timeIntervalSince1970 / Double(bucket)).rounded(.down)) * bucket
        }
    }

    static func compute(_ accumulated: Accumulator, complete: Bool, source: String, since: Date, until: Date) -> DashboardStats {
        var accumulated = accumulated
        if accumulated.totalsFromModels {
            for totals in accumulated.models.values { accumulated.totals.merge(totals) }
        }
        let bucket = accumulated.bucketSeconds
        let byModel = accumulated.models.map { key, totals in group(totals, key: key) }
            .sorted { ($0.calls, $1.key) > ($1.calls, $0.key) }
        var overTime: [Group] = []
        var start = Accumulator.start(of: since, bucket: bucket)
        while Double(start) <= until.timeIntervalSince1970 && overTime.count < 500 {
            let key = APITime.string(from: Date(timeIntervalSince1970: Double(start)))
            overTime.append(group(accumulated.buckets[start] ?? CallTotals(), key: key, withProvider: false))
            start += bucket
        }
        return DashboardStats(since: APITime.string(from: since), until: APITime.string(from: until), bucketSeconds: bucket,
                              scanned: accumulated.scanned, complete: complete, source: source, totals: group(accumulated.totals, key: "all", withProvider: false),
                              gateway: accumulated.gateway, byModel: byModel, overTime: overTime)
    }

    /// About 24–60 buckets over the window, at a round size.
    static func bucket(for span: TimeInterval) -> Int {
        let sizes = [60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400]
        return sizes.first { span / Double($0) <= 60 } ?? 7 * 86400
    }

    static func group(_ totals: CallTotals, key: String, withProvider: Bool = true) -> Group {
        var g = Group(key: key, provider: withProvider ? totals.provider : nil)
        g.calls = totals.calls
        g.errors = totals.errors
        g.errorRate = totals.errorRate
        g.errorsByKind = totals.errorsByKindWords
        g.upstreamErrors = totals.upstreamErrors
        g.clientDisconnects = totals.clientDisconnects
        g.inputTokens = totals.inputTokens
        g.outputTokens = totals.outputTokens
        g.costUSD = totals.costUSD
        g.unpricedCalls = totals.unpricedCalls
        let latencies = totals.latencies()
        g.p50Ms = latencies.p50Ms
        g.p95Ms = latencies.p95Ms
        g.p50TTFTMs = latencies.p50TTFTMs
        return g
    }
}
