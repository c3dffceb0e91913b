import Foundation
import SightlineCore
import SightlineLLM

/// Turns a finished `FlowCapture` into a `FlowRecord`: redacts secrets, undoes `Content-Encoding`,
/// times SSE (and AWS event stream) events and runs the LLM analysis. Runs on the writer side, never on the data path.
public struct FlowRecordBuilder: Sendable {
    public let analyzer: LLMAnalyzer
    public let redactor: Redactor
    /// The most a compressed body may expand to before it is kept raw (zip bomb guard).
    public var maxDecodedBytes: Int = ContentDecoding.defaultMaxOutputBytes
    /// This Sightline's name, written into every flow's `instance`.
    public var instance: String?

    public init(analyzer: LLMAnalyzer, redactor: Redactor = Redactor(), instance: String? = nil) {
        self.analyzer = analyzer
        self.redactor = redactor
        self.instance = instance
    }

    public func build(_ capture: FlowCapture) -> FlowRecord {
        let request = decodedBody(capture.request.body, headers: capture.request.headers)
        var requestBytes = request.bytes
        if !request.failed {
            requestBytes = RequestBodySecrets.redact(requestBytes, with: redactor)
        }
        let response = capture.response.map { decodedBody($0.body, headers: $0.headers) }
        var events: [TimedSSEEvent] = []
        if let captured = capture.response, let response {
            events = streamEvents(of: captured, body: response, capture: capture)
        }

        var analysis: LLMAnalysis?
        let websocket = webSocketSession(capture)
        if let websocket {
            analysis = analyzer.analyzeWebSocket(url: redactor.redactURL(capture.request.url), messages: websocket.messages)
        } else if capture.mode != .tunnel, !request.failed, response?.failed != true {
            // A body we could not decode would only mislead the decoders.
            analysis = analyzer.analyze(LLMExchange(
                method: capture.request.method,
                url: redactor.redactURL(capture.request.url),
                requestHeaders: capture.request.headers,
                requestBody: requestBytes,
                status: capture.response?.status,
                responseHeaders: capture.response?.headers ?? [],
                responseBody: response?.bytes ?? [],
                events: events,
                requestSentMs: capture.timings.requestSentMs,
                firstByteMs: capture.timings.firstByteMs,
                lastByteMs: capture.timings.lastByteMs))
        }
        return makeRecord(capture, requestBody: DecodedBody(bytes: requestBytes, decoded: request.decoded, failed: request.failed),
                          responseBody: response, events: events, analysis: analysis, websocket: websocket)
    }

    /// A relayed WebSocket session's messages (nil for any other flow), with the inflating cap of bodies.
    /// A capture without its last byte is a session still open: the relay records it at the 101 and again
    /// as messages pass, and once more, with its end, when both sides have closed.
    func webSocketSession(_ capture: FlowCapture) -> WebSocketSession? {
        guard capture.response?.status == 101 else { return nil }
        var session = WebSocketMessages.session(from: capture.webSocketFrames,
                                                extensions: capture.response?.headers.all(named: "Sec-WebSocket-Extensions") ?? [],
                                                maxMessageBytes: maxDecodedBytes)
        session.open = capture.timings.lastByteMs == nil && capture.error == nil
        return session
    }

