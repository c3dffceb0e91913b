import SightlineCore

/// Decides from method, URL and headers alone whether a request is an LLM API call, and which.
enum EndpointDetector {
    static func detect(method: String, url: String, headers: [HeaderField]) -> Route? {
        // Every generation, embedding and counting endpoint is a POST; GETs (model lists, retrieving a
        // stored response) are not calls to a model.
        guard method.caseInsensitiveEquals("POST") else { return nil }

        var parts = URLParts(url)
        // The gateway's target header names the real upstream when the URL is the proxy's own address;
        // the request's path follows the target's base path.
        if let target = headers.first(named: "Sightline-Target-Url") ?? headers.first(named: "Helicone-Target-Url") {
            let targetParts = URLParts(target)
            if !targetParts.host.isEmpty {
                let base = targetParts.path.hasSuffix("/") ? String(targetParts.path.dropLast()) : targetParts.path
                parts = URLParts(host: targetParts.host, path: base + parts.path, query: parts.query)
            }
        }

        var provider = KnownHosts.provider(forHost: parts.host)
        var path = parts.path
        if provider == nil,
           let gateway = KnownHosts.gatewayPrefixes.first(where: { path.hasPrefix($0.prefix) }) {
            provider = gateway.provider
            path = String(path.dropFirst(gateway.prefix.count - 1))
        }
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }

