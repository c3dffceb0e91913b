import Foundation
import SightlineCore
import Testing
@testable import SightlineLLM

/// MCP over streamable HTTP, on exchanges captured from the `mcp` SDK (`Tests/Fixtures/mcp/`), and on
/// hand-made ones for what one session of FastMCP does not send (batches, JSON-RPC errors, a server's GET
/// stream with messages, damaged bodies).
@Suite("MCP")
struct MCPTests {
    static let url = "http://127.0.0.1:8000/mcp"

    /// A captured exchange as the recorder hands it over (SSE events timed).
    static func captured(_ scenario: String, method: String = "POST") -> LLMExchange {
        let directory = "mcp/\(scenario)"
        let isSSE = FileManager.default.fileExists(atPath: Fixture.root.appendingPathComponent("\(directory)/response.sse").path)
        let body = Fixture.bytes("\(directory)/\(isSSE ? "response.sse" : "response.json")")
        var exchange = ExchangeBuilder.exchange(url: url, request: Fixture.bytes("\(directory)/request.json"),
                                                status: Int(Fixture.string("\(directory)/status").trimmingWhitespace) ?? 200,
                                                response: body, timedSSE: isSSE, method: method)
        exchange.requestHeaders = headers("\(directory)/request-headers.json")
        exchange.responseHeaders = headers("\(directory)/response-headers.json")
        return exchange
    }

    static func headers(_ path: String) -> [HeaderField] {
        let pairs = (try? JSONSerialization.jsonObject(with: Data(Fixture.bytes(path)))) as? [[String]] ?? []
        return pairs.map { HeaderField($0[0], $0[1]) }
    }

    static func detail(_ exchange: LLMExchange) -> MCPDetail? {
        MCPDetail.of(method: exchange.method, requestHeaders: exchange.requestHeaders, requestBody: exchange.requestBody,
                     responseHeaders: exchange.responseHeaders, responseBody: exchange.responseBody)
    }

    static let transportHeaders = [HeaderField("Accept", "application/json, text/event-stream")]

    static func handMade(request: String, response: String, contentType: String = "application/json",
                         headers: [HeaderField] = transportHeaders, status: Int = 200) -> LLMExchange {
        ExchangeBuilder.exchange(url: url, request: Array(request.utf8), status: status, response: Array(response.utf8),
                                 contentType: contentType, timedSSE: contentType == "text/event-stream",
                                 requestHeaders: headers)
    }

    @Test func initializeOpensTheSessionAndNamesTheServer() throws {
        let exchange = Self.captured("initialize")
        let a = try #require(analyze(exchange))
        #expect(a.provider == "mcp")
        #expect(a.endpoint == "initialize")
        #expect(a.model == nil && a.costUSD == nil && a.usage == LLMUsage())
        #expect(a.stream, "FastMCP answered as SSE")
        #expect(a.truncated == false)
        #expect(a.conversation.messages.first?.text == "initialize: client mcp 0.1.0, protocol 2025-11-25")
        #expect(a.conversation.output.first?.text == "server sightline-test-tools 1.30.0, protocol 2025-11-25")

        let mcp = try #require(Self.detail(exchange))
        #expect(mcp.method == "initialize")
        #expect(mcp.id == .number(0))
        #expect(mcp.params?["clientInfo"]?["name"] == .string("mcp"))
        #expect(mcp.result?["serverInfo"]?["name"] == .string("sightline-test-tools"))
        #expect(mcp.error == nil)
        #expect(mcp.server == MCPDetail.Server(name: "sightline-test-tools", version: "1.30.0"))
        #expect(mcp.protocolVersion == "2025-11-25")
        // No session yet when the client asks: the server's answer names it.
        #expect(exchange.requestHeaders.first(named: "Mcp-Session-Id") == nil)
        #expect(mcp.sessionID == exchange.responseHeaders.first(named: "Mcp-Session-Id"))
        #expect(mcp.sessionID?.isEmpty == false)
    }

    @Test func everyCallOfTheSessionSharesItsID() throws {
        let scenarios = ["initialize", "notifications-initialized", "tools-list", "tools-call", "tools-call-error",
                         "tools-call-logging"]
        let ids = scenarios.map { Self.detail(Self.captured($0))?.sessionID }
        #expect(Set(ids).count == 1 && ids[0] != nil, "\(ids)")
        let stream = try #require(Self.detail(Self.captured("session-stream", method: "GET")))
        #expect(stream.sessionID == ids[0])
    }

