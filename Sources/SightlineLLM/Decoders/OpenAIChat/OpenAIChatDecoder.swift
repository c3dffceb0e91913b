import SightlineCore
/// OpenAI chat completions, and every provider that speaks it (Azure, Groq, Mistral, OpenRouter,
/// DeepSeek, xAI, Together, Fireworks, vLLM, llama.cpp…).
struct OpenAIChatDecoder: WireFormatDecoder {
    typealias Part = Conversation.Part

    func decodeRequest(_ body: JSONValue, into result: inout DecodedExchange) {
        result.requestModel = body["model"]?.nonEmptyString
        result.requestedStream = body["stream"]?.bool
        var conversation = result.conversation
        conversation.messages = body["messages"].arrayOrEmpty.compactMap(Self.message)
        conversation.liftLeadingSystemMessages()
        conversation.tools = (body["tools"].arrayOrEmpty + body["functions"].arrayOrEmpty)
            .compactMap(ConversationBuilding.openAITool)
        conversation.parameters = ConversationBuilding.parameters(
            of: body, excluding: ["model", "messages", "tools", "functions"])
        result.conversation = conversation
    }

    func decodeResponse(_ body: JSONValue, into result: inout DecodedExchange) {
        result.responseModel = body["model"]?.nonEmptyString
        result.responseID = body["id"]?.nonEmptyString
        let choices = Self.sortedChoices(body["choices"].arrayOrEmpty)
        result.conversation.output = choices.compactMap { choice in
            guard let message = choice["message"] else { return nil }
            return Self.message(message, defaultRole: "assistant")
        }
        result.conversation.finishReason = choices.first?["finish_reason"]?.nonEmptyString
        if let usage = OpenAIUsage.parse(body["usage"]) { result.conversation.usage = usage }
    }

    func decodeStream(_ events: [StreamEvent], into result: inout DecodedExchange) {
        OpenAIChatStreamAssembler.assemble(events, into: &result)
    }

    static func sortedChoices(_ choices: [JSONValue]) -> [JSONValue] {
        choices.enumerated()
            .sorted { ($0.element["index"]?.int ?? $0.offset, $0.offset) < ($1.element["index"]?.int ?? $1.offset, $1.offset) }
            .map(\.element)
    }

    /// Part order is reasoning, content, refusal, tool calls: the order a stream produces them in, so
    /// streamed and non-streamed answers decode alike.
    static func message(_ json: JSONValue) -> Conversation.Message? {
        message(json, defaultRole: nil)
    }

    static func message(_ json: JSONValue, defaultRole: String?) -> Conversation.Message? {
        guard let role = json["role"]?.nonEmptyString ?? defaultRole else { return nil }
        var parts: [Part] = []
        // `reasoning_content` is DeepSeek's and vLLM's spelling, `reasoning` OpenRouter's.
        if let reasoning = (json["reasoning_content"] ?? json["reasoning"])?.nonEmptyString {
            parts.append(Part(type: "reasoning", text: reasoning))
        }
        parts += OpenAIContentParts.parts(json["content"])
        if let refusal = json["refusal"]?.nonEmptyString {
            parts.append(Part(type: "refusal", text: refusal))
        }
        for call in json["tool_calls"].arrayOrEmpty {
            let function = call["function"]
            parts.append(Part(type: "tool_call", id: call["id"]?.string, name: function?["name"]?.string,
                              arguments: Self.arguments(function?["arguments"])))
        }
        if let legacy = json["function_call"], let name = legacy["name"]?.string {
            parts.append(Part(type: "tool_call", name: name, arguments: Self.arguments(legacy["arguments"])))
        }
        if role == "tool" || role == "function" {
            let result = Part(type: "tool_result", text: ConversationBuilding.text(of: parts),
                              id: json["tool_call_id"]?.string, name: json["name"]?.string)
            return Conversation.Message(role: "tool", parts: [result])
        }
        return Conversation.Message(role: role, parts: parts)
    }

    /// Arguments are a JSON string on the wire; some compatible servers send the object itself.
    static func arguments(_ json: JSONValue?) -> String? {
        guard let json, !json.isNull else { return nil }
        return json.string ?? json.jsonText
    }
}
