import Foundation
import SightlineCore
@testable import SightlineLLM

/// Loads the wire-format fixtures under `Tests/Fixtures/<provider>/<scenario>/`.
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent() // Support
        .deletingLastPathComponent() // SightlineLLMTests
        .deletingLastPathComponent() // Tests
        .appendingPathComponent("Fixtures")
        .resolvingSymlinksInPath()

    static func bytes(_ path: String) -> [UInt8] {
        let url = root.appendingPathComponent(path)
        guard let data = try? Data(contentsOf: url) else {
            preconditionFailure("missing fixture \(url.path)")
        }
        return Array(data)
    }

    static func string(_ path: String) -> String {
        String(decoding: bytes(path), as: UTF8.self)
    }

    /// `<provider>/<scenario>/messages.jsonl`: one `{"t_ms", "direction", "message"}` per WebSocket message, each
    /// read back as the recorder stores it. `serverOpcode`: `binary` for Gemini Live, which sends its JSON so.
    static func webSocketMessages(_ scenario: String, serverOpcode: String = "text") throws -> [WebSocketMessage] {
        try string("\(scenario)/messages.jsonl").split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let tMs = object["t_ms"] as? Double, let body = object["message"],
                  let direction = WebSocketDirection(rawValue: object["direction"] as? String ?? "") else {
                preconditionFailure("a malformed line in \(scenario)/messages.jsonl: \(line)")
            }
            let message = try JSONSerialization.data(withJSONObject: body)
            return WebSocketMessage(tMs: tMs, direction: direction, opcode: direction == .server ? serverOpcode : "text",
                                    text: String(decoding: message, as: UTF8.self), dataBase64: nil, size: message.count,
                                    truncated: false)
        }
    }

    /// Every `.sse` fixture, for the parser's split tests; not MCP's, whose responses carry one or two
    /// events (or none), too few for those tests to tell anything.
    static func allEventStreams() -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".sse"), !path.hasPrefix("mcp/") { found.append(path) }
        }
        return found.sorted()
    }
}

/// Builds exchanges as the recorder would hand them over.
enum ExchangeBuilder {
    static let requestSentMs = 20.0
    static let firstChunkMs = 100.0
    static let chunkSpacingMs = 10.0

    /// One chunk per event (split after each blank line), the i-th arriving at 100 + 10·i ms.
    static func eventChunks(_ body: [UInt8]) -> [ChunkArrival] {
        var chunks: [ChunkArrival] = []
        var i = 0
        while i < body.count {
            let isLF = body[i] == 0x0A
            let endsEvent = isLF && i > 0 && (body[i - 1] == 0x0A || (i > 2 && body[i - 1] == 0x0D && body[i - 2] == 0x0A))
            if endsEvent {
                chunks.append(ChunkArrival(endOffset: i + 1,
                                           tMs: firstChunkMs + chunkSpacingMs * Double(chunks.count)))
            }
            i += 1
        }
        if chunks.last?.endOffset != body.count {
            chunks.append(ChunkArrival(endOffset: body.count, tMs: firstChunkMs + chunkSpacingMs * Double(chunks.count)))
        }
        return chunks
    }

    static func exchange(url: String, request: [UInt8], status: Int? = 200, response: [UInt8],
                         contentType: String = "application/json", timedSSE: Bool = false,
                         method: String = "POST", requestHeaders: [HeaderField] = []) -> LLMExchange {
        let events = timedSSE ? SSEEventTimer.timedEvents(body: response, chunks: eventChunks(response)) : []
        return LLMExchange(
            method: method, url: url,
            requestHeaders: [HeaderField("Content-Type", "application/json")] + requestHeaders,
            requestBody: request, status: status,
            responseHeaders: [HeaderField("Content-Type", contentType)],
            responseBody: response, events: events,
            requestSentMs: requestSentMs, firstByteMs: firstChunkMs, lastByteMs: events.last?.tMs ?? firstChunkMs)
    }

    /// A fixture directory's request and response as one exchange; `.sse` responses are timed.
    static func fixture(_ directory: String, url: String, status: Int = 200, response file: String = "response.json")
        -> LLMExchange {
        let isSSE = file.hasSuffix(".sse")
        return exchange(url: url, request: Fixture.bytes("\(directory)/request.json"), status: status,
                        response: Fixture.bytes("\(directory)/\(file)"),
                        contentType: isSSE ? "text/event-stream" : "application/json", timedSSE: isSSE)
    }

    /// The same stream with its last event (the provider's final one) cut off.
    static func droppingLastEvent(_ sse: [UInt8]) -> [UInt8] {
        var text = String(decoding: sse, as: UTF8.self)
        let separator = text.contains("\r\n\r\n") ? "\r\n\r\n" : "\n\n"
        var events = text.components(separatedBy: separator).filter { !$0.isEmpty }
        events.removeLast()
        text = events.joined(separator: separator) + separator
        return Array(text.utf8)
    }
}

let sharedAnalyzer = LLMAnalyzer(prices: PriceTable.load(userFile: nil))

func analyze(_ exchange: LLMExchange) -> LLMAnalysis? {
    sharedAnalyzer.analyze(exchange)
}

extension Conversation.Message {
    func parts(ofType type: String) -> [Conversation.Part] { parts.filter { $0.type == type } }
    var text: String { parts(ofType: "text").compactMap(\.text).joined() }
}

func decimal(_ text: String) -> Decimal? { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) }

/// Builds exchanges whose response is an AWS event stream (`application/vnd.amazon.eventstream`).
enum EventStreamExchangeBuilder {
    /// The byte offsets where each frame ends, read from the frames' own total lengths.
    static func frameEnds(_ body: [UInt8]) -> [Int] {
        var ends: [Int] = []
        var offset = 0
        while body.count - offset >= 4 {
            let total = body[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard total > 0 else { break }
            offset = min(offset + total, body.count)
            ends.append(offset)
        }
        return ends
    }

    /// One chunk per frame, the i-th arriving at 100 + 10·i ms, as `ExchangeBuilder.eventChunks` times SSE.
    static func frameChunks(_ body: [UInt8]) -> [ChunkArrival] {
        frameEnds(body).enumerated().map { i, end in
            ChunkArrival(endOffset: end, tMs: ExchangeBuilder.firstChunkMs + ExchangeBuilder.chunkSpacingMs * Double(i))
        }
    }

    static func exchange(url: String, request: [UInt8], response: [UInt8], timed: Bool = true) -> LLMExchange {
        let events = timed ? AWSEventStreamEventTimer.timedEvents(body: response, chunks: frameChunks(response)) : []
        return LLMExchange(
            method: "POST", url: url,
            requestHeaders: [HeaderField("Content-Type", "application/json")],
            requestBody: request, status: 200,
            responseHeaders: [HeaderField("Content-Type", "application/vnd.amazon.eventstream")],
            responseBody: response, events: events,
            requestSentMs: ExchangeBuilder.requestSentMs, firstByteMs: ExchangeBuilder.firstChunkMs,
            lastByteMs: events.last?.tMs ?? ExchangeBuilder.firstChunkMs)
    }

    static func fixture(_ directory: String, url: String) -> LLMExchange {
        exchange(url: url, request: Fixture.bytes("\(directory)/request.json"),
                 response: Fixture.bytes("\(directory)/response.eventstream"))
    }
}