    @Test func notificationIsAFlowWithoutAnAnswer() throws {
        let exchange = Self.captured("notifications-initialized")
        #expect(exchange.status == 202 && exchange.responseBody.isEmpty)
        let a = try #require(analyze(exchange))
        #expect(a.endpoint == "notifications/initialized")
        #expect(a.stream == false && a.truncated == false)
        #expect(a.conversation.messages.first?.text == "notifications/initialized")
        #expect(a.conversation.output.isEmpty)
        let mcp = try #require(Self.detail(exchange))
        #expect(mcp.method == "notifications/initialized")
        #expect(mcp.id == nil && mcp.result == nil && mcp.error == nil)
    }

    @Test func toolsListShowsTheTools() throws {
        let a = try #require(analyze(Self.captured("tools-list")))
        #expect(a.endpoint == "tools/list")
        #expect(a.conversation.tools.map(\.name) == ["add", "divide", "get_weather"])
        #expect(a.conversation.tools.first?.description == "Adds two integers.")
        #expect(a.conversation.tools.first?.schema?["required"] == .array([.string("a"), .string("b")]))
        #expect(a.conversation.output.first?.text == "add: Adds two integers.\ndivide: Divides a by b.\nget_weather: The weather in a city.")
    }

    @Test(arguments: ["tools-call", "tools-call-json"])
    func toolsCallReadsLikeAnLLMToolCall(scenario: String) throws {
        let exchange = Self.captured(scenario)
        let a = try #require(analyze(exchange))
        #expect(a.provider == "mcp")
        #expect(a.endpoint == "tools/call")
        #expect(a.stream == (scenario == "tools-call"))
        #expect(a.toolCallCount == 1)
        let call = try #require(a.conversation.messages.first?.parts.first)
        #expect(a.conversation.messages.first?.role == "assistant")
        #expect(call.type == "tool_call")
        #expect(call.id == "2")
        #expect(call.name == "add")
        #expect(JSONValue.parse(call.arguments ?? "") == .object(["a": .number(2), "b": .number(3)]))
        let result = try #require(a.conversation.output.first?.parts.first)
        #expect(a.conversation.output.first?.role == "tool")
        #expect(result.type == "tool_result")
        #expect(result.id == "2")
        #expect(result.text == "5")
        #expect(result.isError == false)
        #expect(a.searchText.contains("5"))

        let mcp = try #require(Self.detail(exchange))
        #expect(mcp.method == "tools/call")
        #expect(mcp.id == .number(2))
        #expect(mcp.params?["name"] == .string("add"))
        #expect(mcp.result?["structuredContent"] == .object(["result": .number(5)]))
        #expect(mcp.server == nil, "serverInfo is only on initialize")
    }

    @Test func toolErrorResultIsMarked() throws {
        let a = try #require(analyze(Self.captured("tools-call-error")))
        let result = try #require(a.conversation.output.first?.parts.first)
        #expect(result.isError == true)
        #expect(result.text == "Error executing tool divide: division by zero")
    }

    @Test func serverNotificationsBeforeTheAnswerAreKeptApart() throws {
        let exchange = Self.captured("tools-call-logging")
        #expect(exchange.events.count == 2)
        let a = try #require(analyze(exchange))
        #expect(a.conversation.output.count == 1)
        #expect(a.conversation.output.first?.parts.first?.text == "Sunny, 21 °C in Lisbon")
        #expect(a.truncated == false)
        let mcp = try #require(Self.detail(exchange))
        #expect(mcp.notifications.map(\.method) == ["notifications/message"])
        #expect(mcp.notifications.first?.params?["data"] == .string("looking up Lisbon"))
        #expect(mcp.result?["content"]?.array?.first?["text"] == .string("Sunny, 21 °C in Lisbon"))
    }

    @Test func streamCutBeforeTheAnswerIsTruncated() throws {
        var exchange = Self.captured("tools-call-logging")
        exchange.responseBody = ExchangeBuilder.droppingLastEvent(exchange.responseBody)
        exchange.events.removeLast()
        let a = try #require(analyze(exchange))
        #expect(a.truncated)
        #expect(a.conversation.messages.first?.parts.first?.name == "get_weather")
        #expect(a.conversation.output.isEmpty)
    }

