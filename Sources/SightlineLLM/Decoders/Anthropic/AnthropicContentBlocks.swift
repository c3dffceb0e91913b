import SightlineCore
/// Anthropic content blocks as parts of the common model.
enum AnthropicContentBlocks {
    typealias Part = Conversation.Part

    static func parts(_ content: JSONValue?) -> [Part] {
        guard let content else { return [] }
        if let text = content.string { return text.isEmpty ? [] : [.text(text)] }
        return content.arrayOrEmpty.compactMap(part)
    }

    static func part(_ block: JSONValue) -> Part? {
        guard let type = block["type"]?.string else { return nil }
        switch type {
        case "text":
            return block["text"]?.string.map(Part.text)
        case "image":
            let source = block["source"]
            return ConversationBuilding.image(url: source?["url"]?.string, mediaType: source?["media_type"]?.string)
        case "document":
            return Part(type: "file", name: block["title"]?.string, mediaType: block["source"]?["media_type"]?.string)
        case "thinking":
            return Part(type: "reasoning", text: block["thinking"]?.string)
        case "redacted_thinking":
            // Encrypted by the provider: no readable text, the part only marks where reasoning was.
            return Part(type: "reasoning")
        case "tool_result", "web_search_tool_result", "code_execution_tool_result", "mcp_tool_result":
            return toolResult(block)
        default:
            // `tool_use`, `server_tool_use`, `mcp_tool_use`: all are calls with an id, name and input.
            if type.hasSuffix("tool_use") {
                return Part(type: "tool_call", id: block["id"]?.string, name: block["name"]?.string,
                            arguments: block["input"].map(\.jsonText))
            }
            return nil
        }
    }

    private static func toolResult(_ block: JSONValue) -> Part {
        let content = block["content"]
        let text = content?.string
            ?? content?.array.flatMap { ConversationBuilding.text(of: parts(.array($0))) }
            ?? content.map(\.jsonText)
        return Part(type: "tool_result", text: text, id: block["tool_use_id"]?.string,
                    isError: block["is_error"]?.bool)
    }

    /// Anthropic sends tool results inside `user` messages; a user message made only of them is shown
    /// as a `tool` message, like the other formats.
    static func message(_ json: JSONValue) -> Conversation.Message? {
        guard let role = json["role"]?.nonEmptyString else { return nil }
        let parts = parts(json["content"])
        let onlyResults = !parts.isEmpty && parts.allSatisfy { $0.type == "tool_result" }
        return Conversation.Message(role: role == "user" && onlyResults ? "tool" : role, parts: parts)
    }

    /// Usage from `message` and `message_start`/`message_delta`. `input_tokens` excludes cache reads
    /// and writes (the pricing code knows).
    static func usage(_ json: JSONValue?, over base: LLMUsage = LLMUsage()) -> LLMUsage {
        guard let json else { return base }
        var usage = base
        if let n = json["input_tokens"]?.int { usage.inputTokens = n }
        if let n = json["output_tokens"]?.int { usage.outputTokens = n }
        if let n = json["cache_read_input_tokens"]?.int { usage.cachedInputTokens = n }
        if let n = json["cache_creation_input_tokens"]?.int { usage.cacheWriteTokens = n }
        return usage
    }
}
