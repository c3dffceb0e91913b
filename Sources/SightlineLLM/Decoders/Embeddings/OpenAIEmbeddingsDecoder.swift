import SightlineCore
/// `/embeddings`: the inputs become one user message (so they are searchable), their count a
/// parameter; the vectors themselves are not part of the conversation.
struct OpenAIEmbeddingsDecoder: WireFormatDecoder {
    func decodeRequest(_ body: JSONValue, into result: inout DecodedExchange) {
        result.requestModel = body["model"]?.nonEmptyString
        let input = body["input"]
        var count = 0
        var texts: [String] = []
        if let text = input?.string {
            count = 1
            texts = [text]
        } else if let items = input?.array {
            // A flat array of numbers is one pre-tokenized input; an array of arrays is many.
            let isTokenList = !items.isEmpty && items.allSatisfy { $0.double != nil }
            count = isTokenList ? 1 : items.count
            texts = items.compactMap(\.string)
        }
        if !texts.isEmpty {
            result.conversation.messages = [Conversation.Message(role: "user", parts: texts.map(Conversation.Part.text))]
        }
        var parameters = ConversationBuilding.parameters(of: body, excluding: ["model", "input"])
        parameters["input_count"] = .number(Double(count))
        result.conversation.parameters = parameters
    }

    func decodeResponse(_ body: JSONValue, into result: inout DecodedExchange) {
        result.responseModel = body["model"]?.nonEmptyString
        if let usage = OpenAIUsage.parse(body["usage"]) { result.conversation.usage = usage }
    }
}
