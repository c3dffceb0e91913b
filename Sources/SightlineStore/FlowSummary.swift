import Foundation
import SightlineCore

/// One row of the flow list: the stable summary of SPEC §5.1, plus a few extras.
/// Encodes with the exact snake_case keys of the spec and explicit nulls.
public struct FlowSummary: Sendable, Hashable {
    public var id: FlowID
    public var startedAt: Date
    public var method: String
    /// Redacted (`key=` query values hidden).
    public var url: String
    public var host: String
    public var status: Int?
    /// What went wrong, for a person to read.
    public var error: String?
    /// The same as a stable word, for code to count and filter by; nil for flows recorded before it was kept.
    public var errorKind: FlowErrorKind?
    public var mode: FlowMode
    public var durationMs: Double?
    public var ttfbMs: Double?
    /// True body sizes as they went over the wire, whatever was kept.
    public var requestBytes: Int
    public var responseBytes: Int
    public var provider: String?
    public var endpoint: String?
    public var model: String?
    public var stream: Bool
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var cachedInputTokens: Int?
    public var reasoningTokens: Int?
    /// nil when the price is unknown (never 0 for an unknown model).
    public var costUSD: Decimal?
    public var ttftMs: Double?
    public var sessionID: String?
    public var userID: String?
    public var properties: [String: String]
    // Extras beyond §5.1.
    public var finishReason: String?
    public var toolCallCount: Int?
    /// The provider's stream ended without its final event.
    public var truncated: Bool
    public var tokensPerSecond: Double?
    public var sessionPath: String?
    public var sessionName: String?
    public var clientAddress: String?
    /// Where the request really went (redacted), when it differs from `url`.
    public var upstreamURL: String?
    /// What the gateway did (attempts, cache, rate limit, faults); nil when no gateway feature was asked for.
    public var gateway: GatewayRecord?
    /// For a relayed WebSocket session: how many messages passed, and whether it is still open.
    public var websocket: WebSocketSummary?
    /// The Sightline that recorded the flow (`--instance-name`, by default host name and proxy port), so that a
    /// team's shared store says which gateway or container saw each call.
    public var instance: String?
    /// The earlier call this one continues (its input is that call's input and output, it names that call's
    /// response, or both are calls of one MCP session); nil when it starts a conversation.
    public var parentID: FlowID?
    /// Shared by every call of one conversation: the id of its first call. nil for flows that are not calls
    /// holding a conversation (plain HTTP, embeddings, token counts).
    public var threadID: FlowID?

    public init(id: FlowID, startedAt: Date, method: String, url: String, host: String, status: Int? = nil,
                error: String? = nil, errorKind: FlowErrorKind? = nil, mode: FlowMode, durationMs: Double? = nil, ttfbMs: Double? = nil,
                requestBytes: Int = 0, responseBytes: Int = 0, provider: String? = nil, endpoint: String? = nil,
                model: String? = nil, stream: Bool = false, inputTokens: Int? = nil, outputTokens: Int? = nil,
                cachedInputTokens: Int? = nil, reasoningTokens: Int? = nil, costUSD: Decimal? = nil,
                ttftMs: Double? = nil, sessionID: String? = nil, userID: String? = nil,
                properties: [String: String] = [:], finishReason: String? = nil, toolCallCount: Int? = nil,
                truncated: Bool = false, tokensPerSecond: Double? = nil, sessionPath: String? = nil,
                sessionName: String? = nil, clientAddress: String? = nil, upstreamURL: String? = nil,
                gateway: GatewayRecord? = nil, websocket: WebSocketSummary? = nil, instance: String? = nil,
                parentID: FlowID? = nil, threadID: FlowID? = nil) {
        self.id = id
        self.startedAt = startedAt
        self.method = method
        self.url = url
        self.host = host
        self.status = status
        self.error = error
        self.errorKind = errorKind
        self.mode = mode
        self.durationMs = durationMs
        self.ttfbMs = ttfbMs
        self.requestBytes = requestBytes
        self.responseBytes = responseBytes
        self.provider = provider
        self.endpoint = endpoint
        self.model = model
        self.stream = stream
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.reasoningTokens = reasoningTokens
        self.costUSD = costUSD
        self.ttftMs = ttftMs
        self.sessionID = sessionID
        self.userID = userID
        self.properties = properties
        self.finishReason = finishReason
        self.toolCallCount = toolCallCount
        self.truncated = truncated
        self.tokensPerSecond = tokensPerSecond
        self.sessionPath = sessionPath
        self.sessionName = sessionName
        self.clientAddress = clientAddress
        self.upstreamURL = upstreamURL
        self.gateway = gateway
        self.websocket = websocket
        self.instance = instance
        self.parentID = parentID
        self.threadID = threadID
    }
}

