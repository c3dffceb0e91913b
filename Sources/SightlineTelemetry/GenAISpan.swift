import Foundation
import SightlineCore
import SightlineLLM
import SightlineStore

/// What one recorded LLM call becomes in a trace: a CLIENT span named `{operation} {model}`, timed as the
/// flow was, with the GenAI conventions' attributes. A plain value (made by `init?(record:options:)`),
/// handed to the tracer by `GenAIExporter`.
struct GenAISpan: Sendable, Hashable {
    var name: String
    /// Nanoseconds since the Unix epoch.
    var startNanos: UInt64
    var endNanos: UInt64
    var attributes: [String: AttributeValue]
    /// The span this one is a child of, as W3C Trace Context headers: the app's own `traceparent`, or one
    /// derived from the session id so that a session's calls share a trace.
    var parent: TraceParent?
    /// Set when the call failed: the span's status is ERROR with this description.
    var failure: String?

    struct Options: Sendable, Hashable {
        /// `gen_ai.input.messages` and the other content attributes are exported (the conventions' opt-in).
        var captureContent = false
        /// The web UI's address, for a link to the flow (`sightline.flow.url`); nil without a UI.
        var uiBaseURL: String?
    }

    /// nil for a flow that is not an LLM call Sightline understood (or not one the conventions name, such as
    /// token counting), and for a WebSocket session still open: it becomes a span when it ends.
    init?(record: FlowRecord, options: Options) {
        let summary = record.summary
        guard let provider = summary.provider, let operation = GenAI.operation(endpoint: summary.endpoint) else { return nil }
        if summary.websocket?.open == true { return nil }
        let analysis = record.analysis
        let requestModel = analysis?.requestModel ?? summary.model
        name = requestModel.map { "\(operation) \($0)" } ?? operation

        startNanos = Self.nanos(summary.startedAt)
        let lastMs = summary.durationMs ?? record.detail.timings.lastByteMs ?? summary.ttfbMs ?? 0
        endNanos = startNanos + UInt64(max(0, lastMs) * 1_000_000)

        var attributes: [String: AttributeValue] = [
            GenAI.Attribute.operationName: .string(operation),
            GenAI.Attribute.providerName: .string(GenAI.providerName(provider)),
            GenAI.Attribute.requestStream: .bool(summary.stream),
            SightlineAttribute.flowID: .string(summary.id.description),
            SightlineAttribute.mode: .string(summary.mode.rawValue),
        ]
        func set(_ key: String, _ value: AttributeValue?) { if let value { attributes[key] = value } }
        set(GenAI.Attribute.requestModel, requestModel.map(AttributeValue.string))
        set(GenAI.Attribute.responseModel, analysis?.responseModel.map(AttributeValue.string))
        set(GenAI.Attribute.responseID, analysis?.responseID.map(AttributeValue.string))
        set(GenAI.Attribute.responseFinishReasons, summary.finishReason.map { .strings([$0]) })
        set(GenAI.Attribute.usageInputTokens, summary.inputTokens.map(AttributeValue.int))
        set(GenAI.Attribute.usageOutputTokens, summary.outputTokens.map(AttributeValue.int))
        set(GenAI.Attribute.usageCacheReadInputTokens, summary.cachedInputTokens.map(AttributeValue.int))
        set(GenAI.Attribute.usageCacheCreationInputTokens, analysis?.usage.cacheWriteTokens.map(AttributeValue.int))
        set(GenAI.Attribute.usageReasoningOutputTokens, summary.reasoningTokens.map(AttributeValue.int))
        set(GenAI.Attribute.conversationID, summary.sessionID.map(AttributeValue.string))
        if summary.stream, let ttft = summary.ttftMs {
            attributes[GenAI.Attribute.responseTimeToFirstChunk] = .double(ttft / 1000)
            attributes[SightlineAttribute.ttftMs] = .double(ttft)
        }
        for (key, value) in Self.requestParameters(record.detail.conversation?.parameters ?? [:]) { attributes[key] = value }

        // The provider's URL as the app addressed it, not where `--map-remote` sent it.
        if let server = ServerAddress(url: summary.url) {
            attributes[GenAI.Attribute.serverAddress] = .string(server.host)
            set(GenAI.Attribute.serverPort, server.port.map(AttributeValue.int))
        }
        set(GenAI.Attribute.httpResponseStatusCode, summary.status.map(AttributeValue.int))

        set(SightlineAttribute.endpoint, summary.endpoint.map(AttributeValue.string))
        set(SightlineAttribute.costUSD, summary.costUSD.map { .double(NSDecimalNumber(decimal: $0).doubleValue) })
        set(SightlineAttribute.sessionPath, summary.sessionPath.map(AttributeValue.string))
        set(SightlineAttribute.userID, summary.userID.map(AttributeValue.string))
        set(SightlineAttribute.webSocketMessages, summary.websocket.map { .int($0.messages) })
        if summary.truncated { attributes[SightlineAttribute.truncated] = .bool(true) }
        if let gateway = summary.gateway {
            set(SightlineAttribute.cache, gateway.cache.map(AttributeValue.string))
            if !gateway.attempts.isEmpty {
                attributes[SightlineAttribute.attempts] = .int(gateway.attempts.count)
                attributes[SightlineAttribute.retries] = .int(gateway.attempts.count - 1)
            }
        }
        if let base = options.uiBaseURL {
            attributes[SightlineAttribute.flowURL] = .string("\(base)/#/flows/\(summary.id)")
        }

        failure = Self.failure(summary, conversation: record.detail.conversation)
        if failure != nil {
            attributes[GenAI.Attribute.errorType] = .string(Self.errorType(summary))
        }

        if options.captureContent, let conversation = record.detail.conversation {
            for (key, json) in GenAIContent.attributes(of: conversation) { attributes[key] = .string(json) }
        }
        self.attributes = attributes
        parent = TraceParent(headers: record.detail.request.headers) ?? summary.sessionID.map(TraceParent.forSession)
    }

