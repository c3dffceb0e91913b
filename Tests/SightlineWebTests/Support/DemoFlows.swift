import Foundation
import SightlineCore
import SightlineStore

/// Fills a store with a day of varied, realistic flows for the README's screenshots: the recorded
/// fixtures of `Tests/Fixtures/` (OpenAI, Anthropic, Gemini, Ollama; streams, tools, errors) replayed
/// at spread-out times through the real `FlowRecordBuilder`, some as the calls of an agent session.
enum DemoFlows {
    struct Scenario {
        var path: String
        var url: String
    }

    static let scenarios: [Scenario] = [
        .init(path: "openai/chat-completions", url: "https://api.openai.com/v1/chat/completions"),
        .init(path: "anthropic/messages-stream-thinking", url: "https://api.anthropic.com/v1/messages"),
        .init(path: "openai/chat-completions-tools", url: "https://api.openai.com/v1/chat/completions"),
        .init(path: "gemini/generate-content-text", url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent"),
        .init(path: "openai/chat-completions-tool-result", url: "https://api.openai.com/v1/chat/completions"),
        .init(path: "anthropic/messages", url: "https://api.anthropic.com/v1/messages"),
        .init(path: "openai/chat-completions-stream", url: "https://api.openai.com/v1/chat/completions"),
        .init(path: "openai/responses", url: "https://api.openai.com/v1/responses"),
        .init(path: "anthropic/messages-tool-use", url: "https://api.anthropic.com/v1/messages"),
        .init(path: "gemini/stream-generate-content-sse", url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"),
        .init(path: "openai/embeddings", url: "https://api.openai.com/v1/embeddings"),
        .init(path: "anthropic/messages-stream", url: "https://api.anthropic.com/v1/messages"),
        .init(path: "openai/error-429", url: "https://api.openai.com/v1/chat/completions"),
        .init(path: "openai/chat-completions-stream-tools", url: "https://api.openai.com/v1/chat/completions"),
        .init(path: "ollama/chat-ndjson", url: "http://localhost:11434/api/chat"),
        .init(path: "anthropic/error-529-overloaded", url: "https://api.anthropic.com/v1/messages"),
    ]

    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
    }

    /// `count` flows over the last `hours` hours, newest last; every fifth group of calls is one agent session.
    static func seed(_ store: any FlowStore, builder: FlowRecordBuilder, count: Int = 90, hours: Double = 20) async throws {
        var records: [FlowRecord] = []
        var rng = SplitMix(seed: 42)
        for i in 0..<count {
            let scenario = scenarios[i % scenarios.count]
            let start = Date().addingTimeInterval(-hours * 3600 * Double(count - i) / Double(count) - Double(rng.next() % 600))
            var annotations = FlowAnnotations()
            if i >= count - 6 {
                annotations.sessionID = "trip-planner-0042"
                annotations.sessionName = "Trip planner run #42"
                annotations.sessionPath = ["/plan", "/plan/weather", "/plan/weather", "/plan/hotels", "/answer", "/answer"][i - (count - 6)]
            } else if i % 11 == 3 {
                annotations.sessionID = "support-bot-\(i)"
                annotations.sessionPath = "/triage"
            }
            if let capture = try capture(scenario, start: start, rng: &rng, annotations: annotations) {
                records.append(builder.build(capture))
            }
        }
        try await store.insert(records)
    }

    static func capture(_ scenario: Scenario, start: Date, rng: inout SplitMix, annotations: FlowAnnotations) throws -> FlowCapture? {
        let directory = fixtures.appendingPathComponent(scenario.path)
        guard let requestBody = try? Data(contentsOf: directory.appendingPathComponent("request.json")) else { return nil }
        let sse = directory.appendingPathComponent("response.sse")
        let ndjson = directory.appendingPathComponent("response.ndjson")
        let (responseBody, contentType): (Data, String) =
            if let data = try? Data(contentsOf: sse) { (data, "text/event-stream") }
            else if let data = try? Data(contentsOf: ndjson) { (data, "application/x-ndjson") }
            else { (try Data(contentsOf: directory.appendingPathComponent("response.json")), "application/json") }
        let status = scenario.path.split(separator: "-").last.flatMap { Int($0) }.map { $0 >= 400 ? $0 : 200 } ?? 200
        let host = URL(string: scenario.url)?.host ?? ""
        var requestHeaders = [HeaderField("Host", host), HeaderField("User-Agent", "OpenAI/Python 1.54.0"),
                              HeaderField("Content-Type", "application/json"), HeaderField("Authorization", "Bearer sk-demo-0000000000001234")]
        if let session = annotations.sessionID { requestHeaders.append(HeaderField("Sightline-Session-Id", session)) }
        var request = CapturedRequest(method: "POST", url: scenario.url, httpVersion: "HTTP/1.1", headers: requestHeaders,
                                      body: CapturedBody(capBytes: 1 << 24))
        request.body.append([UInt8](requestBody))
        var capture = FlowCapture(id: FlowID.make(at: start), mode: .proxy, clientAddress: "127.0.0.1", request: request,
                                  timings: FlowTimings(start: start))
        var body = CapturedBody(capBytes: 1 << 24)
        body.append([UInt8](responseBody))
        capture.response = CapturedResponse(status: status, reason: status == 200 ? "OK" : "Error", httpVersion: "HTTP/1.1",
                                            headers: [HeaderField("Content-Type", contentType), HeaderField("Content-Length", "\(responseBody.count)")],
                                            body: body)
        let firstByte = 250 + Double(rng.next() % 900)
        let streaming = contentType != "application/json"
        capture.timings.upstreamConnectedMs = 18 + Double(rng.next() % 20)
        capture.timings.tlsDoneMs = (capture.timings.upstreamConnectedMs ?? 0) + 25 + Double(rng.next() % 15)
        capture.timings.requestSentMs = (capture.timings.tlsDoneMs ?? 0) + 1.5
        capture.timings.firstByteMs = firstByte
        let last = firstByte + (streaming ? 900 + Double(rng.next() % 2500) : 4 + Double(rng.next() % 30))
        capture.timings.lastByteMs = last
        if streaming {
            // One arrival per event, spread between the first and the last byte.
            let text = String(decoding: responseBody, as: UTF8.self)
            let separator = contentType == "text/event-stream" ? (text.contains("\r\n\r\n") ? "\r\n\r\n" : "\n\n") : "\n"
            let pieces = text.components(separatedBy: separator)
            var offset = 0
            for (k, piece) in pieces.enumerated() where k < pieces.count - 1 || !piece.isEmpty {
                offset = min(responseBody.count, offset + piece.utf8.count + (k < pieces.count - 1 ? separator.utf8.count : 0))
                let t = firstByte + (last - firstByte) * Double(k) / Double(max(1, pieces.count - 1))
                capture.responseChunks.append(ChunkArrival(endOffset: offset, tMs: t))
            }
            if capture.responseChunks.last?.endOffset != responseBody.count {
                capture.responseChunks.append(ChunkArrival(endOffset: responseBody.count, tMs: last))
            }
        }
        capture.annotations = annotations
        return capture
    }
}

/// A small deterministic generator, so the screenshots are the same from run to run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