extension FlowSummary: Codable {
    /// The §5.1 keys come first; scripts rely on these names, so they never change.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, startedAt = "started_at", method, url, host, status, error, mode
        case durationMs = "duration_ms", ttfbMs = "ttfb_ms", requestBytes = "request_bytes"
        case responseBytes = "response_bytes", provider, endpoint, model, stream
        case inputTokens = "input_tokens", outputTokens = "output_tokens"
        case cachedInputTokens = "cached_input_tokens", reasoningTokens = "reasoning_tokens"
        case costUSD = "cost_usd", ttftMs = "ttft_ms", sessionID = "session_id", userID = "user_id", properties
        case finishReason = "finish_reason", toolCallCount = "tool_call_count", truncated
        case tokensPerSecond = "tokens_per_second", sessionPath = "session_path", sessionName = "session_name"
        case clientAddress = "client_address", upstreamURL = "upstream_url", gateway, errorKind = "error_kind"
        case websocket, instance, replayOf = "replay_of", parentID = "parent_id", threadID = "thread_id"
    }

    /// The flow this one replays (`sightline replay`, the UI's replay), from the `Replay-Of` property the replay sets.
    public var replayOf: FlowID? {
        properties.first { $0.key.lowercased() == "replay-of" }.flatMap { FlowID($0.value) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(FlowID.self, forKey: .id)
        let started = try c.decode(String.self, forKey: .startedAt)
        guard let date = RFC3339.date(from: started) else {
            throw DecodingError.dataCorruptedError(forKey: .startedAt, in: c, debugDescription: "not RFC 3339: \(started)")
        }
        startedAt = date
        method = try c.decode(String.self, forKey: .method)
        url = try c.decode(String.self, forKey: .url)
        host = try c.decode(String.self, forKey: .host)
        status = try c.decodeIfPresent(Int.self, forKey: .status)
        error = try c.decodeIfPresent(String.self, forKey: .error)
        // A word a newer Sightline added reads as nil rather than failing the whole summary.
        errorKind = try c.decodeIfPresent(String.self, forKey: .errorKind).flatMap(FlowErrorKind.init(rawValue:))
        mode = try c.decode(FlowMode.self, forKey: .mode)
        durationMs = try c.decodeIfPresent(Double.self, forKey: .durationMs)
        ttfbMs = try c.decodeIfPresent(Double.self, forKey: .ttfbMs)
        requestBytes = try c.decodeIfPresent(Int.self, forKey: .requestBytes) ?? 0
        responseBytes = try c.decodeIfPresent(Int.self, forKey: .responseBytes) ?? 0
        provider = try c.decodeIfPresent(String.self, forKey: .provider)
        endpoint = try c.decodeIfPresent(String.self, forKey: .endpoint)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        stream = try c.decodeIfPresent(Bool.self, forKey: .stream) ?? false
        inputTokens = try c.decodeIfPresent(Int.self, forKey: .inputTokens)
        outputTokens = try c.decodeIfPresent(Int.self, forKey: .outputTokens)
        cachedInputTokens = try c.decodeIfPresent(Int.self, forKey: .cachedInputTokens)
        reasoningTokens = try c.decodeIfPresent(Int.self, forKey: .reasoningTokens)
        costUSD = try c.decodeIfPresent(Decimal.self, forKey: .costUSD)
        ttftMs = try c.decodeIfPresent(Double.self, forKey: .ttftMs)
        sessionID = try c.decodeIfPresent(String.self, forKey: .sessionID)
        userID = try c.decodeIfPresent(String.self, forKey: .userID)
        properties = try c.decodeIfPresent([String: String].self, forKey: .properties) ?? [:]
        finishReason = try c.decodeIfPresent(String.self, forKey: .finishReason)
        toolCallCount = try c.decodeIfPresent(Int.self, forKey: .toolCallCount)
        truncated = try c.decodeIfPresent(Bool.self, forKey: .truncated) ?? false
        tokensPerSecond = try c.decodeIfPresent(Double.self, forKey: .tokensPerSecond)
        sessionPath = try c.decodeIfPresent(String.self, forKey: .sessionPath)
        sessionName = try c.decodeIfPresent(String.self, forKey: .sessionName)
        clientAddress = try c.decodeIfPresent(String.self, forKey: .clientAddress)
        upstreamURL = try c.decodeIfPresent(String.self, forKey: .upstreamURL)
        gateway = try c.decodeIfPresent(GatewayRecord.self, forKey: .gateway)
        websocket = try c.decodeIfPresent(WebSocketSummary.self, forKey: .websocket)
        instance = try c.decodeIfPresent(String.self, forKey: .instance)
        parentID = try c.decodeIfPresent(FlowID.self, forKey: .parentID)
        threadID = try c.decodeIfPresent(FlowID.self, forKey: .threadID)
    }

    /// `encode` rather than `encodeIfPresent`: a missing value is an explicit `null`, because
    /// scripts expect every key to be present.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(RFC3339.string(from: startedAt), forKey: .startedAt)
        try c.encode(method, forKey: .method)
        try c.encode(url, forKey: .url)
        try c.encode(host, forKey: .host)
        try c.encode(status, forKey: .status)
        try c.encode(error, forKey: .error)
        try c.encode(errorKind, forKey: .errorKind)
        try c.encode(mode, forKey: .mode)
        try c.encode(durationMs, forKey: .durationMs)
        try c.encode(ttfbMs, forKey: .ttfbMs)
        try c.encode(requestBytes, forKey: .requestBytes)
        try c.encode(responseBytes, forKey: .responseBytes)
        try c.encode(provider, forKey: .provider)
        try c.encode(endpoint, forKey: .endpoint)
        try c.encode(model, forKey: .model)
        try c.encode(stream, forKey: .stream)
        try c.encode(inputTokens, forKey: .inputTokens)
        try c.encode(outputTokens, forKey: .outputTokens)
        try c.encode(cachedInputTokens, forKey: .cachedInputTokens)
        try c.encode(reasoningTokens, forKey: .reasoningTokens)
        try c.encode(costUSD, forKey: .costUSD)
        try c.encode(ttftMs, forKey: .ttftMs)
        try c.encode(sessionID, forKey: .sessionID)
        try c.encode(userID, forKey: .userID)
        try c.encode(properties, forKey: .properties)
        try c.encode(finishReason, forKey: .finishReason)
        try c.encode(toolCallCount, forKey: .toolCallCount)
        try c.encode(truncated, forKey: .truncated)
        try c.encode(tokensPerSecond, forKey: .tokensPerSecond)
        try c.encode(sessionPath, forKey: .sessionPath)
        try c.encode(sessionName, forKey: .sessionName)
        try c.encode(clientAddress, forKey: .clientAddress)
        try c.encode(upstreamURL, forKey: .upstreamURL)
        try c.encode(gateway, forKey: .gateway)
        try c.encode(websocket, forKey: .websocket)
        try c.encode(instance, forKey: .instance)
        try c.encode(replayOf, forKey: .replayOf)
        try c.encode(parentID, forKey: .parentID)
        try c.encode(threadID, forKey: .threadID)
    }
}
