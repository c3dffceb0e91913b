import Foundation
import SightlineCore
import SightlineLLM
import SightlineTestSupport
import Testing
@testable import SightlineStore

/// Each backend threads calls as it stores them: parent and thread across batches, within one batch, after the
/// store is opened again (a restart), by MCP session; `thread=` lists a conversation; retention forgets keys.
@Suite("FlowStore threads", .serialized)
struct ThreadStoreTests {
    typealias Backend = FlowStoreContractTests.Backend

    /// A chat call as the proxy hands it over: `turns` are the user's messages, each answered "re: <message>"
    /// before the next; the call's own answer is "re: <last>".
    static func chatCapture(_ turns: [String], at second: Int, system: String = "be brief") -> FlowCapture {
        var messages = [#"{"role":"system","content":"\#(system)"}"#]
        for (index, turn) in turns.enumerated() {
            messages.append(#"{"role":"user","content":"\#(turn)"}"#)
            if index < turns.count - 1 { messages.append(#"{"role":"assistant","content":"re: \#(turn)"}"#) }
        }
        return makeCapture(start: FlowStoreContractTests.base.addingTimeInterval(Double(second)),
                           requestBody: Array(#"{"model":"gpt-4o","messages":[\#(messages.joined(separator: ","))]}"#.utf8),
                           responseBody: Array(#"{"choices":[{"message":{"role":"assistant","content":"re: \#(turns.last!)"}}]}"#.utf8))
    }

    /// That call through the real builder.
    static func chat(_ turns: [String], at second: Int, system: String = "be brief") -> FlowRecord {
        testBuilder.build(chatCapture(turns, at: second, system: system))
    }

    static func mcp(_ method: String, session: String, at second: Int, inResponse: Bool = false) -> FlowRecord {
        let header = [HeaderField("Mcp-Session-Id", session)]
        let capture = makeCapture(start: FlowStoreContractTests.base.addingTimeInterval(Double(second)), url: "http://127.0.0.1:9000/mcp",
                                  // What the SDK's streamable-HTTP client sends, by which the analyzer knows MCP.
                                  requestHeaders: [HeaderField("Content-Type", "application/json"),
                                                   HeaderField("Accept", "application/json, text/event-stream")] + (inResponse ? [] : header),
                                  requestBody: Array(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)"}"#.utf8),
                                  responseHeaders: [HeaderField("Content-Type", "application/json")] + (inResponse ? header : []),
                                  responseBody: Array(#"{"jsonrpc":"2.0","id":1,"result":{}}"#.utf8))
        return testBuilder.build(capture)
    }

    static func summary(_ store: any FlowStore, _ record: FlowRecord) async throws -> FlowSummary {
        try #require(try await store.summary(id: record.id))
    }

    @Test("calls continue the call whose input and output they start with, across batches, within one, and after a restart", arguments: Backend.allCases)
    func threads(_ backend: Backend) async throws {
        guard let opened = try await FlowStoreContractTests.open(backend) else { return }
        let store = opened.store
        let first = Self.chat(["hi"], at: 0)
        let unrelated = Self.chat(["hi"], at: 1, system: "be long")
        let plain = testBuilder.build(makeCapture(start: FlowStoreContractTests.base.addingTimeInterval(2), method: "GET",
                                                  url: "https://example.com/", requestBody: []))
        try await store.insert([first, unrelated, plain])
        let second = Self.chat(["hi", "more"], at: 10)
        let third = Self.chat(["hi", "more", "and more"], at: 11)
        try await store.insert([second, third])

        #expect(try await Self.summary(store, first).parentID == nil)
        #expect(try await Self.summary(store, first).threadID == first.id, "a first call is its thread's first call")
        #expect(try await Self.summary(store, second).parentID == first.id)
        #expect(try await Self.summary(store, third).parentID == second.id, "the longest earlier conversation, in the same batch")
        #expect(try await Self.summary(store, third).threadID == first.id)
        #expect(try await Self.summary(store, unrelated).threadID == unrelated.id, "another system prompt: its own thread")
        #expect(try await Self.summary(store, plain).threadID == nil, "not a call: no thread")

        // The same conversation sent twice (a retry, a replay): the next turn continues the later one.
        let retried = Self.chat(["hi", "more"], at: 12)
        try await store.insert([retried])
        #expect(try await Self.summary(store, retried).parentID == first.id)
        let fourth = Self.chat(["hi", "more", "again"], at: 13)
        try await store.insert([fourth])
        #expect(try await Self.summary(store, fourth).parentID == retried.id)

        let page = try await store.flows(FlowQuery(parameters: [("thread", first.id.description)]))
        #expect(page.flows.map(\.id) == [fourth, retried, third, second, first].map(\.id), "newest first")

        // A flow recorded again keeps its place and never becomes its own parent.
        try await store.insert([second])
        #expect(try await Self.summary(store, second).parentID == first.id)

        // MCP: `initialize` learns the session from the answer, every later call names it.
        let initialize = Self.mcp("initialize", session: "s-1", at: 20, inResponse: true)
        let list = Self.mcp("tools/list", session: "s-1", at: 21)
        let call = Self.mcp("tools/call", session: "s-1", at: 22)
        try await store.insert([initialize, list])
        try await store.insert([call])
        #expect(try await Self.summary(store, list).parentID == initialize.id)
        #expect(try await Self.summary(store, call).parentID == list.id)
        #expect(try await Self.summary(store, call).threadID == initialize.id)
        await opened.close()
    }

    @Test("the recorder announces calls as stored: the live view sees each call's parent and thread")
    func liveViewSeesThreads() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let recorder = FlowRecorder(store: try SQLiteFlowStore(path: dir.databasePath), builder: testBuilder,
                                    batchInterval: .milliseconds(5), logger: quietLogger)
        let live = recorder.subscribe()
        let writer = Task { await recorder.run() }
        let first = Self.chatCapture(["hi"], at: 0), second = Self.chatCapture(["hi", "more"], at: 1)
        recorder.record(first)
        recorder.record(second)
        var seen: [FlowSummary] = []
        for await summary in live {
            seen.append(summary)
            if seen.count == 2 { break }
        }
        await recorder.shutdown()
        await writer.value
        #expect(seen.map(\.parentID) == [nil, first.id])
        #expect(seen.map(\.threadID) == [first.id, first.id])
    }

    @Test("a conversation continued after the store is opened again is still one thread")
    func afterRestart() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let first = Self.chat(["hi"], at: 0)
        try await SQLiteFlowStore(path: dir.databasePath).insert([first])
        let reopened = try SQLiteFlowStore(path: dir.databasePath)
        let second = Self.chat(["hi", "more"], at: 5)
        try await reopened.insert([second])
        #expect(try await reopened.summary(id: second.id)?.parentID == first.id)

        // Retention forgets the keys of the flows it removed: nothing to continue.
        _ = try await reopened.prune(olderThan: FlowStoreContractTests.base.addingTimeInterval(60), maxStoreBytes: nil)
        let third = Self.chat(["hi", "more", "again"], at: 61)
        try await reopened.insert([third])
        #expect(try await reopened.summary(id: third.id)?.parentID == nil)
        #expect(try await reopened.summary(id: third.id)?.threadID == third.id)
    }
}
