import SightlineCore
/// Ollama's native API (`/api/chat`, `/api/generate`, `/api/embed`). Streaming is NDJSON, one JSON
/// object per line, on by default; the last line has `done: true` and the counts and durations.
struct OllamaDecoder: WireFormatDecoder {
    enum Kind {
        case chat, generate, embed
    }

    let kind: Kind

    func decodeRequest(_ body: JSONValue, into result: inout DecodedExchange) {
        result.requestModel = body["model"]?.nonEmptyString
        // Ollama streams unless told not to; embeddings never stream.
        result.requestedStream = kind == .embed ? false : (body["stream"]?.bool ?? true)
        var conversation = Conversation()
        var excluded: Set<String> = ["model", "options"]
        switch kind {
        case .chat:
            conversation.messages = body["messages"].arrayOrEmpty.compactMap(Self.message)
            conversation.liftLeadingSystemMessages()
            conversation.tools = body["tools"].arrayOrEmpty.compactMap(ConversationBuilding.openAITool)
            excluded.formUnion(["messages", "tools"])
        case .generate:
            conversation.system = body["system"]?.nonEmptyString
            var parts: [Conversation.Part] = body["prompt"]?.nonEmptyString.map { [.text($0)] } ?? []
            parts += body["images"].arrayOrEmpty.map { _ in Conversation.Part(type: "image") }
            if !parts.isEmpty { conversation.messages = [Conversation.Message(role: "user", parts: parts)] }
            excluded.formUnion(["prompt", "system", "images"])
        case .embed:
            let inputs = body["input"]?.string.map { [$0] } ?? body["input"].arrayOrEmpty.compactMap(\.string)
            let prompt = body["prompt"]?.string.map { [$0] } ?? [] // the older /api/embeddings
            let texts = inputs + prompt
            if !texts.isEmpty {
                conversation.messages = [Conversation.Message(role: "user", parts: texts.map(Conversation.Part.text))]
            }
            excluded.formUnion(["input", "prompt"])
        }
        // `options` holds the sampling settings; flattened so `temperature` reads as elsewhere.
        var parameters = ConversationBuilding.parameters(of: body, excluding: excluded)
        for (key, value) in body["options"]?.object ?? [:] { parameters[key] = value }
        conversation.parameters = parameters
        result.conversation = conversation
    }

    static func message(_ json: JSONValue) -> Conversation.Message? {
        guard let role = json["role"]?.nonEmptyString else { return nil }
        var parts: [Conversation.Part] = []
        if let thinking = json["thinking"]?.nonEmptyString { parts.append(Conversation.Part(type: "reasoning", text: thinking)) }
        if let content = json["content"]?.nonEmptyString { parts.append(.text(content)) }
        parts += json["images"].arrayOrEmpty.map { _ in Conversation.Part(type: "image") }
        parts += json["tool_calls"].arrayOrEmpty.map(toolCall)
        if role == "tool" {
            let result = Conversation.Part(type: "tool_result", text: json["content"]?.string,
                                           id: json["tool_call_id"]?.string, name: json["tool_name"]?.string)
            return Conversation.Message(role: "tool", parts: [result])
        }
        return Conversation.Message(role: role, parts: parts)
    }

    private static func toolCall(_ json: JSONValue) -> Conversation.Part {
        let function = json["function"]
        return Conversation.Part(type: "tool_call", id: json["id"]?.string, name: function?["name"]?.string,
                                 arguments: OpenAIChatDecoder.arguments(function?["arguments"]))
    }

    func decodeResponse(_ body: JSONValue, into result: inout DecodedExchange) {
        decodeStream([StreamEvent(tMs: nil, json: body)], into: &result)
    }

    func decodeStream(_ events: [StreamEvent], into result: inout DecodedExchange) {
        var reasoning = ""
        var text = ""
        var toolCalls: [Conversation.Part] = []
        var role = "assistant"
        for event in events {
            guard let line = event.json else { continue }
            if let error = line["error"]?.nonEmptyString { result.noteError(error) }
            if let model = line["model"]?.nonEmptyString { result.responseModel = model }
            let message = line["message"]
            if let r = message?["role"]?.nonEmptyString { role = r }
            let textDelta = (kind == .generate ? line["response"] : message?["content"])?.string ?? ""
            let thinkingDelta = (kind == .generate ? line["thinking"] : message?["thinking"])?.string ?? ""
            let calls = message?["tool_calls"].arrayOrEmpty.map(Self.toolCall) ?? []
            text += textDelta
            reasoning += thinkingDelta
            toolCalls += calls
            if !textDelta.isEmpty || !thinkingDelta.isEmpty || !calls.isEmpty { result.noteOutput(at: event.tMs) }
            if line["done"]?.bool == true || kind == .embed {
                result.sawFinalEvent = true
                finish(line, into: &result)
            }
        }
        guard kind != .embed else { return }
        var parts: [Conversation.Part] = []
        if !reasoning.isEmpty { parts.append(Conversation.Part(type: "reasoning", text: reasoning)) }
        if !text.isEmpty { parts.append(.text(text)) }
        parts += toolCalls
        result.conversation.output = [Conversation.Message(role: role, parts: parts)]
    }

    /// The final line's counts; durations are nanoseconds.
    private func finish(_ line: JSONValue, into result: inout DecodedExchange) {
        result.conversation.finishReason = line["done_reason"]?.nonEmptyString ?? result.conversation.finishReason
        var usage = result.conversation.usage
        if let n = line["prompt_eval_count"]?.int { usage.inputTokens = n }
        if let n = line["eval_count"]?.int { usage.outputTokens = n }
        result.conversation.usage = usage
        if let nanoseconds = line["eval_duration"]?.double, nanoseconds > 0 {
            result.providerGenerationSeconds = nanoseconds / 1e9
        }
    }
}
