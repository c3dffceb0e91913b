/// How a wire format's usage numbers map onto what is billed. Providers report tokens differently:
/// OpenAI-style and Gemini prompt counts include cached tokens, Anthropic's `input_tokens` excludes
/// cache reads and writes; Gemini's candidate count excludes thinking tokens, which are billed as output.
struct BillingConvention: Sendable, Equatable {
    var inputIncludesCached: Bool
    var outputIncludesReasoning: Bool

    static let openAI = BillingConvention(inputIncludesCached: true, outputIncludesReasoning: true)
    static let anthropic = BillingConvention(inputIncludesCached: false, outputIncludesReasoning: true)
    static let gemini = BillingConvention(inputIncludesCached: true, outputIncludesReasoning: false)

    /// From the provider name alone, for callers that do not know the wire format.
    static func forProvider(_ provider: String?, model: String) -> BillingConvention {
        switch provider {
        case "anthropic": return .anthropic
        case "bedrock": return .anthropic
        case "gemini": return .gemini
        case "vertex": return model.lowercased().contains("claude") ? .anthropic : .gemini
        default: return .openAI
        }
    }

    static func forFormat(_ format: WireFormat) -> BillingConvention {
        switch format {
        // Bedrock's `inputTokens` excludes cache reads and writes, as Anthropic's does.
        case .anthropicMessages, .anthropicCountTokens, .bedrockConverse: .anthropic
        case .geminiGenerate, .geminiEmbed, .geminiCountTokens: .gemini
        default: .openAI
        }
    }
}
