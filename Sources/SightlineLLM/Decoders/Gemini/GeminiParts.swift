import SightlineCore
/// Gemini `Content`/`Part` objects as the common model. Every field is read by its camelCase name or
/// its snake_case spelling, since the REST API accepts both.
enum GeminiParts {
    typealias Part = Conversation.Part

    static func part(_ json: JSONValue) -> Part? {
        if let text = json.field("text")?.string {
            return json["thought"]?.bool == true ? Part(type: "reasoning", text: text) : .text(text)
        }
        if let data = json.field("inlineData") {
            return media(mimeType: data.field("mimeType")?.string, url: nil)
        }
        if let file = json.field("fileData") {
            return media(mimeType: file.field("mimeType")?.string, url: file.field("fileUri")?.string)
        }
        if let call = json.field("functionCall") {
            return Part(type: "tool_call", id: call["id"]?.string, name: call["name"]?.string,
                        arguments: (call["args"] ?? .object([:])).jsonText)
        }
        if let response = json.field("functionResponse") {
            return Part(type: "tool_result", text: response["response"]?.jsonText, id: response["id"]?.string,
                        name: response["name"]?.string)
        }
        if let code = json.field("executableCode") {
            return Part(type: "tool_call", name: "code_execution", arguments: code["code"]?.string)
        }
        if let outcome = json.field("codeExecutionResult") {
            return Part(type: "tool_result", text: outcome["output"]?.string, name: "code_execution",
                        isError: outcome["outcome"]?.string.map { $0 != "OUTCOME_OK" })
        }
        return nil
    }

    private static func media(mimeType: String?, url: String?) -> Part {
        let kind = mimeType?.split(separator: "/").first
        switch kind {
        case "image": return ConversationBuilding.image(url: url, mediaType: mimeType)
        case "audio": return Part(type: "audio", url: url, mediaType: mimeType)
        default: return Part(type: "file", url: url, mediaType: mimeType)
        }
    }

    /// A content's parts, with adjacent text (and adjacent thought text) joined: Gemini splits text
    /// arbitrarily, and streamed and whole responses must read alike.
    static func parts(_ content: JSONValue?) -> [Part] {
        var parts: [Part] = []
        for json in content?["parts"].arrayOrEmpty ?? [] {
            if let part = part(json) { append(part, to: &parts) }
        }
        return parts
    }

    static func append(_ part: Part, to parts: inout [Part]) {
        if part.type == "text" || part.type == "reasoning", let last = parts.last, last.type == part.type {
            parts[parts.count - 1].text = (last.text ?? "") + (part.text ?? "")
        } else {
            parts.append(part)
        }
    }

    /// A `Content` as a message: `model` is the assistant, and a user turn made only of function
    /// responses is shown as a `tool` message, like the other formats.
    static func message(_ content: JSONValue) -> Conversation.Message? {
        let parts = parts(content)
        let role: String
        switch content["role"]?.string {
        case "model": role = "assistant"
        case "function", "tool": role = "tool"
        default: role = !parts.isEmpty && parts.allSatisfy { $0.type == "tool_result" } ? "tool" : "user"
        }
        return Conversation.Message(role: role, parts: parts)
    }

    /// One entry of a request's `tools`: its function declarations, or a built-in tool (`googleSearch`,
    /// `codeExecution`, …) known only by its key.
    static func tools(_ json: JSONValue) -> [Conversation.Tool] {
        if let declarations = json.field("functionDeclarations")?.array {
            return declarations.compactMap { declaration in
                guard let name = declaration["name"]?.nonEmptyString else { return nil }
                return Conversation.Tool(name: name, description: declaration["description"]?.string,
                                         schema: declaration["parameters"] ?? declaration.field("parametersJsonSchema"))
            }
        }
        return (json.object ?? [:]).keys.sorted().map { Conversation.Tool(name: $0) }
    }

    /// Prompt counts include cached tokens; output excludes thinking tokens (the pricing code knows).
    /// The Live API calls the output `responseTokenCount`.
    static func usage(_ json: JSONValue?) -> LLMUsage? {
        guard let json, json.object != nil else { return nil }
        return LLMUsage(
            inputTokens: json.field("promptTokenCount")?.int,
            outputTokens: (json.field("candidatesTokenCount") ?? json.field("responseTokenCount"))?.int,
            cachedInputTokens: json.field("cachedContentTokenCount")?.int,
            cacheWriteTokens: nil,
            reasoningTokens: json.field("thoughtsTokenCount")?.int
        )
    }

    /// A request's `contents`: a list, or the single content (or bare string) clients sometimes send.
    static func contents(_ json: JSONValue?) -> [Conversation.Message] {
        guard let json else { return [] }
        if let text = json.string { return [Conversation.Message(role: "user", parts: [.text(text)])] }
        if json.object != nil { return message(json).map { [$0] } ?? [] }
        return json.arrayOrEmpty.compactMap(message)
    }
}