    /// Assembles the record from parts already decoded; split out so analysis results can be tested
    /// without depending on the decoders.
    func makeRecord(_ capture: FlowCapture, requestBody: DecodedBody, responseBody: DecodedBody?,
                    events: [TimedSSEEvent], analysis: LLMAnalysis?, websocket: WebSocketSession? = nil) -> FlowRecord {
        let annotations = capture.annotations
        // A cache hit cost nothing; what the call would have cost is kept as the saving.
        let isCacheHit = capture.gateway?.cache == "HIT"
        var gateway = capture.gateway
        if isCacheHit { gateway?.savedCostUSD = analysis?.costUSD }
        let url = redactor.redactURL(capture.request.url)
        var timings = capture.timings
        // Stored to the millisecond: round here so that a record equals what the store gives back.
        timings.start = timings.start.roundedToMilliseconds
        let usage = analysis?.usage

        let summary = FlowSummary(
            id: capture.id,
            startedAt: timings.start,
            method: capture.request.method,
            url: url,
            host: Self.host(of: capture.request.url),
            status: capture.response?.status,
            error: capture.error,
            errorKind: capture.errorKind,
            mode: capture.mode,
            durationMs: timings.lastByteMs,
            ttfbMs: Self.ttfb(timings),
            requestBytes: capture.request.body.totalBytes,
            responseBytes: capture.response?.body.totalBytes ?? 0,
            provider: analysis?.provider,
            endpoint: analysis?.endpoint,
            model: analysis?.model,
            stream: analysis?.stream ?? false,
            inputTokens: usage?.inputTokens,
            outputTokens: usage?.outputTokens,
            cachedInputTokens: usage?.cachedInputTokens,
            reasoningTokens: usage?.reasoningTokens,
            costUSD: isCacheHit ? (analysis?.costUSD == nil ? nil : 0) : analysis?.costUSD,
            ttftMs: analysis?.ttftMs,
            sessionID: annotations.sessionID,
            userID: annotations.userID,
            properties: annotations.properties,
            finishReason: analysis?.finishReason,
            toolCallCount: analysis?.toolCallCount,
            truncated: analysis?.truncated ?? false,
            tokensPerSecond: analysis?.tokensPerSecond,
            sessionPath: annotations.sessionPath,
            sessionName: annotations.sessionName,
            clientAddress: capture.clientAddress,
            upstreamURL: capture.upstreamURL.map(redactor.redactURL), gateway: gateway,
            websocket: websocket.map { WebSocketSummary(messages: $0.messages.count, open: $0.open) }, instance: instance)

        let requestDetail = FlowDetail.Request(
            method: capture.request.method,
            url: url,
            httpVersion: capture.request.httpVersion,
            headers: annotations.omitRequest ? [] : redactor.redactHeaders(capture.request.headers),
            body: StoredBody(
                bytes: annotations.omitRequest ? [] : requestBody.bytes,
                size: capture.request.body.totalBytes,
                truncated: capture.request.body.isTruncated,
                decoded: requestBody.decoded && !annotations.omitRequest,
                omitted: annotations.omitRequest))

        let responseDetail = capture.response.map { response in
            FlowDetail.Response(
                status: response.status,
                reason: response.reason,
                httpVersion: response.httpVersion,
                headers: annotations.omitResponse ? [] : redactor.redactHeaders(response.headers),
                body: StoredBody(
                    bytes: annotations.omitResponse ? [] : (responseBody?.bytes ?? response.body.bytes),
                    size: response.body.totalBytes,
                    truncated: response.body.isTruncated,
                    decoded: (responseBody?.decoded ?? false) && !annotations.omitResponse,
                    omitted: annotations.omitResponse))
        }

        var conversation = analysis?.conversation
        if annotations.omitRequest {
            conversation?.system = nil
            conversation?.messages = []
            conversation?.tools = []
            conversation?.parameters = [:]
        }
        if annotations.omitResponse {
            conversation?.output = []
        }
        // The search text mixes prompt and output, so either omission empties it.
        let omitted = annotations.omitRequest || annotations.omitResponse
        var websocket = websocket
        websocket?.messages.removeAll { message in
            message.direction == .client ? annotations.omitRequest : annotations.omitResponse
        }
        let detail = FlowDetail(
            summary: summary,
            request: requestDetail,
            response: responseDetail,
            timings: timings,
            events: annotations.omitResponse ? [] : events,
            conversation: conversation,
            websocket: websocket)
        return FlowRecord(detail: detail, searchText: omitted ? "" : (analysis?.searchText ?? ""), analysis: analysis)
    }

    /// A body after undoing its `Content-Encoding`; `failed` keeps the raw bytes.
    struct DecodedBody: Sendable, Hashable {
        var bytes: [UInt8]
        var decoded: Bool
        var failed: Bool
    }

    func decodedBody(_ body: CapturedBody, headers: [HeaderField]) -> DecodedBody {
        switch ContentDecoding.decode(body.bytes, headerValues: headers.all(named: "Content-Encoding"),
                                      maxOutputBytes: maxDecodedBytes) {
        case .identity: DecodedBody(bytes: body.bytes, decoded: false, failed: false)
        case .decoded(let bytes): DecodedBody(bytes: bytes, decoded: true, failed: false)
        case .failed: DecodedBody(bytes: body.bytes, decoded: false, failed: true)
        }
    }

    /// SSE events, or AWS event stream messages (Bedrock's streams), with arrival times. Chunk offsets count
    /// wire bytes, so they only map onto an uncompressed body; a compressed stream's events all get the
    /// time of the last byte.
    func streamEvents(of response: CapturedResponse, body: DecodedBody, capture: FlowCapture) -> [TimedSSEEvent] {
        guard !body.failed else { return [] }
        let contentType = response.headers.first(named: "Content-Type")
        let timer: ([UInt8], [ChunkArrival]) -> [TimedSSEEvent]
        if contentType?.lowercased().hasPrefix("text/event-stream") == true {
            timer = SSEEventTimer.timedEvents
        } else if AWSEventStreamEventTimer.isEventStream(contentType: contentType, body: body.bytes) {
            timer = AWSEventStreamEventTimer.timedEvents
        } else {
            return []
        }
        if body.decoded {
            let end = capture.timings.lastByteMs ?? capture.responseChunks.last?.tMs ?? 0
            return timer(body.bytes, [ChunkArrival(endOffset: body.bytes.count, tMs: end)])
        }
        return timer(body.bytes, capture.responseChunks)
    }
}