    /// `error.type`: the HTTP status for a provider's error answer (as the HTTP conventions do), else what
    /// went wrong in Sightline's words (`upstream_timeout`, `client_gone`, …), else `_OTHER`.
    static func errorType(_ summary: FlowSummary) -> String {
        if let status = summary.status, status >= 400 { return String(status) }
        return summary.errorKind?.rawValue ?? "_OTHER"
    }

    private static func failure(_ summary: FlowSummary, conversation: Conversation?) -> String? {
        if let status = summary.status, status >= 400 {
            return conversation?.error ?? "HTTP \(status)"
        }
        // SDKs stop reading at a stream's final event and hang up before the provider's last bytes: the call
        // succeeded for the app (the analyzer saw the whole stream), so it is no failure in its trace.
        if summary.errorKind == .clientGone, summary.status != nil, summary.stream, !summary.truncated { return nil }
        return summary.error
    }

    static func nanos(_ date: Date) -> UInt64 {
        UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded())) * 1_000_000
    }

    /// The request parameters the conventions name, from each wire format's own spelling.
    static func requestParameters(_ parameters: [String: JSONValue]) -> [String: AttributeValue] {
        var out: [String: AttributeValue] = [:]
        func first(_ keys: String...) -> JSONValue? { keys.lazy.compactMap { parameters[$0] }.first }
        if let value = first("temperature")?.double { out[GenAI.Attribute.requestTemperature] = .double(value) }
        if let value = first("top_p", "topP")?.double { out[GenAI.Attribute.requestTopP] = .double(value) }
        if let value = first("top_k", "topK")?.double { out[GenAI.Attribute.requestTopK] = .double(value) }
        if let value = first("frequency_penalty", "frequencyPenalty")?.double {
            out[GenAI.Attribute.requestFrequencyPenalty] = .double(value)
        }
        if let value = first("presence_penalty", "presencePenalty")?.double {
            out[GenAI.Attribute.requestPresencePenalty] = .double(value)
        }
        // `maxTokens`: Bedrock Converse's inferenceConfig, which the decoder lifts into the parameters.
        if let value = first("max_tokens", "max_completion_tokens", "max_output_tokens", "maxOutputTokens", "maxTokens",
                             "num_predict")?.int {
            out[GenAI.Attribute.requestMaxTokens] = .int(value)
        }
        if let value = first("seed")?.int { out[GenAI.Attribute.requestSeed] = .int(value) }
        if let value = first("n", "candidateCount")?.int, value != 1 { out[GenAI.Attribute.requestChoiceCount] = .int(value) }
        switch first("stop", "stop_sequences", "stopSequences") {
        case .string(let stop)?: out[GenAI.Attribute.requestStopSequences] = .strings([stop])
        case .array(let stops)?: out[GenAI.Attribute.requestStopSequences] = .strings(stops.compactMap(\.string))
        default: break
        }
        return out
    }
}

/// `server.address` and `server.port` of the host the call went to.
struct ServerAddress: Hashable {
    var host: String
    var port: Int?

    init?(url: String) {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else { return nil }
        self.host = host
        switch (components.port, components.scheme) {
        case (let port?, _): self.port = port
        case (nil, "https"?): self.port = 443
        case (nil, "http"?): self.port = 80
        default: self.port = nil
        }
    }
}
