/// The provider each known API host belongs to, and the gateway path prefixes (GATEWAY.md "Target").
enum KnownHosts {
    static func provider(forHost host: String) -> String? {
        switch host {
        case "api.openai.com": return "openai"
        case "api.anthropic.com": return "anthropic"
        case "generativelanguage.googleapis.com": return "gemini"
        case "aiplatform.googleapis.com": return "vertex"
        case "api.mistral.ai", "codestral.mistral.ai": return "mistral"
        case "api.groq.com": return "groq"
        case "api.together.xyz", "api.together.ai": return "together"
        case "openrouter.ai": return "openrouter"
        case "api.deepseek.com": return "deepseek"
        case "api.x.ai": return "xai"
        case "api.fireworks.ai": return "fireworks"
        case "api.cohere.com", "api.cohere.ai": return "cohere"
        case "oai.helicone.ai": return "openai"
        case "anthropic.helicone.ai": return "anthropic"
        case "gemini.helicone.ai": return "gemini"
        default: break
        }
        if host.hasSuffix(".openai.azure.com") || host.hasSuffix(".cognitiveservices.azure.com")
            || host.hasSuffix(".services.ai.azure.com") {
            return "azure-openai"
        }
        if host.hasSuffix("-aiplatform.googleapis.com") { return "vertex" }
        // `bedrock-runtime.us-east-1.amazonaws.com`, `bedrock-runtime-fips.…`, and VPC endpoints
        // (`vpce-….bedrock-runtime.us-east-1.vpce.amazonaws.com`).
        if host.hasSuffix(".amazonaws.com"), host.hasPrefix("bedrock-runtime") || host.contains(".bedrock-runtime.") {
            return "bedrock"
        }
        return nil
    }

    /// Gateway path prefix → provider. Only consulted for hosts that are not provider hosts, because
    /// `/openai/…` is a real path on Groq and Azure.
    static let gatewayPrefixes: [(prefix: String, provider: String)] = [
        ("/openai/", "openai"), ("/anthropic/", "anthropic"), ("/gemini/", "gemini"),
        ("/groq/", "groq"), ("/mistral/", "mistral"), ("/openrouter/", "openrouter"),
        ("/deepseek/", "deepseek"), ("/xai/", "xai"), ("/together/", "together"), ("/fireworks/", "fireworks"),
    ]
}
