/// The names Sightline's spans and metrics use, from the OpenTelemetry GenAI semantic conventions: the
/// registry as of semantic-conventions v1.41 (the GenAI part has since moved to the
/// `semantic-conventions-genai` repository), i.e. the v1.37+ shape — `gen_ai.provider.name` instead of
/// `gen_ai.system`, messages as one JSON attribute instead of indexed `gen_ai.prompt.N.*`. Checked against
/// the names swift-otel-semantic-conventions 1.44.0 generates. Kept here, in one place, so that a rename
/// in a later version is one edit.
enum GenAI {
    enum Attribute {
        static let operationName = "gen_ai.operation.name"
        static let providerName = "gen_ai.provider.name"
        static let conversationID = "gen_ai.conversation.id"
        static let requestModel = "gen_ai.request.model"
        static let requestStream = "gen_ai.request.stream"
        static let requestTemperature = "gen_ai.request.temperature"
        static let requestMaxTokens = "gen_ai.request.max_tokens"
        static let requestTopP = "gen_ai.request.top_p"
        static let requestTopK = "gen_ai.request.top_k"
        static let requestFrequencyPenalty = "gen_ai.request.frequency_penalty"
        static let requestPresencePenalty = "gen_ai.request.presence_penalty"
        static let requestStopSequences = "gen_ai.request.stop_sequences"
        static let requestSeed = "gen_ai.request.seed"
        static let requestChoiceCount = "gen_ai.request.choice.count"
        static let responseModel = "gen_ai.response.model"
        static let responseID = "gen_ai.response.id"
        static let responseFinishReasons = "gen_ai.response.finish_reasons"
        static let responseTimeToFirstChunk = "gen_ai.response.time_to_first_chunk"
        static let usageInputTokens = "gen_ai.usage.input_tokens"
        static let usageOutputTokens = "gen_ai.usage.output_tokens"
        static let usageCacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens"
        static let usageCacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens"
        static let usageReasoningOutputTokens = "gen_ai.usage.reasoning.output_tokens"
        static let tokenType = "gen_ai.token.type"
        // Content: only with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true.
        static let inputMessages = "gen_ai.input.messages"
        static let outputMessages = "gen_ai.output.messages"
        static let systemInstructions = "gen_ai.system_instructions"
        static let toolDefinitions = "gen_ai.tool.definitions"
        // General conventions the GenAI spans use.
        static let serverAddress = "server.address"
        static let serverPort = "server.port"
        static let httpResponseStatusCode = "http.response.status_code"
        static let errorType = "error.type"
    }

    enum Metric {
        static let tokenUsage = "gen_ai.client.token.usage"
        static let operationDuration = "gen_ai.client.operation.duration"
        static let timeToFirstChunk = "gen_ai.client.operation.time_to_first_chunk"
        /// The bucket boundaries the conventions advise for each histogram.
        static let tokenBuckets: [Double] = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
                                             16777216, 67108864]
        static let secondsBuckets: [Double] = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48,
                                               40.96, 81.92]
    }

    /// `gen_ai.operation.name` for each endpoint Sightline's analyzer names (nil: not a model call, e.g. token counting).
    static func operation(endpoint: String?) -> String? {
        switch endpoint {
        case "chat.completions", "chat", "responses", "messages", "realtime", "ollama.chat": "chat"
        case "converse", "converse-stream", "invoke", "invoke-with-response-stream": "chat"
        case "generateContent", "streamGenerateContent", "live": "generate_content"
        case "completions", "ollama.generate": "text_completion"
        case "embeddings", "embedContent", "batchEmbedContents", "ollama.embed", "ollama.embeddings": "embeddings"
        default: nil
        }
    }

    /// `gen_ai.provider.name`: the conventions' well-known value where there is one, else Sightline's own name.
    static func providerName(_ provider: String) -> String {
        switch provider {
        case "gemini": "gcp.gemini"
        case "vertex": "gcp.vertex_ai"
        case "azure-openai": "azure.ai.openai"
        case "bedrock": "aws.bedrock"
        case "mistral": "mistral_ai"
        case "xai": "x_ai"
        default: provider
        }
    }
}

/// Sightline's own span attributes, beside the conventions'.
enum SightlineAttribute {
    static let flowID = "sightline.flow.id"
    static let flowURL = "sightline.flow.url"
    static let mode = "sightline.mode"
    static let endpoint = "sightline.endpoint"
    static let costUSD = "sightline.cost_usd"
    static let ttftMs = "sightline.ttft_ms"
    static let cache = "sightline.cache"
    static let attempts = "sightline.gateway.attempts"
    static let retries = "sightline.gateway.retries"
    static let truncated = "sightline.truncated"
    static let sessionPath = "sightline.session.path"
    static let userID = "sightline.user.id"
    static let webSocketMessages = "sightline.websocket.messages"
}
