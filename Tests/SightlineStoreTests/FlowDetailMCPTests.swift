import Foundation
import SightlineCore
import Testing
@testable import SightlineStore

/// The `mcp` object of a flow's detail is derived from the stored bodies when the detail is read: nothing
/// more is stored, yet an MCP flow read back from the store carries it, and no other flow does.
@Suite("MCP detail")
struct FlowDetailMCPTests {
    static let sse = "event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"working\"}}\r\n\r\n"
        + "event: message\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"7\"}],\"isError\":false}}\r\n\r\n"

    @Test func anMCPFlowReadBackCarriesItsCall() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let mcp = makeCapture(
            url: "http://127.0.0.1:8000/mcp",
            requestHeaders: [HeaderField("Content-Type", "application/json"), HeaderField("Accept", "application/json, text/event-stream"),
                             HeaderField("Mcp-Session-Id", "sess-42"), HeaderField("MCP-Protocol-Version", "2025-06-18"),
                             HeaderField("Authorization", "Bearer mcp-secret-token-1234")],
            requestBody: Array(#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"add","arguments":{"a":3,"b":4}}}"#.utf8),
            responseHeaders: [HeaderField("Content-Type", "text/event-stream"), HeaderField("Mcp-Session-Id", "sess-42")],
            responseBody: Array(Self.sse.utf8))
        let chat = makeCapture()
        try await store.insert([testBuilder.build(mcp), testBuilder.build(chat)])

        let detail = try #require(try await store.flow(id: mcp.id))
        #expect(detail.summary.provider == "mcp")
        #expect(detail.summary.endpoint == "tools/call")
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(detail)) as? [String: Any] ?? [:]
        let call = try #require(object["mcp"] as? [String: Any])
        #expect(call["method"] as? String == "tools/call")
        #expect(call["id"] as? Int == 4)
        #expect((call["params"] as? [String: Any])?["name"] as? String == "add")
        #expect(((call["result"] as? [String: Any])?["content"] as? [[String: Any]])?.first?["text"] as? String == "7")
        #expect(call["error"] == nil)
        #expect(call["session_id"] as? String == "sess-42")
        #expect(call["protocol_version"] as? String == "2025-06-18")
        #expect((call["notifications"] as? [[String: Any]])?.first?["method"] as? String == "notifications/message")
        #expect(!String(decoding: try JSONEncoder().encode(detail), as: UTF8.self).contains("mcp-secret-token"))
        // It decodes back to the same detail: the object is derived, not a stored field.
        #expect(try JSONDecoder().decode(FlowDetail.self, from: JSONEncoder().encode(detail)) == detail)

        let other = try #require(try await store.flow(id: chat.id))
        let otherObject = try JSONSerialization.jsonObject(with: JSONEncoder().encode(other)) as? [String: Any] ?? [:]
        #expect(otherObject["mcp"] == nil)
    }
}