    @Test func sessionStreamAndDeleteAreLabelled() throws {
        let stream = try #require(analyze(Self.captured("session-stream", method: "GET")))
        #expect(stream.endpoint == "session.stream")
        #expect(stream.stream && !stream.truncated)
        let delete = try #require(analyze(Self.captured("session-delete", method: "DELETE")))
        #expect(delete.endpoint == "session.delete")
        #expect(Self.detail(Self.captured("session-delete", method: "DELETE"))?.method == nil)

        // What a server sends on its stream, each message a line of output.
        var exchange = Self.captured("session-stream", method: "GET")
        exchange.responseBody = Array(#"""
        event: message
        data: {"jsonrpc":"2.0","method":"notifications/tools/list_changed"}

        event: message
        data: {"jsonrpc":"2.0","id":0,"method":"roots/list"}


        """#.utf8)
        exchange.events = []
        let withMessages = try #require(analyze(exchange))
        #expect(withMessages.conversation.output.map(\.text) == ["notifications/tools/list_changed", "roots/list"])
        #expect(Self.detail(exchange)?.notifications.map(\.method) == ["notifications/tools/list_changed", "roots/list"])
    }

    @Test func jsonRPCErrorIsTheConversationsError() throws {
        let exchange = Self.handMade(
            request: #"{"jsonrpc":"2.0","id":"r-1","method":"resources/read","params":{"uri":"file:///missing"}}"#,
            response: #"{"jsonrpc":"2.0","id":"r-1","error":{"code":-32002,"message":"Resource not found","data":{"uri":"file:///missing"}}}"#)
        let a = try #require(analyze(exchange))
        #expect(a.endpoint == "resources/read")
        #expect(a.conversation.messages.first?.text == "file:///missing")
        #expect(a.conversation.error == "-32002: Resource not found")
        let mcp = try #require(Self.detail(exchange))
        #expect(mcp.id == .string("r-1"))
        #expect(mcp.result == nil)
        #expect(mcp.error?["code"] == .number(-32002))
        let json = String(decoding: try JSONEncoder().encode(mcp), as: UTF8.self)
        #expect(json.contains(#""error":"#) && !json.contains(#""result":"#), "only the one that came back: \(json)")
        #expect(json.contains(#""params":"#) && json.contains(#""session_id":null"#))
    }

    @Test func batchIsOneFlowWithEveryCall() throws {
        let exchange = Self.handMade(
            request: #"[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}},{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t","progress":1}},{"jsonrpc":"2.0","id":2,"method":"prompts/get","params":{"name":"review","arguments":{"code":"x = 1"}}}]"#,
            response: #"[{"jsonrpc":"2.0","id":2,"result":{"messages":[{"role":"user","content":{"type":"text","text":"Review: x = 1"}}]}},{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"3"}],"isError":false}}]"#,
            headers: [HeaderField("Mcp-Session-Id", "s-9"), HeaderField("MCP-Protocol-Version", "2025-03-26")])
        let a = try #require(analyze(exchange))
        #expect(a.endpoint == "batch")
        #expect(a.toolCallCount == 1)
        #expect(a.conversation.output.map(\.role) == ["tool", "user"])
        #expect(a.conversation.output.first?.parts.first?.text == "3")
        #expect(a.conversation.output.last?.text == "Review: x = 1")
        let mcp = try #require(Self.detail(exchange))
        #expect(mcp.method == "tools/call")
        #expect(mcp.sessionID == "s-9")
        #expect(mcp.protocolVersion == "2025-03-26")
        #expect(mcp.batch?.map(\.method) == ["tools/call", "notifications/progress", "prompts/get"])
        #expect(mcp.batch?.last?.result?["messages"] != nil)
    }

    @Test func clientAnswerToAServerRequestIsAResponse() throws {
        let exchange = Self.handMade(request: #"{"jsonrpc":"2.0","id":0,"result":{"roots":[]}}"#, response: "", status: 202)
        let a = try #require(analyze(exchange))
        #expect(a.endpoint == "response")
        #expect(Self.detail(exchange)?.result == .object(["roots": .array([])]))
    }

    /// Protocol 2026-07-28 (the `mcp` SDK 2.x's default; bodies as its client and MCPServer sent them through
    /// Sightline): no `initialize` and no session; every request names its method in `Mcp-Method` and carries the
    /// client in `_meta`, every result the server.
    @Test func sessionlessProtocolRevision() throws {
        let headers = [HeaderField("accept", "application/json, text/event-stream"), HeaderField("mcp-protocol-version", "2026-07-28"),
                       HeaderField("mcp-method", "server/discover")]
        let meta = #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"mcp","version":"0.1.0"},"io.modelcontextprotocol/clientCapabilities":{}}"#
        let discover = Self.handMade(
            request: #"{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"# + meta + "}}",
            response: #"{"jsonrpc":"2.0","id":1,"result":{"cacheScope":"private","capabilities":{"tools":{"listChanged":true}},"resultType":"complete","supportedVersions":["2026-07-28"],"ttlMs":0,"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"v2-tools","version":"2.3.0"}}}}"#,
            headers: headers)
        let a = try #require(analyze(discover))
        #expect(a.endpoint == "server/discover")
        #expect(a.conversation.messages.first?.text == "server/discover")
        #expect(a.conversation.output.first?.text == "server v2-tools 2.3.0, protocols 2026-07-28")
        let mcp = try #require(Self.detail(discover))
        #expect(mcp.server == MCPDetail.Server(name: "v2-tools", version: "2.3.0"))
        #expect(mcp.protocolVersion == "2026-07-28")
        #expect(mcp.sessionID == nil)

        let list = Self.handMade(request: #"{"jsonrpc":"2.0","id":2,"method":"resources/list","params":{"cursor":"c1","# + meta + "}}",
                                 response: #"{"jsonrpc":"2.0","id":2,"result":{"resources":[]}}"#, headers: headers)
        #expect(analyze(list)?.conversation.messages.first?.text == #"resources/list {"cursor":"c1"}"#, "the client's _meta left out")
    }

    // MARK: what is not MCP

    @Test func llmCallsAreNeverMCP() throws {
        // An LLM client that accepts both types is still read as its API.
        let chat = ExchangeBuilder.exchange(url: "https://api.openai.com/v1/chat/completions",
                                            request: Array(#"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#.utf8),
                                            response: Array(#"{"choices":[]}"#.utf8), requestHeaders: Self.transportHeaders)
        #expect(analyze(chat)?.provider == "openai")
        // JSON-RPC without the transport's headers (another JSON-RPC API) is not MCP.
        let plain = Self.handMade(request: #"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"}"#,
                                  response: #"{"jsonrpc":"2.0","id":1,"result":"0x1"}"#, headers: [])
        #expect(analyze(plain) == nil)
        // A GET with no session is an ordinary GET.
        var get = Self.captured("session-stream", method: "GET")
        get.requestHeaders.removeAll { $0.name.caseInsensitiveEquals("Mcp-Session-Id") }
        #expect(analyze(get) == nil)
    }

    @Test(arguments: [
        "", "{", "[]", "[1]", #"{"jsonrpc":"1.0","method":"x"}"#, #"{"jsonrpc":"2.0"}"#,
        #"[{"jsonrpc":"2.0","method":"a"},{"not":"rpc"}]"#, #"{"jsonrpc":"2.0","method":7,"id":1}"#,
    ])
    func malformedBodiesAreNotMCP(body: String) {
        let exchange = Self.handMade(request: body, response: #"{"jsonrpc":"2.0","id":1,"result":{}}"#,
                                     headers: Self.transportHeaders + [HeaderField("Mcp-Session-Id", "s")])
        #expect(analyze(exchange) == nil)
        #expect(Self.detail(exchange) == nil)
    }

    @Test func damagedAnswersStillGiveTheCall() throws {
        for response in ["not json", #"{"jsonrpc":"2.0","id":5,"result":"odd"}"#, "data: {\"jsonrpc\"\n\n",
                         #"{"jsonrpc":"2.0","id":5,"result":{"content":"not a list","isError":"yes"}}"#] {
            let exchange = Self.handMade(request: #"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"t","arguments":[1]}}"#,
                                         response: response, contentType: response.hasPrefix("data:") ? "text/event-stream" : "application/json")
            let a = try #require(analyze(exchange))
            #expect(a.endpoint == "tools/call")
            #expect(a.conversation.messages.first?.parts.first?.arguments == "[1]")
        }
    }
}
