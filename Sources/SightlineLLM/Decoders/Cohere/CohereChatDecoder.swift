import SightlineCore
/// Cohere's v2 chat (`/v2/chat`) and its SSE stream. Messages are OpenAI-like (`tool_calls`,
/// `tool_call_id`), content is a string or typed parts; the response has `finish_reason`, a `message`
/// with content parts, a `tool_plan` and tool calls, and usage in `billed_units` and `tokens`.
struct CohereChatDecoder: WireFormatDecoder {
    typealias Part = Conversation.Part

    func decodeRequest(_ body: JSONValue, into result: inout DecodedExchange) {
        result.requestModel = body["model"]?.nonEmptyString
        result.requestedStream = body["stream"]?.bool
        var conversation = Conversation()
        conversation.messages = body["messages"].arrayOrEmpty.compactMap(Self.message)
        conversation.liftLeadingSystemMessages()
        conversation.tools = body["tools"].arrayOrEmpty.compactMap(ConversationBuilding.openAITool)
        conversation.parameters = ConversationBuilding.parameters(of: body, excluding: ["model", "messages", "tools"])
        result.conversation = conversation
    }

    func decodeResponse(_ body: JSONValue, into result: inout DecodedExchange) {
        result.responseID = body["id"]?.nonEmptyString
        if let message = body["message"] {
            var output = Self.message(message) ?? Conversation.Message(role: "assistant", parts: [])
            output.role = "assistant"
            result.conversation.output = [output]
        }
        result.conversation.finishReason = body["finish_reason"]?.nonEmptyString
        result.conversation.usage = Self.usage(body["usage"])
    }

    func decodeStream(_ events: [StreamEvent], into result: inout DecodedExchange) {
        CohereChatStreamAssembler.assemble(events, into: &result)
    }

    static func message(_ json: JSONValue) -> Conversation.Message? {
        guard let role = json["role"]?.nonEmptyString else { return nil }
        var parts: [Part] = []
        if let plan = json["tool_plan"]?.nonEmptyString { parts.append(Part(type: "reasoning", text: plan)) }
        if role == "tool" {
            let content = json["content"]
            let text = content?.string ?? ConversationBuilding.text(of: contentParts(content)) ?? content.map(\.jsonText)
            parts.append(Part(type: "tool_result", text: text, id: json["tool_call_id"]?.string))
        } else {
            parts += contentParts(json["content"])
        }
        parts += json["tool_calls"].arrayOrEmpty.map(toolCall)
        return Conversation.Message(role: role, parts: parts)
    }

    /// A string, or `[{"type":"text"}, {"type":"thinking"}, {"type":"image_url"}, {"type":"document"}]`.
    static func contentParts(_ content: JSONValue?) -> [Part] {
        guard let content else { return [] }
        if let text = content.string { return text.isEmpty ? [] : [.text(text)] }
        return content.arrayOrEmpty.compactMap { item -> Part? in
            switch item["type"]?.string {
            case "text": item["text"]?.string.map(Part.text)
            case "thinking": Part(type: "reasoning", text: item["thinking"]?.string)
            case "image_url": ConversationBuilding.image(url: item["image_url"]?["url"]?.string ?? item["image_url"]?.string)
            case "document": .text(item["document"]?["data"].map { $0.string ?? $0.jsonText } ?? "")
            default: nil
            }
        }
    }

    static func toolCall(_ json: JSONValue) -> Part {
        let function = json["function"]
        return Part(type: "tool_call", id: json["id"]?.string, name: function?["name"]?.string,
                    arguments: function?["arguments"].map { $0.string ?? $0.jsonText })
    }

    /// `billed_units` is what Cohere bills; `tokens` also counts the prompt template, so it is the fallback.
    static func usage(_ json: JSONValue?) -> LLMUsage {
        let billed = json?["billed_units"]
        let tokens = json?["tokens"]
        return LLMUsage(inputTokens: billed?["input_tokens"]?.int ?? tokens?["input_tokens"]?.int,
                        outputTokens: billed?["output_tokens"]?.int ?? tokens?["output_tokens"]?.int)
    }
}
