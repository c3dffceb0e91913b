import SightlineCore

/// One JSON-RPC 2.0 message as MCP sends it: a request (`method` and `id`), a notification (`method`, no
/// `id`), or a response (`id` with `result` or `error`). Anything else is not one.
struct JSONRPCMessage: Sendable, Hashable {
    var method: String?
    /// A string or a number; `null` only on an error answering a request the server could not read.
    var id: JSONValue?
    var params: JSONValue?
    var result: JSONValue?
    var error: JSONValue?

    var isRequest: Bool { method != nil && id != nil }
    var isNotification: Bool { method != nil && id == nil }
    var isResponse: Bool { method == nil }

    init?(_ json: JSONValue) {
        guard json["jsonrpc"]?.string == "2.0" else { return nil }
        method = json["method"]?.nonEmptyString
        id = json["id"]
        params = json["params"]
        result = json["result"]
        error = json["error"]
        guard method != nil || result != nil || error != nil else { return nil }
    }

    /// The messages of one body: a single message, or a batch (a non-empty array of them). nil when any
    /// part is not JSON-RPC 2.0, so that a body is either read whole as MCP or not at all.
    static func messages(in body: JSONValue) -> [JSONRPCMessage]? {
        if let elements = body.array {
            let messages = elements.compactMap(JSONRPCMessage.init)
            return !messages.isEmpty && messages.count == elements.count ? messages : nil
        }
        return JSONRPCMessage(body).map { [$0] }
    }

    /// The id as text, for the conversation's call ids (`7`, `"req-1"` → `req-1`).
    var idText: String? {
        guard let id else { return nil }
        if let text = id.string { return text }
        if let number = id.int { return String(number) }
        return id.isNull ? nil : id.jsonText
    }

    /// `code: message`, as the conversation's error.
    var errorText: String? {
        guard let error else { return nil }
        let message = error["message"]?.string ?? error.jsonText
        return error["code"]?.int.map { "\($0): \(message)" } ?? message
    }
}
