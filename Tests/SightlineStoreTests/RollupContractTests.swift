import Foundation
import GRDB
import SightlineCore
import SightlineLLM
import SightlineTestSupport
import Testing
@testable import SightlineStore

/// The rollups each backend keeps as it writes must equal a fold of the flows it holds: after plain inserts,
/// flows recorded again (in the same batch and in a later one), several instances, tunnels and retention.
@Suite("FlowStore rollups", .serialized)
struct RollupContractTests {
    typealias Backend = FlowStoreContractTests.Backend

    /// A mix: two models and a call without one, failures by status and by kind, sessions, gateway records,
    /// a tunnel, two instances, spread over three minutes.
    static func records(instance: String, offset: Int = 0) -> [FlowRecord] {
        (0..<12).map { i in
            let start = FlowStoreContractTests.base.addingTimeInterval(Double(i * 17 + offset))
            var capture = FlowStoreContractTests.capture(i, url: i == 5 ? "https://example.com/x" : "https://api.openai.com/v1/chat/completions",
                                                         status: i % 4 == 3 ? 429 : 200, session: i % 3 == 0 ? nil : "s\(i % 3)",
                                                         user: "u\(i % 2)", mode: i == 7 ? .tunnel : .proxy, start: start)
            capture.timings.lastByteMs = 100 + Double(i) * 37.5
            if i == 9 {
                capture.response = nil
                capture.error = "reset"
                capture.errorKind = .upstreamReset
            }
            capture.gateway = i % 5 == 1 ? gatewayRecord(cache: i == 1 ? "HIT" : "MISS", saved: i == 1 ? "0.25" : nil) : nil
            let analysis = i == 5 || i == 7 ? nil : makeAnalysis(model: i % 2 == 0 ? "gpt-4o" : "gpt-4o-mini")
            var record = makeRecord(capture, analysis: analysis)
            record.detail.summary.instance = instance
            return record
        }
    }

    /// What the rollups should hold: every stored flow folded from nothing.
    static func rebuilt(_ store: any FlowStore) async throws -> RollupChange {
        try await store.accumulate(FlowQuery(), into: RollupChange(), maxFlows: 1_000_000).result
    }

    static func expectRollupsMatchFlows(_ store: any FlowStore, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let expected = try await rebuilt(store)
        let minutes = try await store.callMinutes(from: 0, to: Int64.max)
        #expect(Dictionary(uniqueKeysWithValues: minutes.map { ($0.key, $0) }) == expected.minutes, sourceLocation: sourceLocation)
        let sessions = try await store.sessionTotals(since: .distantPast, until: .distantFuture, limit: 1000)
        #expect(Dictionary(uniqueKeysWithValues: sessions.map { ($0.key, $0) }) == expected.sessions, sourceLocation: sourceLocation)
    }

    @Test("the rollups equal a fold of the stored flows, with flows recorded again and two instances", arguments: Backend.allCases)
    func rollupsFollowTheFlows(_ backend: Backend) async throws {
        guard let opened = try await FlowStoreContractTests.open(backend) else { return }
        let store = opened.store
        let a = Self.records(instance: "a"), b = Self.records(instance: "b", offset: 3)
        try await store.insert(Array(a[0..<6]))
        try await store.insert(Array(a[6...]) + b)
        let minutes = try await store.callMinutes(from: 0, to: Int64.max)
        #expect(minutes.reduce(0) { $0 + $1.totals.calls } == 22, "24 flows less the two tunnels")
        #expect(Set(minutes.map(\.key.instance)) == ["a", "b"])
        try await Self.expectRollupsMatchFlows(store)

        // Recorded again (a WebSocket session's update, a spool replayed): the old figures are taken out.
        var again = a[2]
        again.detail.summary.outputTokens = 1000
        again.detail.summary.durationMs = 9000
        var twice = b[4]
        twice.detail.summary.status = 500
        var thrice = twice
        thrice.detail.summary.model = "gpt-4.1"
        try await store.insert([again, twice, thrice])
        try await store.insert([again])
        try await Self.expectRollupsMatchFlows(store)
        let all = try await store.callMinutes(from: 0, to: Int64.max).reduce(into: CallTotals()) { $0.merge($1.totals) }
        #expect(all.calls == 22 && all.outputTokens == 34 * 19 + 1000, "20 analysed calls of 34 tokens, one now 1000")

        // A session's totals add its instances' rows up.
        let s1 = try await store.sessionTotals(since: .distantPast, until: .distantFuture, limit: 1).filter { $0.key.id == "s2" || $0.key.id == "s1" }
        #expect(Set(s1.map(\.key.instance)) == ["a", "b"] && Set(s1.map(\.key.id)).count == 1, "the newest session, from both instances")

        // Retention: minutes before the oldest flow left go with their flows.
        let cut = FlowStoreContractTests.base.addingTimeInterval(120)
        _ = try await store.prune(olderThan: cut, maxStoreBytes: nil)
        let left = try await store.callMinutes(from: 0, to: Int64.max)
        #expect(left.allSatisfy { $0.key.minute >= CallMinute.minute(of: cut) }, "\(left.map(\.key))")
        await opened.close()
    }
}

