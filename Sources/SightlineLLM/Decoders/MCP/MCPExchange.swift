import SightlineCore

/// What one HTTP exchange of the streamable-HTTP transport carried: the client's messages (the POST
/// body), and the server's, whether it answered with one JSON body or with an SSE stream whose `data:`
/// lines each hold a message (its own requests and notifications, such as progress or logging, may come
/// before the response that answers the client's request).
struct MCPExchange {
    var endpoint: String
    var requests: [JSONRPCMessage]
    /// The server's answers (messages with an `id` and a `result` or `error`).
    var responses: [JSONRPCMessage] = []
    /// Requests and notifications the server sent on the response stream.
    var serverMessages: [JSONRPCMessage] = []
    /// The server answered with an event stream.
    var streamed = false
    /// `Mcp-Session-Id` of the request, or of the response for the `initialize` that opened the session.
    var sessionID: String?
    /// `MCP-Protocol-Version` of the request, or the version `initialize` agreed on.
    var protocolVersion: String?

    /// nil when the exchange is not MCP (see `MCPTransport`). `events` are the recorder's timed SSE events
    /// when it has them; otherwise an event-stream body is parsed here.
    static func read(method: String, requestHeaders: [HeaderField], requestBody: [UInt8],
                     responseHeaders: [HeaderField], responseBody: [UInt8], events: [TimedSSEEvent] = []) -> MCPExchange? {
        guard let (endpoint, requests) = MCPTransport.endpoint(method: method, headers: requestHeaders,
                                                                requestBody: requestBody) else { return nil }
        var exchange = MCPExchange(endpoint: endpoint, requests: requests)
        exchange.sessionID = requestHeaders.first(named: "Mcp-Session-Id") ?? responseHeaders.first(named: "Mcp-Session-Id")
        exchange.readResponse(headers: responseHeaders, body: responseBody, events: events)
        let initialize = exchange.responses.first { $0.result?["protocolVersion"] != nil }?.result
        exchange.protocolVersion = requestHeaders.first(named: "MCP-Protocol-Version")
            ?? initialize?["protocolVersion"]?.string
            ?? requests.first { $0.method == "initialize" }?.params?["protocolVersion"]?.string
        return exchange
    }

    /// The server's answer to a request of this exchange.
    func response(to request: JSONRPCMessage) -> JSONRPCMessage? {
        guard let id = request.id else { return nil }
        return responses.first { $0.id == id }
    }

    /// The stream ended before the server answered every request it was sent.
    var isTruncated: Bool {
        streamed && requests.contains { $0.isRequest && response(to: $0) == nil }
    }

    /// `serverInfo` of an `initialize` result, or (protocol 2026-07-28, which has no `initialize`) the one every
    /// result carries in its `_meta`.
    var server: (name: String?, version: String?)? {
        let infos = responses.lazy.compactMap { $0.result?["serverInfo"] ?? $0.result?["_meta"]?["io.modelcontextprotocol/serverInfo"] }
        guard let info = infos.first else { return nil }
        return (info["name"]?.string, info["version"]?.string)
    }

    private mutating func readResponse(headers: [HeaderField], body: [UInt8], events: [TimedSSEEvent]) {
        let contentType = headers.first(named: "Content-Type")?.lowercased() ?? ""
        var payloads: [JSONValue] = []
        if !events.isEmpty {
            streamed = true
            payloads = events.compactMap { JSONValue.parse($0.data) }
        } else if contentType.contains("text/event-stream") {
            streamed = true
            var parser = SSEParser()
            payloads = parser.feed(body).compactMap { JSONValue.parse($0.data) }
        } else if let json = JSONValue.parse(body) {
            payloads = [json]
        }
        for payload in payloads {
            for message in JSONRPCMessage.messages(in: payload) ?? [] {
                if message.isResponse { responses.append(message) } else { serverMessages.append(message) }
            }
        }
    }
}
