import Foundation
import SightlineCore

// The contract between understanding (this target) and recording (SightlineStore).
// Values only: bytes in, values out, no I/O.

/// One exchange as the recorder hands it to the analyzer: bodies already decompressed, SSE events (and
/// AWS event stream frames) already timed. Secrets may still be present; the analyzer must not copy header values into output.
public struct LLMExchange: Sendable {
    public var method: String
    /// Absolute URL as the client asked for it (`https://api.openai.com/v1/chat/completions`).
    public var url: String
    public var requestHeaders: [HeaderField]
    public var requestBody: [UInt8]
    public var status: Int?
    public var responseHeaders: [HeaderField]
    public var responseBody: [UInt8]
    /// Parsed SSE events (or AWS event stream messages) with arrival times (ms since the flow started); empty
    /// when the response was neither.
    public var events: [TimedSSEEvent]
    /// Milliseconds since the flow started.
    public var requestSentMs: Double?
    public var firstByteMs: Double?
    public var lastByteMs: Double?

    public init(method: String, url: String, requestHeaders: [HeaderField], requestBody: [UInt8], status: Int?,
                responseHeaders: [HeaderField], responseBody: [UInt8], events: [TimedSSEEvent],
                requestSentMs: Double?, firstByteMs: Double?, lastByteMs: Double?) {
        self.method = method
        self.url = url
        self.requestHeaders = requestHeaders
        self.requestBody = requestBody
        self.status = status
        self.responseHeaders = responseHeaders
        self.responseBody = responseBody
        self.events = events
        self.requestSentMs = requestSentMs
        self.firstByteMs = firstByteMs
        self.lastByteMs = lastByteMs
    }
}

/// One server-sent event with the time its last byte arrived. Encodes as `{"t_ms","event","data","id"}`.
public struct TimedSSEEvent: Sendable, Hashable, Codable {
    public var tMs: Double
    public var event: String?
    public var data: String
    public var id: String?

    public init(tMs: Double, event: String?, data: String, id: String? = nil) {
        self.tMs = tMs
        self.event = event
        self.data = data
        self.id = id
    }

    enum CodingKeys: String, CodingKey {
        case tMs = "t_ms", event, data, id
    }
}

/// Token counts as the provider reported them (nil when it did not say).
public struct LLMUsage: Sendable, Hashable, Codable {
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var cachedInputTokens: Int?
    public var cacheWriteTokens: Int?
    public var reasoningTokens: Int?

    public init(inputTokens: Int? = nil, outputTokens: Int? = nil, cachedInputTokens: Int? = nil,
                cacheWriteTokens: Int? = nil, reasoningTokens: Int? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.reasoningTokens = reasoningTokens
    }

    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens", outputTokens = "output_tokens", cachedInputTokens = "cached_input_tokens"
        case cacheWriteTokens = "cache_write_tokens", reasoningTokens = "reasoning_tokens"
    }
}

/// What an LLM call meant. `conversation` is the common model every wire format decodes into.
public struct LLMAnalysis: Sendable, Codable, Hashable {
    /// `openai`, `azure-openai`, `anthropic`, `gemini`, `vertex`, `mistral`, `groq`, `together`,
    /// `openrouter`, `deepseek`, `xai`, `fireworks`, `cohere`, `bedrock`, `ollama`, `openai-compatible`; `mcp` for the
    /// Model Context Protocol over streamable HTTP (not an LLM call: no model, tokens or cost).
    public var provider: String
    /// `chat.completions`, `responses`, `embeddings`, `messages`, `messages.count_tokens`,
    /// `generateContent`, `streamGenerateContent`, `embedContent`, `ollama.chat`, `ollama.generate`, `chat` (Cohere),
    /// `converse`, `converse-stream`, `invoke`, `invoke-with-response-stream` (Bedrock), …; for `mcp` the JSON-RPC
    /// method (`initialize`, `tools/call`, …), `batch`, `response`, `session.stream`, `session.delete`.
    public var endpoint: String?
    /// The first known of the response's, the request's and the URL's model names.
    public var model: String?
    /// The model as the request named it (body or URL), and as the provider said it answered.
    public var requestModel: String?
    public var responseModel: String?
    /// The provider's id for the response (`chatcmpl-…`, `msg_…`, `resp_…`), when it sent one.
    public var responseID: String?
    /// The earlier response this request continues on the provider's side (Responses API `previous_response_id`).
    public var previousResponseID: String?
    /// How the recorder threads this call into its conversation (see `ThreadKeys`); nil for calls that hold none.
    /// Made from the whole conversation, so it survives `Sightline-Omit-*`: keys are hashes.
    public var threadKeys: ThreadKeys?
    public var stream: Bool
    public var usage: LLMUsage
    /// nil when the model's price is unknown; never 0 for an unknown model.
    public var costUSD: Decimal?
    public var ttftMs: Double?
    public var tokensPerSecond: Double?
    public var finishReason: String?
    public var toolCallCount: Int
    /// The stream ended without the provider's final event.
    public var truncated: Bool
    public var conversation: Conversation
    /// Prompt and output text, for the full-text index.
    public var searchText: String

