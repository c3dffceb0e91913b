import SightlineCore

/// Renders an MCP exchange in the common conversation model, so the UI shows it as it shows LLM calls:
/// `tools/call` as an assistant's tool call (name, arguments) answered by a tool result (the result's
/// content as text, `isError` kept); `tools/list` as the tool definitions plus a line per tool; other
/// methods as what was asked and what came back. The client's side is the input, the server's the output.
enum MCPConversation {
    static func of(_ exchange: MCPExchange) -> Conversation {
        var conversation = Conversation()
        for request in exchange.requests {
            let response = exchange.response(to: request)
            render(request, response, into: &conversation)
            if let error = response?.errorText { conversation.error = conversation.error ?? error }
        }
        if exchange.endpoint == "session.stream" {
            // The server's own messages on its GET stream: notifications and requests to the client.
            conversation.output = exchange.serverMessages.map { message in
                Conversation.Message(role: "assistant", parts: [.text(line(message.method ?? "message", message.params))])
            }
        }
        return conversation
    }

    private static func render(_ request: JSONRPCMessage, _ response: JSONRPCMessage?, into conversation: inout Conversation) {
        let params = request.params
        let result = response?.result
        switch request.method {
        case "tools/call":
            let call = Conversation.Part(type: "tool_call", id: request.idText, name: params?["name"]?.string,
                                         arguments: (params?["arguments"] ?? .object([:])).jsonText)
            conversation.messages.append(Conversation.Message(role: "assistant", parts: [call]))
            guard let response else { return }
            let text = response.error == nil ? result.map(toolResultText) : response.errorText
            let isError = response.error != nil || result?["isError"]?.bool == true
            let part = Conversation.Part(type: "tool_result", text: text, id: request.idText, name: params?["name"]?.string,
                                         isError: isError)
            conversation.output.append(Conversation.Message(role: "tool", parts: [part]))
        case "tools/list":
            conversation.messages.append(user(line("tools/list", params)))
            let tools = result?["tools"].arrayOrEmpty ?? []
            conversation.tools += tools.compactMap { tool in
                tool["name"]?.string.map { Conversation.Tool(name: $0, description: tool["description"]?.string, schema: tool["inputSchema"]) }
            }
            if result != nil {
                let lines = tools.map { tool in
                    let name = tool["name"]?.string ?? "?"
                    return tool["description"]?.nonEmptyString.map { "\(name): \($0)" } ?? name
                }
                conversation.output.append(assistant(lines.isEmpty ? "no tools" : lines.joined(separator: "\n")))
            }
        case "initialize":
            let client = params?["clientInfo"]
            conversation.messages.append(user("initialize: client \(named(client)), protocol \(params?["protocolVersion"]?.string ?? "?")"))
            if let result {
                var text = "server \(named(result["serverInfo"])), protocol \(result["protocolVersion"]?.string ?? "?")"
                if let instructions = result["instructions"]?.nonEmptyString { text += "\n\n" + instructions }
                conversation.output.append(assistant(text))
            }
        case "server/discover":
            // Protocol 2026-07-28's stand-in for `initialize`: no session, the server says what it supports.
            conversation.messages.append(user("server/discover"))
            if let result {
                let versions = result["supportedVersions"].arrayOrEmpty.compactMap(\.string).joined(separator: ", ")
                let info = result["serverInfo"] ?? result["_meta"]?["io.modelcontextprotocol/serverInfo"]
                conversation.output.append(assistant("server \(named(info)), protocols \(versions.isEmpty ? "?" : versions)"))
            }
        case "resources/read":
            conversation.messages.append(user(params?["uri"]?.string ?? line("resources/read", params)))
            if let result {
                let texts = result["contents"].arrayOrEmpty.map { item in
                    item["text"]?.string ?? "[\(item["mimeType"]?.string ?? "blob") \(item["uri"]?.string ?? "")]"
                }
                conversation.output.append(assistant(texts.joined(separator: "\n")))
            }
        case "prompts/get":
            conversation.messages.append(user(line(params?["name"]?.string ?? "prompts/get", params?["arguments"])))
            for message in result?["messages"].arrayOrEmpty ?? [] {
                conversation.output.append(Conversation.Message(role: message["role"]?.string ?? "user",
                                                                parts: [.text(contentText(message["content"]))]))
            }
        default:
            if let method = request.method {
                conversation.messages.append(user(line(method, params)))
            } else if let answer = request.result ?? request.error {
                // The client answering a request of the server (sampling, elicitation, roots).
                conversation.messages.append(user(answer.jsonText))
            }
            if let result, result != .object([:]) {
                conversation.output.append(assistant(result.jsonText))
            }
        }
    }

    /// A tool result's content blocks as text, one per line; the structured result when there is no content.
    static func toolResultText(_ result: JSONValue) -> String {
        let blocks = result["content"].arrayOrEmpty
        if blocks.isEmpty, let structured = result["structuredContent"] { return structured.jsonText }
        return blocks.map(contentText).joined(separator: "\n")
    }

    /// One content block: text as it is, anything else named by its type (its bytes stay in the body).
    private static func contentText(_ block: JSONValue?) -> String {
        guard let block else { return "" }
        switch block["type"]?.string {
        case "text": return block["text"]?.string ?? ""
        case "resource":
            let resource = block["resource"]
            return resource?["text"]?.string ?? "[resource \(resource?["uri"]?.string ?? "")]"
        case "resource_link": return "[resource \(block["uri"]?.string ?? "")]"
        case let type?: return "[\(type)\(block["mimeType"]?.string.map { " " + $0 } ?? "")]"
        case nil: return block.string ?? block.jsonText
        }
    }

    private static func named(_ info: JSONValue?) -> String {
        [info?["name"]?.string, info?["version"]?.string].compactMap { $0 }.joined(separator: " ")
    }

    /// The method and its params, without the `_meta` every request of protocol 2026-07-28 carries (the
    /// client's name and capabilities: in the `mcp` detail, noise here).
    private static func line(_ head: String, _ params: JSONValue?) -> String {
        var params = params
        if var object = params?.object {
            object["_meta"] = nil
            params = .object(object)
        }
        guard let params, params != .object([:]), !params.isNull else { return head }
        return head + " " + params.jsonText
    }

    private static func user(_ text: String) -> Conversation.Message {
        Conversation.Message(role: "user", parts: [.text(text)])
    }

    private static func assistant(_ text: String) -> Conversation.Message {
        Conversation.Message(role: "assistant", parts: [.text(text)])
    }
}
