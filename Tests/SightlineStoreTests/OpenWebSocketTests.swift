import Foundation
import SightlineCore
import Testing
@testable import SightlineStore

/// A WebSocket session is stored at its 101 and replaced as it goes; the list says whether it is open.
@Suite("Open WebSocket sessions")
struct OpenWebSocketTests {
    static func session(open: Bool, messages: [String]) -> FlowCapture {
        var capture = makeCapture(id: FlowID("01900000-0000-7000-8000-00000000ab01"), method: "GET",
                                  url: "https://api.openai.com/v1/realtime?model=gpt-realtime", requestBody: [],
                                  status: 101, responseBody: [])
        capture.response?.reason = "Switching Protocols"
        capture.timings.lastByteMs = open ? nil : 5_000
        capture.webSocketFrames = messages.enumerated().map { i, text in
            CapturedWebSocketFrame(direction: i % 2 == 0 ? .server : .client, tMs: Double(i * 10), fin: true, rsv1: false,
                                   opcode: 1, payloadLength: text.utf8.count, payload: Array(text.utf8))
        }
        return capture
    }

    @Test("the open session's summary and detail say open; its completed record replaces it")
    func openThenClosed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let first = Self.session(open: true, messages: [#"{"type":"session.created"}"#])
        try await store.insert([testBuilder.build(first)])
        let listed = try #require(try await store.flows(FlowQuery()).flows.first)
        #expect(listed.websocket == WebSocketSummary(messages: 1, open: true))
        #expect(listed.durationMs == nil)
        #expect(try await store.flow(id: first.id)?.websocket?.open == true)

        try await store.insert([testBuilder.build(Self.session(open: false, messages: [#"{"type":"session.created"}"#, "hi", "hello"]))])
        let page = try await store.flows(FlowQuery()).flows
        #expect(page.count == 1)
        #expect(page.first?.websocket == WebSocketSummary(messages: 3, open: false))
        #expect(page.first?.durationMs == 5_000)
        #expect(try await store.flow(id: first.id)?.websocket?.messages.map(\.text) == [#"{"type":"session.created"}"#, "hi", "hello"])
    }

    @Test("a session a killed run left open is marked ended at the next start, with what was stored kept")
    func interruptedAtStart() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let open = Self.session(open: true, messages: [#"{"type":"session.created"}"#, "hi"])
        try await store.insert([testBuilder.build(open), testBuilder.build(makeCapture())])
        #expect(try await store.closeInterruptedWebSockets() == 1)
        let detail = try #require(try await store.flow(id: open.id))
        #expect(detail.summary.websocket == WebSocketSummary(messages: 2, open: false))
        #expect(detail.websocket?.open == false)
        #expect(detail.websocket?.messages.count == 2)
        #expect(detail.summary.error == SQLiteFlowStore.interruptedWebSocketError)
        let others = try await store.flows(FlowQuery()).flows.filter { $0.id != open.id }
        #expect(others.count == 1 && others.allSatisfy { $0.websocket == nil && $0.error == nil })
        #expect(try await store.closeInterruptedWebSockets() == 0)
    }
}