func gatewayRecord(cache: String, saved: String?) -> GatewayRecord {
    var record = GatewayRecord()
    record.cache = cache
    record.savedCostUSD = saved.flatMap { Decimal(string: $0) }
    return record
}

@Suite("rollup values")
struct RollupValueTests {
    @Test("latencies keep three significant digits: exact below 1,000, within 0.5 % above, and add up")
    func histogram() {
        var h = LatencyHistogram()
        for value in [200.0, 50, 0.0456, 1234.5, 0, 999.4, 999.6] { h.add(value) }
        #expect(LatencyHistogram.value(of: LatencyHistogram.key(of: 200)) == 200)
        #expect(LatencyHistogram.value(of: LatencyHistogram.key(of: 50)) == 50)
        #expect(LatencyHistogram.value(of: LatencyHistogram.key(of: 0.0456)) == 0.0456)
        #expect(LatencyHistogram.value(of: LatencyHistogram.key(of: 1234.5)) == 1230)
        #expect(LatencyHistogram.value(of: LatencyHistogram.key(of: 999.6)) == 1000)
        #expect(h.percentile(0) == 0 && h.percentile(1) == 1230 && h.percentile(0.5) == 200)
        #expect(LatencyHistogram(encoded: h.encoded) == h)
        var twice = h
        twice.merge(h)
        #expect(twice.total == 14 && twice.percentile(0.5) == 200)
        twice.merge(h, sign: -1)
        #expect(twice == h, "taking a group back out leaves what was there")
    }

    @Test("a minute's and a session's text round-trips")
    func text() {
        var change = RollupChange()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        for i in 0..<5 {
            change.add(CallFacts(startedAt: start, mode: .proxy, host: "api.openai.com", status: i == 2 ? 500 : 200,
                                 errorKind: i == 2 ? .upstreamReset : nil, durationMs: Double(i) * 10.5,
                                 provider: "openai", model: "gpt-4o", inputTokens: 3, outputTokens: 4, costUSD: Decimal(string: "0.0125"),
                                 ttftMs: 12, sessionID: "s", sessionName: "name", userID: "u\(i)",
                                 gateway: gatewayRecord(cache: "HIT", saved: "0.5"), instance: "i"))
        }
        let minute = try! #require(change.minutes.values.first)
        #expect(RollupText.decodeMinute(key: minute.key, provider: "openai", text: RollupText.encode(minute)) == minute)
        #expect(minute.totals.errorsByKind == [.upstreamReset: 1] && minute.gateway.cacheHits == 5)
        let session = try! #require(change.sessions.values.first)
        #expect(RollupText.decodeSession(key: session.key, name: session.name, first: session.firstStartedAt, last: session.lastStartedAt,
                                         lastEnded: session.lastEndedAt, text: RollupText.encode(session),
                                         models: RollupText.list(session.models), users: RollupText.list(session.users)) == session)
        #expect(session.users == ["u0", "u1", "u2", "u3", "u4"] && session.costUSD == Decimal(string: "0.0625"))
    }

    @Test("a store from before the rollups builds them from its flows when it is migrated")
    func migrationBuildsRollups() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let pool = try DatabasePool(path: dir.databasePath)
        try await pool.writeWithoutTransaction { db in try FlowStoreSchema.prepareNewDatabase(db) }
        try FlowStoreSchema.migrator.migrate(pool, upTo: "v8: flow.instance")
        let records = RollupContractTests.records(instance: "old")
        try await pool.write { db in
            // Rows as this version writes them, in a v8 table: the later columns exist only while they are written.
            try db.execute(sql: "ALTER TABLE flow ADD COLUMN parent_id TEXT; ALTER TABLE flow ADD COLUMN thread_id TEXT")
            for record in records { try SQLiteFlowStore.insert(record, db) }
            try db.execute(sql: "ALTER TABLE flow DROP COLUMN parent_id; ALTER TABLE flow DROP COLUMN thread_id")
        }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        #expect(try await store.callMinutes(from: 0, to: Int64.max).reduce(0) { $0 + $1.totals.calls } == 11)
        try await RollupContractTests.expectRollupsMatchFlows(store)
    }
}
