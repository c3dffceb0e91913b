import SightlineCore

/// The `mcp` object of an MCP flow's detail (`GET /api/flows/{id}`): the JSON-RPC call as it went, the
/// session it belongs to and, on `initialize`, the server that answered. Derived from the stored (already
/// redacted) bodies and headers when the detail is read, so the store keeps no copy of it.
public struct MCPDetail: Sendable, Hashable, Codable {
    /// nil on the transport's GET stream and DELETE, which carry no message.
    public var method: String?
    public var id: JSONValue?
    public var params: JSONValue?
    /// One of `result` and `error` when the server answered (neither for a notification).
    public var result: JSONValue?
    public var error: JSONValue?
    public var sessionID: String?
    public var protocolVersion: String?
    /// `serverInfo` of the `initialize` result: only on that flow.
    public var server: Server?
    /// What the server sent on the response stream besides its answer (logging, progress, its own
    /// requests), or everything it sent on its GET stream.
    public var notifications: [Call]
    /// Every call of a batch, each with its answer; nil for a single message.
    public var batch: [Call]?

    public struct Server: Sendable, Hashable, Codable {
        public var name: String?
        public var version: String?
    }

    /// One JSON-RPC message, with the answer to it when there is one.
    public struct Call: Sendable, Hashable, Codable {
        public var method: String?
        public var id: JSONValue?
        public var params: JSONValue?
        public var result: JSONValue?
        public var error: JSONValue?
    }

    enum CodingKeys: String, CodingKey {
        case method, id, params, result, error, server, notifications, batch
        case sessionID = "session_id", protocolVersion = "protocol_version"
    }

    /// `method`, `id`, `params` and `session_id` are always written (null when absent); `result` or `error`
    /// only when there is one, so that which of the two came back reads at a glance.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, forKey: .method)
        try c.encode(id, forKey: .id)
        try c.encode(params, forKey: .params)
        try c.encodeIfPresent(result, forKey: .result)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encode(sessionID, forKey: .sessionID)
        try c.encode(protocolVersion, forKey: .protocolVersion)
        try c.encodeIfPresent(server, forKey: .server)
        try c.encode(notifications, forKey: .notifications)
        try c.encodeIfPresent(batch, forKey: .batch)
    }

    /// nil when the exchange is not MCP. `responseBody` may be an SSE stream: it is parsed here.
    public static func of(method: String, requestHeaders: [HeaderField], requestBody: [UInt8],
                          responseHeaders: [HeaderField], responseBody: [UInt8]) -> MCPDetail? {
        guard let exchange = MCPExchange.read(method: method, requestHeaders: requestHeaders, requestBody: requestBody,
                                              responseHeaders: responseHeaders, responseBody: responseBody) else { return nil }
        let calls = exchange.requests.map { request in
            let response = exchange.response(to: request)
            // A client's answer to a server's request carries its own result or error.
            let answer = request.isResponse ? request : response
            return Call(method: request.method, id: request.id, params: request.params, result: answer?.result, error: answer?.error)
        }
        let first = calls.first
        return MCPDetail(
            method: first?.method, id: first?.id, params: first?.params, result: first?.result, error: first?.error,
            sessionID: exchange.sessionID, protocolVersion: exchange.protocolVersion,
            server: exchange.server.map { Server(name: $0.name, version: $0.version) },
            notifications: exchange.serverMessages.map { Call(method: $0.method, id: $0.id, params: $0.params) },
            batch: calls.count > 1 ? calls : nil)
    }
}
