import SightlineCore
/// One wire format's reading of request, response and stream into the common model.
protocol WireFormatDecoder: Sendable {
    func decodeRequest(_ body: JSONValue, into result: inout DecodedExchange)
    func decodeResponse(_ body: JSONValue, into result: inout DecodedExchange)
    /// Reassembles a streamed response into what `decodeResponse` would have produced, and sets
    /// `sawFinalEvent` and `firstOutputMs`.
    func decodeStream(_ events: [StreamEvent], into result: inout DecodedExchange)
}

extension WireFormatDecoder {
    /// Formats that do not stream: a stray stream is read as its last complete body.
    func decodeStream(_ events: [StreamEvent], into result: inout DecodedExchange) {
        guard let last = events.last(where: { $0.json != nil })?.json else { return }
        decodeResponse(last, into: &result)
        result.sawFinalEvent = true
    }
}

extension WireFormat {
    var decoder: any WireFormatDecoder {
        switch self {
        case .openAIChat: OpenAIChatDecoder()
        case .openAICompletions: OpenAICompletionsDecoder()
        case .openAIResponses: OpenAIResponsesDecoder()
        case .openAIEmbeddings: OpenAIEmbeddingsDecoder()
        case .anthropicMessages: AnthropicMessagesDecoder()
        case .anthropicCountTokens: AnthropicCountTokensDecoder()
        case .geminiGenerate: GeminiGenerateDecoder()
        case .geminiEmbed: GeminiEmbedDecoder()
        case .geminiCountTokens: GeminiCountTokensDecoder()
        case .ollamaChat: OllamaDecoder(kind: .chat)
        case .ollamaGenerate: OllamaDecoder(kind: .generate)
        case .ollamaEmbed: OllamaDecoder(kind: .embed)
        case .bedrockConverse: BedrockConverseDecoder()
        case .cohereChat: CohereChatDecoder()
        }
    }
}
