import SightlineCore
/// `embedContent` and `batchEmbedContents`: the texts embedded, as one user message.
struct GeminiEmbedDecoder: WireFormatDecoder {
    func decodeRequest(_ body: JSONValue, into result: inout DecodedExchange) {
        result.requestModel = body["model"]?.nonEmptyString
        let contents = body["requests"]?.array.map { $0.compactMap { $0["content"] } } ?? [body["content"]].compactMap { $0 }
        let parts = contents.flatMap { GeminiParts.parts($0) }
        if !parts.isEmpty { result.conversation.messages = [Conversation.Message(role: "user", parts: parts)] }
        var parameters = ConversationBuilding.parameters(of: body, excluding: ["model", "content", "requests"])
        parameters["input_count"] = .number(Double(contents.count))
        result.conversation.parameters = parameters
    }

    func decodeResponse(_ body: JSONValue, into result: inout DecodedExchange) {
        if let usage = GeminiParts.usage(body.field("usageMetadata")) { result.conversation.usage = usage }
    }
}