        if let route = modelMethodRoute(path: path, provider: provider) { return route }
        if let route = bedrockRoute(path: path, provider: provider) { return route }
        return suffixRoute(path: path, provider: provider, headers: headers)
    }

    /// Google's `…/models/{model}:{method}` URLs (AI Studio, Vertex, and Claude on Vertex).
    private static func modelMethodRoute(path: String, provider: String?) -> Route? {
        guard let last = path.split(separator: "/").last, let colon = last.lastIndex(of: ":") else { return nil }
        let model = String(last[..<colon])
        let method = String(last[last.index(after: colon)...])
        guard !model.isEmpty else { return nil }
        let google = provider ?? "gemini"
        switch method {
        case "generateContent":
            return Route(provider: google, endpoint: method, format: .geminiGenerate, modelFromPath: model)
        case "streamGenerateContent":
            return Route(provider: google, endpoint: method, format: .geminiGenerate, modelFromPath: model,
                         alwaysStreams: true)
        case "embedContent", "batchEmbedContents":
            return Route(provider: google, endpoint: method, format: .geminiEmbed, modelFromPath: model)
        case "countTokens":
            return Route(provider: google, endpoint: method, format: .geminiCountTokens, modelFromPath: model)
        case "rawPredict", "streamRawPredict":
            // Claude on Vertex: Anthropic's body with the model in the URL (`claude-…@20241022`).
            guard path.contains("/publishers/anthropic/") else { return nil }
            return Route(provider: provider ?? "vertex", endpoint: "messages", format: .anthropicMessages,
                         modelFromPath: model, alwaysStreams: method == "streamRawPredict")
        default:
            return nil
        }
    }

    private static func suffixRoute(path: String, provider: String?, headers: [HeaderField]) -> Route? {
        let compatible = provider ?? "openai-compatible"
        if path.hasSuffix("/chat/completions") {
            return Route(provider: compatible, endpoint: "chat.completions", format: .openAIChat,
                         modelFromPath: azureDeployment(path))
        }
        if path.hasSuffix("/completions") {
            return Route(provider: compatible, endpoint: "completions", format: .openAICompletions,
                         modelFromPath: azureDeployment(path))
        }
        if path.hasSuffix("/responses") {
            return Route(provider: compatible, endpoint: "responses", format: .openAIResponses,
                         modelFromPath: azureDeployment(path))
        }
        if path.hasSuffix("/embeddings") && !path.hasSuffix("/api/embeddings") {
            return Route(provider: compatible, endpoint: "embeddings", format: .openAIEmbeddings,
                         modelFromPath: azureDeployment(path))
        }
        // `/v1/threads/{id}/messages` is OpenAI's Assistants API, so `/messages` alone is not enough.
        let anthropicShaped = provider == "anthropic" || headers.first(named: "anthropic-version") != nil
        if path.hasSuffix("/v1/messages/count_tokens") || (anthropicShaped && path.hasSuffix("/messages/count_tokens")) {
            return Route(provider: provider ?? "anthropic", endpoint: "messages.count_tokens",
                         format: .anthropicCountTokens)
        }
        if path.hasSuffix("/v1/messages") || (anthropicShaped && path.hasSuffix("/messages")) {
            return Route(provider: provider ?? "anthropic", endpoint: "messages", format: .anthropicMessages)
        }
        if path.hasSuffix("/api/chat") {
            return Route(provider: provider ?? "ollama", endpoint: "ollama.chat", format: .ollamaChat)
        }
        if path.hasSuffix("/api/generate") {
            return Route(provider: provider ?? "ollama", endpoint: "ollama.generate", format: .ollamaGenerate)
        }
        if path.hasSuffix("/api/embed") || path.hasSuffix("/api/embeddings") {
            return Route(provider: provider ?? "ollama", endpoint: "ollama.embed", format: .ollamaEmbed)
        }
        if provider == "cohere", path.hasSuffix("/v2/chat") {
            return Route(provider: "cohere", endpoint: "chat", format: .cohereChat)
        }
        if provider == "cohere", path.hasSuffix("/v1/chat") {
            // Cohere's v1 chat (`message`, `chat_history`) is not decoded beyond what the OpenAI reading finds.
            return Route(provider: "cohere", endpoint: "chat", format: .openAIChat)
        }
        return nil
    }

    /// Bedrock Runtime's `/model/{modelId}/{operation}`. The model id may be an ARN whose `/` came
    /// percent-encoded (`…:inference-profile%2Fus.anthropic.claude-…`), so it is everything between
    /// `/model/` and the last `/`. Converse is Bedrock's own format on any host; InvokeModel bodies are the
    /// model vendor's, read as Anthropic Messages for Claude and as Converse for Nova (whose native body
    /// is Converse-shaped); `/model/…/invoke` is a common path elsewhere, so off a Bedrock host (a local
    /// mock, an endpoint URL override) only a Bedrock-shaped model id makes it Bedrock's.
    private static func bedrockRoute(path: String, provider: String?) -> Route? {
        guard let modelStart = path.firstRange(ofASCII: "/model/"), let slash = path.lastIndex(of: "/"),
              slash > modelStart.upperBound else { return nil }
        let model = String(path[modelStart.upperBound..<slash])
        let operation = path[path.index(after: slash)...]
        let bedrock = provider ?? "bedrock"
        switch operation {
        case "converse", "converse-stream":
            return Route(provider: bedrock, endpoint: String(operation), format: .bedrockConverse, modelFromPath: model,
                         alwaysStreams: operation == "converse-stream", modelFromPathFirst: true)
        case "invoke", "invoke-with-response-stream":
            guard provider == "bedrock" || (provider == nil && isBedrockModelID(model)) else { return nil }
            let format: WireFormat = model.lowercased().contains("anthropic.") ? .anthropicMessages : .bedrockConverse
            return Route(provider: bedrock, endpoint: String(operation), format: format, modelFromPath: model,
                         alwaysStreams: operation == "invoke-with-response-stream", modelFromPathFirst: true)
        default:
            return nil
        }
    }

    /// `anthropic.claude-…`, `us.amazon.nova-…` (vendor, optionally after a region word), or a Bedrock ARN.
    private static func isBedrockModelID(_ model: String) -> Bool {
        let id = model.lowercased()
        if id.hasPrefix("arn:aws"), id.contains(":bedrock:") { return true }
        let vendors: Set<Substring> = ["anthropic", "amazon", "meta", "mistral", "cohere", "ai21", "deepseek", "writer", "qwen", "openai"]
        let words = id.split(separator: ".")
        guard words.count >= 2 else { return false }
        return vendors.contains(words[0]) || (words.count >= 3 && vendors.contains(words[1]))
    }

    /// `/openai/deployments/{deployment}/…`: Azure names the model by deployment, not in the body.
    private static func azureDeployment(_ path: String) -> String? {
        let components = path.split(separator: "/")
        guard let i = components.firstIndex(of: "deployments"), i + 1 < components.count else { return nil }
        return String(components[i + 1])
    }
}