    public init(provider: String, endpoint: String?, model: String?, stream: Bool, usage: LLMUsage, costUSD: Decimal?,
                ttftMs: Double?, tokensPerSecond: Double?, finishReason: String?, toolCallCount: Int, truncated: Bool,
                conversation: Conversation, searchText: String, requestModel: String? = nil, responseModel: String? = nil,
                responseID: String? = nil, previousResponseID: String? = nil) {
        self.provider = provider
        self.endpoint = endpoint
        self.model = model
        self.requestModel = requestModel
        self.responseModel = responseModel
        self.responseID = responseID
        self.previousResponseID = previousResponseID
        self.stream = stream
        self.usage = usage
        self.costUSD = costUSD
        self.ttftMs = ttftMs
        self.tokensPerSecond = tokensPerSecond
        self.finishReason = finishReason
        self.toolCallCount = toolCallCount
        self.truncated = truncated
        self.conversation = conversation
        self.searchText = searchText
    }
}

/// The common conversation model (SPEC §5.1 `conversation`).
public struct Conversation: Sendable, Codable, Hashable {
    public var system: String?
    public var messages: [Message]
    public var tools: [Tool]
    public var parameters: [String: JSONValue]
    public var output: [Message]
    public var finishReason: String?
    public var usage: LLMUsage
    /// A provider error body decoded into something readable (`rate_limit_exceeded: …`).
    public var error: String?

    public init(system: String? = nil, messages: [Message] = [], tools: [Tool] = [], parameters: [String: JSONValue] = [:],
                output: [Message] = [], finishReason: String? = nil, usage: LLMUsage = LLMUsage(), error: String? = nil) {
        self.system = system
        self.messages = messages
        self.tools = tools
        self.parameters = parameters
        self.output = output
        self.finishReason = finishReason
        self.usage = usage
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case system, messages, tools, parameters, output, usage, error
        case finishReason = "finish_reason"
    }

    public struct Message: Sendable, Codable, Hashable {
        /// `system`, `developer`, `user`, `assistant`, `tool`.
        public var role: String
        public var parts: [Part]
        public init(role: String, parts: [Part]) {
            self.role = role
            self.parts = parts
        }
    }

    /// One piece of a message. `type` says which fields are set:
    /// `text` (text), `image` (url or media_type), `audio` (media_type; in a live session also the transcript as
    /// text and, where the format says it, duration_ms), `tool_call` (id, name, arguments),
    /// `tool_result` (id, text, is_error), `refusal` (text), `reasoning` (text), `file` (name, url or media_type).
    /// Gemini has no call ids: its `tool_call`/`tool_result` parts link by `name`. A `reasoning` part without
    /// text marks reasoning the provider returned encrypted (Anthropic's redacted thinking).
    public struct Part: Sendable, Codable, Hashable {
        public var type: String
        public var text: String?
        public var id: String?
        public var name: String?
        public var arguments: String?
        public var url: String?
        public var mediaType: String?
        public var isError: Bool?
        /// How long an audio part plays, when its encoding says (PCM with a known rate).
        public var durationMs: Double?

        public init(type: String, text: String? = nil, id: String? = nil, name: String? = nil, arguments: String? = nil,
                    url: String? = nil, mediaType: String? = nil, isError: Bool? = nil, durationMs: Double? = nil) {
            self.type = type
            self.text = text
            self.id = id
            self.name = name
            self.arguments = arguments
            self.url = url
            self.mediaType = mediaType
            self.isError = isError
            self.durationMs = durationMs
        }

        public static func text(_ text: String) -> Part { Part(type: "text", text: text) }

        enum CodingKeys: String, CodingKey {
            case type, text, id, name, arguments, url
            case mediaType = "media_type", isError = "is_error", durationMs = "duration_ms"
        }
    }

    public struct Tool: Sendable, Codable, Hashable {
        public var name: String
        public var description: String?
        public var schema: JSONValue?
        public init(name: String, description: String? = nil, schema: JSONValue? = nil) {
            self.name = name
            self.description = description
            self.schema = schema
        }
    }
}

extension LLMUsage {
    /// Adds a later turn's counts (a WebSocket session reports usage per response); unknown stays unknown.
    mutating func add(_ other: LLMUsage) {
        func sum(_ current: Int?, _ value: Int?) -> Int? { value.map { $0 + (current ?? 0) } ?? current }
        inputTokens = sum(inputTokens, other.inputTokens)
        outputTokens = sum(outputTokens, other.outputTokens)
        cachedInputTokens = sum(cachedInputTokens, other.cachedInputTokens)
        cacheWriteTokens = sum(cacheWriteTokens, other.cacheWriteTokens)
        reasoningTokens = sum(reasoningTokens, other.reasoningTokens)
    }
}
