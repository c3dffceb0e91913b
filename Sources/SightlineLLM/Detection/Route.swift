/// The wire formats Sightline decodes. Several providers share one (every OpenAI-compatible host
/// speaks `openAIChat`).
enum WireFormat: Sendable, Equatable {
    case openAIChat
    case openAICompletions
    case openAIResponses
    case openAIEmbeddings
    case anthropicMessages
    case anthropicCountTokens
    case geminiGenerate
    case geminiEmbed
    case geminiCountTokens
    case ollamaChat
    case ollamaGenerate
    case ollamaEmbed
    case bedrockConverse
    case cohereChat
}

/// What detection found out about a request before looking at its body.
struct Route: Sendable, Equatable {
    var provider: String
    var endpoint: String
    var format: WireFormat
    /// A model named by the URL (Azure deployment, Gemini and Vertex model path).
    var modelFromPath: String?
    /// The endpoint streams whatever the body says (Gemini `streamGenerateContent`).
    var alwaysStreams = false
    /// The URL's model is the one billed, whatever the body says (Bedrock: the body's `model`, when
    /// there is one, is the vendor's name, not the Bedrock model id the price table knows).
    var modelFromPathFirst = false
}
