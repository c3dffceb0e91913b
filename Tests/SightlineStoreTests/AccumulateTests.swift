import Foundation
import SightlineCore
@testable import SightlineStore
import Testing

@Suite("aggregates read in the store")
struct AccumulateTests {
    struct Tally: FlowAccumulator {
        var calls = 0
        var inputTokens = 0
        var models: Set<String> = []
        var costUSD: Decimal = 0
        var sessions: Set<String> = []
        mutating func add(_ call: CallFacts) {
            calls += 1
            inputTokens += call.inputTokens ?? 0
            if let model = call.model { models.insert(model) }
            costUSD += call.costUSD ?? 0
            if let session = call.sessionID { sessions.insert(session) }
        }
    }

    @Test("accumulate visits the flows of the filters and time window, and says when it stopped at the limit")
    func accumulateHonoursFiltersWindowAndLimit() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        var records: [FlowRecord] = []
        for i in 0..<6 {
            var capture = makeCapture(start: base.addingTimeInterval(Double(i) * 60))
            capture.annotations.sessionID = "s\(i % 2)"
            records.append(makeRecord(capture, analysis: makeAnalysis(model: i < 4 ? "gpt-4o" : "gpt-4o-mini")))
        }
        try await store.insert(records)

        let (all, complete) = try await store.accumulate(FlowQuery(), into: Tally(), maxFlows: 100)
        #expect(complete)
        #expect(all.calls == 6 && all.inputTokens == 72)
        #expect(all.models == ["gpt-4o", "gpt-4o-mini"] && all.sessions == ["s0", "s1"])
        #expect(all.costUSD == records.compactMap(\.detail.summary.costUSD).reduce(0, +) && all.costUSD > 0)

        let window = FlowQuery(model: "gpt-4o", since: base.addingTimeInterval(60), until: base.addingTimeInterval(180))
        #expect(try await store.accumulate(window, into: Tally(), maxFlows: 100).result.calls == 2, "minutes 1 and 2 of gpt-4o")
        let (capped, whole) = try await store.accumulate(FlowQuery(limit: 1, before: FlowID.make().description), into: Tally(), maxFlows: 4)
        #expect(capped.calls == 4 && !whole, "page parameters are ignored; the limit is maxFlows")
    }
}

extension AccumulateTests {
    struct KindTally: FlowAccumulator {
        var kinds: [FlowErrorKind?] = []
        var errors: [String?] = []
        mutating func add(_ call: CallFacts) {
            kinds.append(call.errorKind)
            errors.append(call.error)
        }
    }

    @Test("accumulate hands each flow's error kind over with its error, and filters by kind")
    func accumulateReadsErrorKinds() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let kinds: [FlowErrorKind?] = [.upstreamReset, nil, .clientGone, .upstreamReset]
        try await store.insert(kinds.enumerated().map { i, kind in
            var capture = makeCapture(start: base.addingTimeInterval(Double(i)), status: kind == nil ? 200 : nil)
            capture.error = kind.map { "failed: \($0.rawValue)" }
            capture.errorKind = kind
            return testBuilder.build(capture)
        })
        let all = try await store.accumulate(FlowQuery(), into: KindTally(), maxFlows: 100).result
        #expect(all.kinds.compactMap { $0?.rawValue }.sorted() == ["client_gone", "upstream_reset", "upstream_reset"])
        #expect(all.kinds.filter { $0 == nil }.count == 1)
        #expect(all.errors.compactMap { $0 }.sorted() == ["failed: client_gone", "failed: upstream_reset", "failed: upstream_reset"],
                "the columns after error_kind still line up")
        let resets = try await store.accumulate(FlowQuery(errorKind: .upstreamReset), into: KindTally(), maxFlows: 100).result
        #expect(resets.kinds == [.upstreamReset, .upstreamReset])
    }
}

@Suite("call totals")
struct CallTotalsTests {
    @Test("one group's sums: failures include calls without a response, unpriced LLM calls are counted apart, percentiles are nearest-rank")
    func sumsAndPercentiles() {
        var totals = CallTotals()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for (i, status) in [200, 200, 429, 200].enumerated() {
            totals.add(CallFacts(startedAt: start, mode: .proxy, host: "api.openai.com", status: status, durationMs: Double(i + 1) * 100,
                                 provider: "openai", model: "gpt-4o", inputTokens: 10, outputTokens: 5,
                                 costUSD: i == 3 ? nil : Decimal(string: "0.25"), ttftMs: 50))
        }
        totals.add(CallFacts(startedAt: start, mode: .proxy, host: "api.openai.com", error: "connection reset", provider: "openai"))
        totals.add(CallFacts(startedAt: start, mode: .proxy, host: "example.com", status: nil))
        #expect(totals.calls == 6 && totals.errors == 3, "the 429, the reset and the call without a response")
        #expect(totals.inputTokens == 40 && totals.outputTokens == 20)
        #expect(totals.costUSD == Decimal(string: "0.75") && totals.pricedCalls == 3)
        #expect(totals.unpricedCalls == 2, "two openai calls without a price; the example.com call is not an LLM call")
        #expect(totals.provider == "openai")
        #expect(totals.latencies() == .init(p50Ms: 200, p95Ms: 400, p50TTFTMs: 50))
    }

    @Test("failures by kind: upstream ones apart from clients that went away; status-only failures have no kind")
    func errorsByKind() {
        var totals = CallTotals()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        func call(_ kind: FlowErrorKind?, status: Int? = nil) -> CallFacts {
            CallFacts(startedAt: start, mode: .proxy, host: "api.openai.com", status: status,
                      error: kind.map { "failed: \($0.rawValue)" }, errorKind: kind)
        }
        for kind: FlowErrorKind in [.upstreamReset, .upstreamReset, .upstreamTimeout, .upstreamTLS, .clientGone, .rateLimited] {
            totals.add(call(kind))
        }
        totals.add(call(nil, status: 500))
        totals.add(call(nil, status: 200))
        totals.add(CallFacts(startedAt: start, mode: .proxy, host: "api.openai.com", error: "recorded before kinds were kept"))
        #expect(totals.calls == 9 && totals.errors == 8)
        #expect(totals.errorsByKind == [.upstreamReset: 2, .upstreamTimeout: 1, .upstreamTLS: 1, .clientGone: 1, .rateLimited: 1])
        #expect(totals.upstreamErrors == 4, "reset, reset, timeout, TLS")
        #expect(totals.clientDisconnects == 1, "the client that went away, and nothing else")
        #expect(totals.errorsByKindWords
                == ["upstream_reset": 2, "upstream_timeout": 1, "upstream_tls": 1, "client_gone": 1, "rate_limited": 1])
        #expect(CallTotals().errorsByKind.isEmpty && CallTotals().upstreamErrors == 0 && CallTotals().clientDisconnects == 0)
    }
}
