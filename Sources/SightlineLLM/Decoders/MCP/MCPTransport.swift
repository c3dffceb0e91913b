import SightlineCore

/// Recognizes MCP's streamable-HTTP transport from the shape of an exchange, since an MCP server may
/// live on any host and path. A POST is MCP when its body is JSON-RPC 2.0 and its headers say the client
/// speaks the transport: an `Mcp-Session-Id`, `MCP-Protocol-Version` or `Mcp-Method` header, or an
/// `Accept` naming both `application/json` and `text/event-stream` (which the transport requires of every
/// POST, including the first `initialize`, before any session exists). No LLM API body is JSON-RPC, so an
/// LLM client that happens to accept both types is never taken for MCP. The transport's GET (the server's
/// stream of its own messages) and DELETE (the end of a session) carry no body: they count only with an
/// `Mcp-Session-Id`.
enum MCPTransport {
    /// The endpoint an MCP exchange is listed under: the JSON-RPC method (`initialize`, `tools/call`,
    /// `notifications/initialized`…), `batch` for several messages in one POST, `response` for a client's
    /// answer to a server's request, `session.stream` and `session.delete` for the GET and DELETE.
    static func endpoint(method: String, headers: [HeaderField], requestBody: [UInt8]) -> (endpoint: String, messages: [JSONRPCMessage])? {
        let hasSession = headers.first(named: "Mcp-Session-Id") != nil
        switch method.uppercased() {
        case "POST":
            guard hasSession || speaksTransport(headers), namesJSONRPC(requestBody),
                  let body = JSONValue.parse(requestBody),
                  let messages = JSONRPCMessage.messages(in: body) else { return nil }
            if messages.count > 1 { return ("batch", messages) }
            return (messages[0].method ?? "response", messages)
        case "GET":
            let accept = headers.all(named: "Accept").joined(separator: ",").lowercased()
            return hasSession && accept.contains("text/event-stream") ? ("session.stream", []) : nil
        case "DELETE":
            return hasSession ? ("session.delete", []) : nil
        default:
            return nil
        }
    }

    private static let jsonrpcKey = Array(#""jsonrpc""#.utf8)

    /// Whether the body has the bytes `"jsonrpc"` anywhere: an LLM request that happens to carry the transport's
    /// headers is then not parsed twice (the key may come last, after large params, so all of it is searched).
    private static func namesJSONRPC(_ body: [UInt8]) -> Bool {
        let key = jsonrpcKey
        var from = body.startIndex
        while let quote = body[from...].firstIndex(of: key[0]), body.endIndex - quote >= key.count {
            if body[quote..<quote + key.count].elementsEqual(key) { return true }
            from = quote + 1
        }
        return false
    }

    private static func speaksTransport(_ headers: [HeaderField]) -> Bool {
        if headers.first(named: "MCP-Protocol-Version") != nil || headers.first(named: "Mcp-Method") != nil { return true }
        let accept = headers.all(named: "Accept").joined(separator: ",").lowercased()
        return accept.contains("application/json") && accept.contains("text/event-stream")
    }
}
