import SightlineCore
/// `/v1/messages/count_tokens`: the request is a Messages request, the answer a token count.
struct AnthropicCountTokensDecoder: WireFormatDecoder {
    func decodeRequest(_ body: JSONValue, into result: inout DecodedExchange) {
        result.requestModel = body["model"]?.nonEmptyString
        result.conversation = AnthropicMessagesDecoder.requestConversation(body)
        result.isFreeCount = true
    }

    func decodeResponse(_ body: JSONValue, into result: inout DecodedExchange) {
        result.conversation.usage.inputTokens = body["input_tokens"]?.int
    }
}
