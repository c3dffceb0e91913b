import Foundation
import Logging
import SightlineCore
import SightlineLLM
import SightlineTestSupport
import Testing
@testable import SightlineStore

/// What every `FlowStore` promises, run against each backend: the embedded SQLite file and a real PostgreSQL
/// server (`TestPostgres`, a fresh database per test). A backend that answers differently fails here.
@Suite("FlowStore contract", .serialized)
struct FlowStoreContractTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }
    }

    /// A store of the backend, and a way to close it. nil (and no failure) only for PostgreSQL outside CI when no
    /// server binaries are installed.
    struct Opened: Sendable {
        let store: any FlowStore
        let close: @Sendable () async -> Void
    }

    static func open(_ backend: Backend) async throws -> Opened? {
        switch backend {
        case .sqlite:
            let dir = try TemporaryDirectory()
            return Opened(store: try SQLiteFlowStore(path: dir.databasePath), close: { dir.remove() })
        case .postgres:
            guard let server = TestPostgres.shared else {
                if TestPostgres.required { Issue.record("no PostgreSQL server binaries: .ci/run installs postgresql") }
                return nil
            }
            let url = try PostgresStoreURL(server.url(database: try server.makeDatabase()))
            let store = try await PostgresFlowStore.connect(url, instance: "contract-test", logger: quietLogger)
            return Opened(store: store, close: { await store.close() })
        }
    }

    static let base = Date(timeIntervalSince1970: 1_800_000_000)

    static func capture(_ i: Int, url: String, status: Int = 200, session: String? = nil, user: String? = nil,
                        properties: [String: String] = [:], mode: FlowMode = .proxy, start: Date? = nil) -> FlowCapture {
        var c = makeCapture(start: start ?? base.addingTimeInterval(Double(i)), mode: mode, url: url, status: status)
        c.annotations.sessionID = session
        c.annotations.userID = user
        c.annotations.properties = properties
        return c
    }

    @Test("a record round-trips: the detail read back is the one inserted", arguments: Backend.allCases)
    func roundTrip(_ backend: Backend) async throws {
        guard let opened = try await Self.open(backend) else { return }
        var capture = makeCapture(
            url: "https://api.openai.com/v1/chat/completions?key=sk-abcdefghijklmnop4321",
            requestHeaders: [HeaderField("Authorization", "Bearer sk-proj-abcdefghijklmnop1234"), HeaderField("Content-Type", "application/json")],
            responseBody: Array(#"{"id":"chatcmpl-9","choices":[{"message":{"content":"hi"}}]}"#.utf8))
        capture.annotations.properties = ["team": "search", "Env": "prod"]
        capture.annotations.sessionID = "sess-1"
        capture.gateway = GatewayRecord()
        capture.gateway?.cache = "MISS"
        let record = makeRecord(capture, analysis: makeAnalysis())
        try await opened.store.insert([record])
        let detail = try #require(try await opened.store.flow(id: capture.id))
        // The store threads what it stores: a chat call with nothing before it starts its own thread.
        let expected = storedAlone(record)
        #expect(expected.summary.threadID == record.id)
        #expect(detail == expected)
        #expect(try await opened.store.flows(FlowQuery()).flows == [expected.summary])
        #expect(try await opened.store.flowCount() == 1)
        #expect(try await opened.store.flow(id: FlowID.make()) == nil)

        // Inserting the id again replaces the flow (a WebSocket session's updates, a spool replayed).
        var later = record
        later.detail.summary.outputTokens = 99
        later.detail.summary.properties = ["team": "ranking"]
        try await opened.store.insert([later])
        #expect(try await opened.store.flowCount() == 1)
        #expect(try await opened.store.flow(id: capture.id)?.summary.outputTokens == 99)
        #expect(try await opened.store.flows(FlowQuery(properties: ["team": "search"])).flows.isEmpty, "the old properties are gone")
        #expect(try await opened.store.flows(FlowQuery(properties: ["team": "ranking"])).flows.count == 1)
        await opened.close()
    }

    @Test("filters, full text and keyset pages, newest first", arguments: Backend.allCases)
    func filtersAndPages(_ backend: Backend) async throws {
        guard let opened = try await Self.open(backend) else { return }
        let store = opened.store
        let openai = Self.capture(0, url: "https://api.openai.com/v1/chat/completions", session: "s1", user: "alice",
                                  properties: ["env": "prod", "team": "a"])
        let anthropic = Self.capture(1, url: "https://api.anthropic.com/v1/messages", status: 429, session: "s1", user: "bob",
                                     properties: ["env": "dev"])
        let gemini = Self.capture(2, url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent",
                                  session: "s2", properties: ["env": "prod", "team": "b"], mode: .gateway)
        var tunnel = Self.capture(3, url: "example.com:443", status: 200, mode: .tunnel)
        tunnel.response = nil
        try await store.insert([
            makeRecord(openai, analysis: makeAnalysis(provider: "openai", model: "gpt-4o", text: "tell me about zebras")),
            makeRecord(anthropic, analysis: makeAnalysis(provider: "anthropic", model: "claude-sonnet-4", text: "penguins please")),
            makeRecord(gemini, analysis: makeAnalysis(provider: "gemini", model: "gemini-2.0-flash", text: "zebra crossing")),
            makeRecord(tunnel, analysis: nil),
        ])
        func ids(_ query: FlowQuery) async throws -> [FlowID] { try await store.flows(query).flows.map(\.id) }
        #expect(try await ids(FlowQuery()) == [tunnel.id, gemini.id, anthropic.id, openai.id])
        #expect(try await ids(FlowQuery(host: "API.OPENAI.COM")) == [openai.id])
        #expect(try await ids(FlowQuery(provider: "anthropic")) == [anthropic.id])
        #expect(try await ids(FlowQuery(model: "gemini-2.0-flash")) == [gemini.id])
        #expect(try await ids(FlowQuery(status: 429)) == [anthropic.id])
        #expect(try await ids(FlowQuery(mode: .gateway)) == [gemini.id])
        #expect(try await ids(FlowQuery(session: "s1")) == [anthropic.id, openai.id])
        #expect(try await ids(FlowQuery(user: "alice")) == [openai.id])
        #expect(try await ids(FlowQuery(properties: ["env": "prod"])) == [gemini.id, openai.id])
        #expect(try await ids(FlowQuery(properties: ["ENV": "prod", "team": "a"])) == [openai.id], "names match whatever their case")
        #expect(try await ids(FlowQuery(hideTunnels: true)) == [gemini.id, anthropic.id, openai.id])
        #expect(try await ids(FlowQuery(q: "zebras")) == [openai.id])
        #expect(try await ids(FlowQuery(q: "zebra*")) == [gemini.id, openai.id])
        #expect(try await ids(FlowQuery(q: "anthropic")) == [anthropic.id], "the URL's words are searched too")
        #expect(try await ids(FlowQuery(q: "zebra* crossing")) == [gemini.id])
        #expect(try await ids(FlowQuery(since: Self.base.addingTimeInterval(1), until: Self.base.addingTimeInterval(3))) == [gemini.id, anthropic.id])

        let first = try await store.flows(FlowQuery(limit: 3))
        #expect(first.flows.map(\.id) == [tunnel.id, gemini.id, anthropic.id])
        let next = try #require(first.next)
        let second = try await store.flows(FlowQuery(limit: 3, before: next))
        #expect(second.flows.map(\.id) == [openai.id])
        #expect(second.next == nil)
        await #expect(throws: StoreError.self) { try await store.flows(FlowQuery(before: "not-a-cursor")) }
        await opened.close()
    }

    @Test("accumulate folds the matching flows, and says when it stopped early", arguments: Backend.allCases)
    func accumulate(_ backend: Backend) async throws {
        guard let opened = try await Self.open(backend) else { return }
        let records = (0..<5).map { i in
            makeRecord(Self.capture(i, url: "https://api.openai.com/v1/chat/completions", status: i == 4 ? 500 : 200, session: "s\(i % 2)"),
                       analysis: makeAnalysis())
        }
        try await opened.store.insert(records)
        struct Tally: FlowAccumulator {
            var calls = 0, errors = 0, inputTokens = 0
            mutating func add(_ call: CallFacts) {
                calls += 1
                errors += (call.status ?? 0) >= 400 ? 1 : 0
                inputTokens += call.inputTokens ?? 0
            }
        }
        let (all, complete) = try await opened.store.accumulate(FlowQuery(), into: Tally(), maxFlows: 100)
        #expect(complete && all.calls == 5 && all.errors == 1 && all.inputTokens == 60)
        let (session, _) = try await opened.store.accumulate(FlowQuery(session: "s1"), into: Tally(), maxFlows: 100)
        #expect(session.calls == 2)
        let (cut, cutComplete) = try await opened.store.accumulate(FlowQuery(), into: Tally(), maxFlows: 3)
        #expect(!cutComplete && cut.calls == 3)
        await opened.close()
    }

    @Test("retention deletes what is older than the cutoff, across days", arguments: Backend.allCases)
    func prune(_ backend: Backend) async throws {
        guard let opened = try await Self.open(backend) else { return }
        let day = 86_400.0
        let starts = [-3 * day, -2 * day, -day - 60, -30, -10].map { Self.base.addingTimeInterval($0) }
        let records = starts.enumerated().map { i, start in
            makeRecord(Self.capture(i, url: "https://api.openai.com/v1/chat/completions", start: start), analysis: makeAnalysis())
        }
        try await opened.store.insert(records)
        let deleted = try await opened.store.prune(olderThan: Self.base.addingTimeInterval(-20), maxStoreBytes: nil)
        #expect(deleted == 4)
        #expect(try await opened.store.flows(FlowQuery()).flows.map(\.id) == [records[4].id])
        #expect(try await opened.store.flow(id: records[0].id) == nil, "bodies go with their flows")
        // A flow of a dropped day can still be recorded again.
        try await opened.store.insert([records[0]])
        #expect(try await opened.store.flowCount() == 2)
        await opened.close()
    }

    @Test("a restart marks this instance's interrupted WebSocket sessions ended", arguments: Backend.allCases)
    func interruptedWebSockets(_ backend: Backend) async throws {
        guard let opened = try await Self.open(backend) else { return }
        var open = makeRecord(Self.capture(0, url: "https://api.openai.com/v1/realtime?model=gpt-realtime"), analysis: nil)
        open.detail.summary.websocket = WebSocketSummary(messages: 3, open: true)
        open.detail.summary.instance = "contract-test"
        var ended = makeRecord(Self.capture(1, url: "https://api.openai.com/v1/realtime?model=gpt-realtime"), analysis: nil)
        ended.detail.summary.websocket = WebSocketSummary(messages: 9, open: false)
        ended.detail.summary.instance = "contract-test"
        try await opened.store.insert([open, ended])
        #expect(try await opened.store.closeInterruptedWebSockets() == 1)
        let closed = try #require(try await opened.store.flow(id: open.id)?.summary)
        #expect(closed.websocket == WebSocketSummary(messages: 3, open: false))
        #expect(closed.error?.contains("Sightline stopped while the WebSocket session was open") == true)
        #expect(try await opened.store.flow(id: ended.id)?.summary.error == nil)
        #expect(try await opened.store.closeInterruptedWebSockets() == 0)
        try await RollupContractTests.expectRollupsMatchFlows(opened.store) // the closed session is now a failed call
        await opened.close()
    }
}
