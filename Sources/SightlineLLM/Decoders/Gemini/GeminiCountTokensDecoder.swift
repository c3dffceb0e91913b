import SightlineCore
/// `countTokens`: the request's contents, answered by a free token count.
struct GeminiCountTokensDecoder: WireFormatDecoder {
    func decodeRequest(_ body: JSONValue, into result: inout DecodedExchange) {
        GeminiGenerateDecoder().decodeRequest(body.field("generateContentRequest") ?? body, into: &result)
        result.isFreeCount = true
    }

    func decodeResponse(_ body: JSONValue, into result: inout DecodedExchange) {
        result.conversation.usage.inputTokens = body.field("totalTokens")?.int
        result.conversation.usage.cachedInputTokens = body.field("cachedContentTokenCount")?.int
    }
}
