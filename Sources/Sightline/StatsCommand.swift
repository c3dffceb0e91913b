import ArgumentParser
import Foundation
import SightlineCore
import SightlineStore

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Calls, tokens, cost, errors and latency per model.")

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var filters: FlowFilterOptions
    @Option(help: "Only flows newer than this (e.g. 24h, 7d).") var since: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        var cutoff: Date?
        if let since {
            guard let seconds = Quantities.parseDurationSeconds(since) else { throw ValidationError("--since \(since) is not a duration like 24h") }
            cutoff = Date().addingTimeInterval(-seconds)
        }
        let flows = try await StoreOpener.reading(data, storeOption) { [cutoff, filters] store in
            try await store.allFlows(filters, since: cutoff).filter { $0.mode != .tunnel }
        }
        let report = StatsReport(flows)
        let rows = report.models
        let gateway = report.gateway
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        let header = ["MODEL", "CALLS", "ERRORS", "IN TOK", "OUT TOK", "COST", "P50 MS", "P95 MS"]
        let lines = rows.map { r in
            [r.model, "\(r.calls)", String(format: "%.1f%%", r.errorRate * 100), "\(r.inputTokens)", "\(r.outputTokens)",
             r.costUSD.map { "$" + NSDecimalNumber(decimal: $0).stringValue } ?? "unknown",
             r.p50Ms.map { "\(Int($0))" } ?? "-", r.p95Ms.map { "\(Int($0))" } ?? "-"]
        }
        let all = [header] + lines
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        for row in all {
            print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
        if rows.isEmpty { print("(no calls recorded\(since.map { " in the last \($0)" } ?? ""))") }
        if let errors = report.errorLine() { print(errors) }
        if gateway != GatewayTotals() {
            print("")
            print("gateway: \(gateway.cacheHits) cache hits (saved $\(NSDecimalNumber(decimal: gateway.savedCostUSD).stringValue)), "
                + "\(gateway.cacheMisses) misses; \(gateway.rateLimited) rate-limited; \(gateway.retriedCalls) retried calls "
                + "(\(gateway.retries) retries); \(gateway.fallbacksUsed) answered by a fallback; \(gateway.faultsInjected) with injected faults")
        }
    }
}

/// `sightline stats --json`.
struct StatsReport: Codable {
    var models: [ModelStats]
    /// Over every call, why the failed ones failed (`upstream_reset`: 2); errors by status alone have no kind.
    var errorsByKind: [String: Int]
    /// Errors of the upstream (kind `upstream_*`), apart from clients that went away (`client_gone`).
    var upstreamErrors: Int
    var clientDisconnects: Int
    var gateway: GatewayTotals

    init(_ flows: [FlowSummary]) {
        models = ModelStats.group(flows)
        var all = CallTotals()
        for flow in flows { all.add(CallFacts(flow)) }
        errorsByKind = all.errorsByKindWords
        upstreamErrors = all.upstreamErrors
        clientDisconnects = all.clientDisconnects
        gateway = GatewayTotals(flows)
    }

    /// `errors: 3 upstream, 1 client disconnect (upstream_reset 2, client_gone 1, upstream_timeout 1)`; nil when no
    /// error has a kind.
    func errorLine() -> String? {
        guard !errorsByKind.isEmpty else { return nil }
        let kinds = errorsByKind.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }
        return "errors: \(upstreamErrors) upstream, \(clientDisconnects) client disconnect\(clientDisconnects == 1 ? "" : "s") "
            + "(\(kinds.joined(separator: ", ")))"
    }
}

/// One row of `sightline stats`: the calls of one model.
struct ModelStats: Codable {
    var model: String
    var calls: Int
    var errors: Int
    var errorRate: Double
    /// The model's errors by kind, upstream ones and client disconnects (see `StatsReport`).
    var errorsByKind: [String: Int]
    var upstreamErrors: Int
    var clientDisconnects: Int
    var inputTokens: Int
    var outputTokens: Int
    /// nil when any call's cost is unknown and none is known; known costs are summed otherwise.
    var costUSD: Decimal?
    var unknownCostCalls: Int
    var p50Ms: Double?
    var p95Ms: Double?

    static func group(_ flows: [FlowSummary]) -> [ModelStats] {
        var byModel: [String: CallTotals] = [:]
        for flow in flows {
            byModel[flow.model ?? (flow.provider.map { "(\($0), no model)" } ?? "(not an LLM call)"), default: CallTotals()].add(CallFacts(flow))
        }
        return byModel.map { model, totals in
            let latencies = totals.latencies()
            return ModelStats(
                model: model, calls: totals.calls, errors: totals.errors, errorRate: totals.errorRate,
                errorsByKind: totals.errorsByKindWords, upstreamErrors: totals.upstreamErrors,
                clientDisconnects: totals.clientDisconnects,
                inputTokens: totals.inputTokens, outputTokens: totals.outputTokens,
                costUSD: totals.pricedCalls == 0 ? nil : totals.costUSD, unknownCostCalls: totals.calls - totals.pricedCalls,
                p50Ms: latencies.p50Ms, p95Ms: latencies.p95Ms)
        }.sorted { ($0.calls, $1.model) > ($1.calls, $0.model) }
    }
}
