import Foundation
import SightlineCore

/// Turns a recorded exchange into what it meant. Returns nil for traffic that is not an LLM API call.
public struct LLMAnalyzer: Sendable {
    public let prices: PriceTable
    private let lookup: PriceLookup

    public init(prices: PriceTable) {
        self.prices = prices
        self.lookup = PriceLookup(table: prices)
    }

    /// Detection looks only at method, URL and headers; then the wire format's decoder reads the
    /// request, and either the provider's error body (4xx/5xx), the stream (timed SSE events, or the
    /// body re-framed as SSE, NDJSON or a JSON array), or the single response body. Every step reads
    /// leniently: what cannot be read stays nil, so a damaged exchange still gives a partial analysis.
    public func analyze(_ exchange: LLMExchange) -> LLMAnalysis? {
        // MCP is known by the shape of its transport, not by its URL (see `MCPTransport`).
        if let mcp = analyzeMCP(exchange) { return mcp }
        guard let route = EndpointDetector.detect(method: exchange.method, url: exchange.url,
                                                  headers: exchange.requestHeaders) else { return nil }
        let decoder = route.format.decoder
        var decoded = DecodedExchange()
        if let request = JSONValue.parse(exchange.requestBody) {
            decoder.decodeRequest(request, into: &decoded)
        }

        let failed = (exchange.status ?? 0) >= 400
        let stream = failed ? nil : ResponseStream.of(exchange, route: route, requestedStream: decoded.requestedStream)
        if failed {
            decoded.conversation.error = ProviderErrorDecoder.describe(body: exchange.responseBody, status: exchange.status)
            // AWS names the error in a header, the body has only `{"message": …}`.
            if route.provider == "bedrock", let kind = BedrockResponseMetadata.errorType(headers: exchange.responseHeaders) {
                decoded.conversation.error = decoded.conversation.error.map { "\(kind): \($0)" } ?? kind
            }
        } else if let stream {
            decoder.decodeStream(stream.events, into: &decoded)
        } else if let response = JSONValue.parse(exchange.responseBody) {
            decoder.decodeResponse(response, into: &decoded)
            decoded.sawFinalEvent = true
            // Some gateways answer 200 with an error body.
            if decoded.conversation.output.isEmpty, response["error"] != nil {
                decoded.noteError(ProviderErrorDecoder.describe(json: response))
            }
        }

        if route.provider == "bedrock", !failed,
           decoded.conversation.usage.inputTokens == nil, decoded.conversation.usage.outputTokens == nil,
           let usage = BedrockResponseMetadata.usage(headers: exchange.responseHeaders, events: stream?.events ?? []) {
            decoded.conversation.usage = usage
        }

        let isStream = stream != nil || route.alwaysStreams || decoded.requestedStream == true
        let truncated = isStream && !failed && !decoded.sawFinalEvent
        let conversation = decoded.conversation
        let usage = conversation.usage

        // Ollama's NDJSON is not timed per line; its first byte is the first output.
        if decoded.firstOutputMs == nil, stream?.timesKnown == false,
           route.format == .ollamaChat || route.format == .ollamaGenerate {
            decoded.firstOutputMs = exchange.firstByteMs
        }
        let timed = stream?.timesKnown == true || decoded.providerGenerationSeconds != nil
        let ttft = isStream && !failed
            ? StreamTiming.timeToFirstToken(firstOutputMs: decoded.firstOutputMs, requestSentMs: exchange.requestSentMs)
            : nil
        let tokensPerSecond = isStream && timed
            ? StreamTiming.tokensPerSecond(outputTokens: usage.outputTokens, firstOutputMs: decoded.firstOutputMs,
                                           lastEventMs: stream?.lastEventMs, providerSeconds: decoded.providerGenerationSeconds)
            : nil

        let models = (route.modelFromPathFirst
            ? [route.modelFromPath, decoded.responseModel, decoded.requestModel]
            : [decoded.responseModel, decoded.requestModel, route.modelFromPath]).compactMap { $0 }
        var analysis = LLMAnalysis(
            provider: route.provider,
            endpoint: route.endpoint,
            model: models.first,
            stream: isStream,
            usage: usage,
            costUSD: cost(models: models, route: route, usage: usage, freeCount: decoded.isFreeCount),
            ttftMs: ttft,
            tokensPerSecond: tokensPerSecond,
            finishReason: conversation.finishReason,
            toolCallCount: conversation.output.reduce(0) { $0 + $1.parts.count { $0.type == "tool_call" } },
            truncated: truncated,
            conversation: conversation,
            searchText: SearchText.of(conversation),
            requestModel: decoded.requestModel ?? route.modelFromPath,
            responseModel: decoded.responseModel,
            responseID: decoded.responseID,
            previousResponseID: decoded.previousResponseID
        )
        analysis.threadKeys = ThreadKeys.of(analysis)
        return analysis
    }

