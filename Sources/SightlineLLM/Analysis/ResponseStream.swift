import SightlineCore

/// The streamed units of a response, whatever framed them (SSE, NDJSON, a JSON array, AWS event stream
/// frames), or nil when the response is one body.
struct ResponseStream {
    var events: [StreamEvent]
    /// The events carry arrival times (the recorder timed them); false when re-parsed from the body.
    var timesKnown: Bool

    var lastEventMs: Double? {
        timesKnown ? events.compactMap(\.tMs).max() : nil
    }

    static func of(_ exchange: LLMExchange, route: Route, requestedStream: Bool?) -> ResponseStream? {
        if !exchange.events.isEmpty {
            let events = exchange.events.map { StreamEvent(tMs: $0.tMs, event: $0.event, data: $0.data) }
            return ResponseStream(events: events, timesKnown: true)
        }
        let body = exchange.responseBody
        let contentType = exchange.responseHeaders.first(named: "Content-Type")?.lowercased() ?? ""

        switch route.format {
        case .ollamaChat, .ollamaGenerate:
            guard requestedStream != false else { return nil }
            return ResponseStream(events: lines(body), timesKnown: false)
        default:
            break
        }
        if !contentType.contains("text/event-stream"), AWSEventStreamEventTimer.isEventStream(contentType: contentType, body: body) {
            let events = AWSEventStreamEventTimer.timedEvents(body: body, chunks: [])
            return ResponseStream(events: events.map { StreamEvent(tMs: nil, event: $0.event, data: $0.data) },
                                  timesKnown: false)
        }
        if contentType.contains("text/event-stream") || looksLikeEventStream(body) {
            var parser = SSEParser()
            let parsed = parser.feed(body) + parser.finish()
            let events = parsed.map { StreamEvent(tMs: nil, event: $0.event, data: $0.data) }
            return ResponseStream(events: events, timesKnown: false)
        }
        // `streamGenerateContent` without `alt=sse` streams one JSON array of responses.
        if route.alwaysStreams, let elements = JSONValue.parse(body)?.array {
            return ResponseStream(events: elements.map { StreamEvent(tMs: nil, json: $0) }, timesKnown: false)
        }
        if contentType.contains("ndjson") || contentType.contains("jsonl") {
            return ResponseStream(events: lines(body), timesKnown: false)
        }
        return nil
    }

    private static func looksLikeEventStream(_ body: [UInt8]) -> Bool {
        let start = body.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        return ["data:", "event:", "id:", ":"].contains { start.starts(with: $0.utf8) }
    }

    /// NDJSON: one JSON value per line; blank and unparsable lines (a cut-off last line) are skipped.
    private static func lines(_ body: [UInt8]) -> [StreamEvent] {
        body.split(separator: 0x0A).compactMap { line in
            JSONValue.parse(Array(line)).map { StreamEvent(tMs: nil, json: $0) }
        }
    }
}
