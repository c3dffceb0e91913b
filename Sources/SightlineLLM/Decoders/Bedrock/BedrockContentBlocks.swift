import SightlineCore
/// Bedrock Converse content blocks as parts of the common model. A Converse block is an object with one
/// key naming its kind (`{"text": …}`, `{"toolUse": {…}}`), not a `type` field.
enum BedrockContentBlocks {
    typealias Part = Conversation.Part

    static func parts(_ content: JSONValue?) -> [Part] {
        content.arrayOrEmpty.compactMap(part)
    }

    static func part(_ block: JSONValue) -> Part? {
        if let text = block["text"]?.string { return .text(text) }
        if let image = block["image"] {
            return Part(type: "image", url: image["source"]?["s3Location"]?["uri"]?.string,
                        mediaType: image["format"]?.string.map { "image/\($0)" })
        }
        if let document = block["document"] {
            return Part(type: "file", name: document["name"]?.string, url: document["source"]?["s3Location"]?["uri"]?.string,
                        mediaType: document["format"]?.string)
        }
        if let video = block["video"] {
            return Part(type: "file", url: video["source"]?["s3Location"]?["uri"]?.string,
                        mediaType: video["format"]?.string.map { "video/\($0)" })
        }
        if let use = block["toolUse"] {
            return Part(type: "tool_call", id: use["toolUseId"]?.string, name: use["name"]?.string,
                        arguments: use["input"].map(\.jsonText))
        }
        if let result = block["toolResult"] {
            return toolResult(result)
        }
        if let reasoning = block["reasoningContent"] {
            // `redactedContent` is encrypted by the provider: the part only marks where reasoning was.
            return Part(type: "reasoning", text: reasoning["reasoningText"]?["text"]?.string)
        }
        if let guarded = block["guardContent"]?["text"]?["text"]?.string {
            return .text(guarded)
        }
        return nil // cachePoint, citationsContent and blocks added later
    }

    /// `{"toolUseId", "content": [{"json": …} | {"text": …} | …], "status": "success" | "error"}`.
    private static func toolResult(_ result: JSONValue) -> Part {
        let texts = result["content"].arrayOrEmpty.compactMap { item -> String? in
            item["text"]?.string ?? item["json"].map(\.jsonText)
        }
        return Part(type: "tool_result", text: texts.isEmpty ? nil : texts.joined(separator: "\n"),
                    id: result["toolUseId"]?.string, isError: result["status"]?.string.map { $0 == "error" })
    }

    /// Tool results travel in `user` messages, as in Anthropic's format; a user message made only of them
    /// is shown as a `tool` message, like the other formats.
    static func message(_ json: JSONValue) -> Conversation.Message? {
        guard let role = json["role"]?.nonEmptyString else { return nil }
        let parts = parts(json["content"])
        let onlyResults = !parts.isEmpty && parts.allSatisfy { $0.type == "tool_result" }
        return Conversation.Message(role: role == "user" && onlyResults ? "tool" : role, parts: parts)
    }

    /// `{"inputTokens", "outputTokens", "totalTokens", "cacheReadInputTokens", "cacheWriteInputTokens"}`.
    static func usage(_ json: JSONValue?) -> LLMUsage {
        LLMUsage(inputTokens: json?["inputTokens"]?.int, outputTokens: json?["outputTokens"]?.int,
                 cachedInputTokens: json?["cacheReadInputTokens"]?.int, cacheWriteTokens: json?["cacheWriteInputTokens"]?.int)
    }
}