    /// A WebSocket session whose messages Sightline reads: the OpenAI Realtime API (`…/realtime`, on OpenAI
    /// or Azure OpenAI) and the Responses API over WebSocket (`…/responses`, as Codex speaks it, on any host).
    /// nil for any other socket.
    public func analyzeWebSocket(url: String, messages: [WebSocketMessage]) -> LLMAnalysis? {
        let parts = URLParts(url)
        let known = KnownHosts.provider(forHost: parts.host)
        var decoded = DecodedExchange()
        let endpoint: String
        let format: WireFormat
        let requestedAt: Double?
        if parts.path.hasSuffix("/realtime"), known == "openai" || known == "azure-openai" {
            (endpoint, format) = ("realtime", .openAIResponses)
            requestedAt = OpenAIRealtimeDecoder.decode(messages, into: &decoded)
        } else if parts.path.hasSuffix("/responses") {
            (endpoint, format) = ("responses", .openAIResponses)
            requestedAt = OpenAIResponsesSocketDecoder.decode(messages, into: &decoded)
        } else if parts.path.contains("BidiGenerateContent"), known == "gemini" || known == "vertex" {
            (endpoint, format) = ("live", .geminiGenerate)
            requestedAt = GeminiLiveDecoder.decode(messages, into: &decoded)
            // `models/gemini-…` on AI Studio, `projects/…/publishers/google/models/gemini-…` on Vertex.
            decoded.requestModel = decoded.requestModel.map { name in
                name.range(of: "models/", options: .backwards).map { String(name[$0.upperBound...]) } ?? name
            }
        } else {
            return nil
        }
        let provider = known ?? "openai-compatible"
        let route = Route(provider: provider, endpoint: endpoint, format: format,
                          modelFromPath: parts.query["model"] ?? parts.query["deployment"])
        let conversation = decoded.conversation
        let models = [decoded.responseModel, decoded.requestModel, route.modelFromPath].compactMap { $0 }
        var analysis = LLMAnalysis(
            provider: provider,
            endpoint: endpoint,
            model: models.first,
            stream: true,
            usage: conversation.usage,
            costUSD: cost(models: models, route: route, usage: conversation.usage, freeCount: false),
            ttftMs: StreamTiming.timeToFirstToken(firstOutputMs: decoded.firstOutputMs, requestSentMs: requestedAt),
            tokensPerSecond: nil,
            finishReason: conversation.finishReason,
            toolCallCount: conversation.output.reduce(0) { $0 + $1.parts.count { $0.type == "tool_call" } },
            truncated: !decoded.sawFinalEvent && !messages.isEmpty,
            conversation: conversation,
            searchText: SearchText.of(conversation),
            requestModel: decoded.requestModel ?? route.modelFromPath,
            responseModel: decoded.responseModel,
            responseID: decoded.responseID)
        analysis.threadKeys = ThreadKeys.of(analysis)
        return analysis
    }

    /// The first of the reported, requested and URL model names the table knows prices it (an Azure
    /// deployment name is rarely a model name, but the response's model is).
    private func cost(models: [String], route: Route, usage: LLMUsage, freeCount: Bool) -> Decimal? {
        let convention = BillingConvention.forFormat(route.format)
        for model in models {
            guard let price = lookup.price(provider: route.provider, model: model) else { continue }
            if freeCount { return 0 }
            if let cost = PriceTable.cost(of: usage, at: price, convention: convention) { return cost }
        }
        return nil
    }
}
