import Foundation
import SightlineCore
import SightlineLLM
import SightlineStore
import Testing
@testable import Sightline

/// `sightline show` on a streamed tool-calling conversation and on a call the upstream cut off, compared with
/// reviewed golden files.
/// Regenerate after an intended change with `SIGHTLINE_UPDATE_GOLDEN=1 swift test --filter ShowGoldenTests` and review the diff.
@Suite struct ShowGoldenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = root.deletingLastPathComponent().appendingPathComponent("Fixtures/openai/chat-completions-stream-tools")

    @Test func toolCallingStreamRendersAsAConversation() throws {
        let request = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent("request.json")))
        let sse = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent("response.sse")))
        let start = Date(timeIntervalSince1970: 1_764_000_000)
        var capture = FlowCapture(
            id: FlowID("01a21213-5f89-7479-a25d-aaf845137278")!, mode: .proxy, clientAddress: "127.0.0.1:50000",
            request: CapturedRequest(method: "POST", url: "https://api.openai.com/v1/chat/completions", httpVersion: "HTTP/1.1",
                                     headers: [HeaderField("Authorization", "Bearer sk-proj-abcdefghijklmnop1234"),
                                               HeaderField("Content-Type", "application/json")],
                                     body: CapturedBody(capBytes: 1 << 20, bytes: request)),
            timings: FlowTimings(start: start))
        capture.response = CapturedResponse(status: 200, reason: "OK", httpVersion: "HTTP/1.1",
                                            headers: [HeaderField("Content-Type", "text/event-stream")],
                                            body: CapturedBody(capBytes: 1 << 20, bytes: sse))
        // One chunk per 100 bytes, 10 ms apart: deterministic event times.
        capture.responseChunks = stride(from: 100, through: sse.count + 99, by: 100).enumerated().map { i, end in
            ChunkArrival(endOffset: min(end, sse.count), tMs: 120 + Double(i) * 10)
        }
        capture.timings.upstreamConnectedMs = 2
        capture.timings.tlsDoneMs = 5
        capture.timings.requestSentMs = 6
        capture.timings.firstByteMs = 118
        capture.timings.lastByteMs = 120 + Double(capture.responseChunks.count - 1) * 10

        let record = FlowRecordBuilder(analyzer: LLMAnalyzer(prices: PriceTable.load(userFile: nil))).build(capture)
        let rendered = FlowDetailText.render(record.detail)
        let golden = Self.root.appendingPathComponent("Golden/show-tool-call.txt")
        if ProcessInfo.processInfo.environment["SIGHTLINE_UPDATE_GOLDEN"] != nil {
            try rendered.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(rendered == expected)
        #expect(!rendered.contains("abcdefghijklmnop1234"))
    }

    @Test func aFailedCallShowsItsErrorKindAndSentence() throws {
        // No response: the upstream closed the connection first.
        let request = Array(#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Weather in Boston?"}]}"#.utf8)
        var capture = FlowCapture(
            id: FlowID("01a21213-5f89-7479-a25d-aaf845137279")!, mode: .proxy, clientAddress: "127.0.0.1:50000",
            request: CapturedRequest(method: "POST", url: "https://api.openai.com/v1/chat/completions", httpVersion: "HTTP/1.1",
                                     headers: [HeaderField("Content-Type", "application/json")],
                                     body: CapturedBody(capBytes: 1 << 20, bytes: request)),
            timings: FlowTimings(start: Date(timeIntervalSince1970: 1_764_000_000)))
        capture.timings.upstreamConnectedMs = 2
        capture.timings.requestSentMs = 6
        capture.error = "upstream api.openai.com closed the connection before sending a response"
        capture.errorKind = .upstreamReset

        let record = FlowRecordBuilder(analyzer: LLMAnalyzer(prices: PriceTable.load(userFile: nil))).build(capture)
        let rendered = FlowDetailText.render(record.detail)
        let golden = Self.root.appendingPathComponent("Golden/show-upstream-reset.txt")
        if ProcessInfo.processInfo.environment["SIGHTLINE_UPDATE_GOLDEN"] != nil {
            try rendered.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(rendered == expected)
        #expect(rendered.contains("error: [upstream_reset] upstream api.openai.com closed the connection"))
    }
}

/// `sightline show` on a Bedrock ConverseStream call: its binary event stream frames print as named, timed events.
@Suite struct ShowBedrockStreamTests {
    static let fixture = ShowGoldenTests.root.deletingLastPathComponent().appendingPathComponent("Fixtures/bedrock/converse-stream")

    @Test func converseStreamRendersItsFramesAsEvents() throws {
        let body = try [UInt8](Data(contentsOf: Self.fixture.appendingPathComponent("response.eventstream")))
        var capture = FlowCapture(
            id: FlowID("01a21213-5f89-7479-a25d-aaf845137280")!, mode: .proxy, clientAddress: "127.0.0.1:50000",
            request: CapturedRequest(
                method: "POST",
                url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream",
                httpVersion: "HTTP/1.1",
                headers: [HeaderField("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20251124/us-east-1/bedrock/aws4_request, "
                              + "SignedHeaders=content-type;host;x-amz-date, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
                          HeaderField("Content-Type", "application/json")],
                body: CapturedBody(capBytes: 1 << 20, bytes: try [UInt8](Data(contentsOf: Self.fixture.appendingPathComponent("request.json"))))),
            timings: FlowTimings(start: Date(timeIntervalSince1970: 1_764_000_000)))
        capture.response = CapturedResponse(status: 200, reason: "OK", httpVersion: "HTTP/1.1",
                                            headers: [HeaderField("Content-Type", "application/vnd.amazon.eventstream")],
                                            body: CapturedBody(capBytes: 1 << 20, bytes: body))
        // One chunk per 200 bytes, 10 ms apart: deterministic event times.
        capture.responseChunks = stride(from: 200, through: body.count + 199, by: 200).enumerated().map { i, end in
            ChunkArrival(endOffset: min(end, body.count), tMs: 120 + Double(i) * 10)
        }
        capture.timings.requestSentMs = 6
        capture.timings.firstByteMs = 118
        capture.timings.lastByteMs = 120 + Double(capture.responseChunks.count - 1) * 10

        let record = FlowRecordBuilder(analyzer: LLMAnalyzer(prices: PriceTable.load(userFile: nil))).build(capture)
        let rendered = FlowDetailText.render(record.detail)
        let golden = ShowGoldenTests.root.appendingPathComponent("Golden/show-bedrock-stream.txt")
        if ProcessInfo.processInfo.environment["SIGHTLINE_UPDATE_GOLDEN"] != nil {
            try rendered.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(rendered == expected)
        #expect(rendered.contains("(8 event stream frames)"))
        #expect(!rendered.contains("AKIAIOSFODNN7EXAMPLE"))
    }
}

/// `sightline show` and `sightline tail` on a Realtime session: one line per message, both ways, then its close.
@Suite struct ShowWebSocketTests {
    static let fixture = ShowGoldenTests.root.deletingLastPathComponent()
        .appendingPathComponent("Fixtures/openai/realtime-tool-call/messages.jsonl")

    static func capture(open: Bool) throws -> FlowCapture {
        var capture = FlowCapture(
            id: FlowID("01a21213-5f89-7479-a25d-aaf84513727a")!, mode: .proxy, clientAddress: "127.0.0.1:50000",
            request: CapturedRequest(method: "GET", url: "https://api.openai.com/v1/realtime?model=gpt-realtime", httpVersion: "HTTP/1.1",
                                     headers: [HeaderField("Authorization", "Bearer sk-proj-abcdefghijklmnop1234"),
                                               HeaderField("Upgrade", "websocket")],
                                     body: CapturedBody(capBytes: 1 << 20, bytes: [])),
            timings: FlowTimings(start: Date(timeIntervalSince1970: 1_764_000_000)))
        capture.response = CapturedResponse(status: 101, reason: "Switching Protocols", httpVersion: "HTTP/1.1",
                                            headers: [HeaderField("Upgrade", "websocket")], body: CapturedBody(capBytes: 1 << 20, bytes: []))
        let lines = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n")
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let payload = Array(try JSONSerialization.data(withJSONObject: object["message"] as Any, options: [.sortedKeys]))
            capture.webSocketFrames.append(CapturedWebSocketFrame(
                direction: object["direction"] as? String == "client" ? .client : .server, tMs: object["t_ms"] as? Double ?? 0,
                fin: true, rsv1: false, opcode: 1, payloadLength: payload.count, payload: payload))
        }
        if !open {
            capture.webSocketFrames.append(CapturedWebSocketFrame(direction: .client, tMs: 2_000, fin: true, rsv1: false, opcode: 8,
                                                                  payloadLength: 6, payload: [0x03, 0xE8] + Array("done".utf8)))
            capture.timings.lastByteMs = 2_001
        }
        return capture
    }

    @Test func aRealtimeSessionShowsEveryMessageAndHowItClosed() throws {
        let builder = FlowRecordBuilder(analyzer: LLMAnalyzer(prices: PriceTable.load(userFile: nil)))
        let rendered = FlowDetailText.render(builder.build(try Self.capture(open: false)).detail)
        let golden = ShowGoldenTests.root.appendingPathComponent("Golden/show-realtime.txt")
        if ProcessInfo.processInfo.environment["SIGHTLINE_UPDATE_GOLDEN"] != nil {
            try rendered.write(to: golden, atomically: true, encoding: .utf8)
        }
        #expect(rendered == (try String(contentsOf: golden, encoding: .utf8)))
        #expect(rendered.contains("closed 1000 \"done\" by the app"))
        #expect(!rendered.contains("abcdefghijklmnop1234"))

        let style = TerminalStyle(enabled: false)
        let openLine = TailLine.render(builder.build(try Self.capture(open: true)).detail.summary, style: style)
        #expect(openLine.contains("101") && openLine.hasSuffix("ws open  https://api.openai.com/v1/realtime?model=gpt-realtime"))
        let closedLine = TailLine.render(builder.build(try Self.capture(open: false)).detail.summary, style: style)
        #expect(closedLine.contains("gpt-realtime") && closedLine.contains("ws \(Self.messageCount + 1) msgs"))
    }

    static let messageCount = (try? String(contentsOf: fixture, encoding: .utf8).split(separator: "\n").count) ?? 0
}
