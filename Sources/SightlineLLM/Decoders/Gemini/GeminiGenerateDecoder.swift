import SightlineCore
/// Gemini `generateContent` and `streamGenerateContent`, on AI Studio and Vertex.
struct GeminiGenerateDecoder: WireFormatDecoder {
    private static let conversationKeys: Set<String> = [
        "model", "contents", "systemInstruction", "system_instruction", "tools",
        "generationConfig", "generation_config",
    ]

    func decodeRequest(_ body: JSONValue, into result: inout DecodedExchange) {
        result.requestModel = body["model"]?.nonEmptyString
        var conversation = Conversation()
        if let system = body.field("systemInstruction") {
            conversation.system = system.string ?? ConversationBuilding.text(of: GeminiParts.parts(system))
        }
        conversation.messages = GeminiParts.contents(body["contents"])
        conversation.tools = body["tools"].arrayOrEmpty.flatMap(GeminiParts.tools)
        // Generation settings are flattened so `temperature` reads the same as in other formats.
        var parameters = ConversationBuilding.parameters(of: body, excluding: Self.conversationKeys)
        for (key, value) in body.field("generationConfig")?.object ?? [:] { parameters[key] = value }
        conversation.parameters = parameters
        result.conversation = conversation
    }

    func decodeResponse(_ body: JSONValue, into result: inout DecodedExchange) {
        result.responseModel = body.field("modelVersion")?.nonEmptyString
        result.responseID = body.field("responseId")?.nonEmptyString
        let candidates = OpenAIChatDecoder.sortedChoices(body["candidates"].arrayOrEmpty)
        result.conversation.output = candidates.map { candidate in
            Conversation.Message(role: "assistant", parts: GeminiParts.parts(candidate["content"]))
        }
        result.conversation.finishReason = candidates.first?.field("finishReason")?.nonEmptyString
            ?? body.field("promptFeedback")?.field("blockReason")?.nonEmptyString
        if let usage = GeminiParts.usage(body.field("usageMetadata")) { result.conversation.usage = usage }
    }

    func decodeStream(_ events: [StreamEvent], into result: inout DecodedExchange) {
        GeminiStreamAssembler.assemble(events, into: &result)
    }
}
