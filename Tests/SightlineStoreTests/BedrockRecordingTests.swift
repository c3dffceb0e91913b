import Foundation
import SightlineCore
import SightlineLLM
import Testing
@testable import SightlineStore

/// A Bedrock ConverseStream capture as the proxy hands it over: binary event stream frames, one chunk each,
/// and SigV4 credentials in the request headers.
@Suite("Recording Bedrock streams")
struct BedrockRecordingTests {
    static let fixture = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/bedrock/converse-stream")
    static let sessionToken = "IQoJb3JpZ2luX2VjEXAMPLEsessionTOKENvalue0123456789abcdefWXYZ"

    static func capture() throws -> FlowCapture {
        let body = [UInt8](try Data(contentsOf: fixture.appendingPathComponent("response.eventstream")))
        var capture = makeCapture(
            url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream",
            requestHeaders: [
                HeaderField("Content-Type", "application/json"),
                HeaderField("X-Amz-Date", "20261207T183000Z"),
                HeaderField("X-Amz-Security-Token", sessionToken),
                HeaderField("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261207/us-east-1/bedrock/aws4_request, "
                    + "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
            ],
            requestBody: [UInt8](try Data(contentsOf: fixture.appendingPathComponent("request.json"))),
            responseHeaders: [HeaderField("Content-Type", "application/vnd.amazon.eventstream")],
            responseBody: body)
        // One frame per chunk, 20 ms apart from 50 ms.
        var offset = 0
        var chunks: [ChunkArrival] = []
        while offset + 4 <= body.count {
            offset += body[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            chunks.append(ChunkArrival(endOffset: offset, tMs: 50 + 20 * Double(chunks.count)))
        }
        capture.responseChunks = chunks
        return capture
    }

    @Test func framesBecomeTimedEventsAndTheCallIsUnderstood() throws {
        let record = testBuilder.build(try Self.capture())
        let events = record.detail.events
        #expect(events.map(\.event) == ["messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockDelta",
                                        "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"])
        #expect(events.map(\.tMs) == [50, 70, 90, 110, 130, 150, 170, 190])
        #expect(JSONValue.parse(events[1].data)?["delta"]?["text"] == .string("Hello"))
        let summary = record.summary
        #expect(summary.provider == "bedrock")
        #expect(summary.endpoint == "converse-stream")
        #expect(summary.model == "us.anthropic.claude-3-5-haiku-20241022-v1:0")
        #expect(summary.stream)
        #expect(summary.inputTokens == 25 && summary.outputTokens == 18)
        #expect(summary.finishReason == "end_turn")
        #expect(summary.ttftMs == 66, "the first contentBlockDelta at 70 ms, the request sent at 4 ms")
    }

    @Test func sigV4CredentialsAreRedacted() throws {
        let record = testBuilder.build(try Self.capture())
        let headers = record.detail.request.headers
        #expect(headers.first { $0.name == "Authorization" }?.value == "AWS4-HMAC-SHA256 ****cdef")
        #expect(headers.first { $0.name == "X-Amz-Security-Token" }?.value == "****WXYZ")
        #expect(!headers.contains { $0.value.contains("AKIAIOSFODNN7EXAMPLE") || $0.value.contains(Self.sessionToken) })
    }

    @Test func aDamagedFrameEndsTheEventsWithoutFailingTheRecord() throws {
        var capture = try Self.capture()
        let bytes = capture.response!.body.bytes
        var damaged = bytes
        damaged[capture.responseChunks[3].endOffset + 40] ^= 0xFF
        capture.response!.body = CapturedBody(capBytes: 32 << 20, bytes: damaged)
        let record = testBuilder.build(capture)
        #expect(record.detail.events.count == 4)
        #expect(record.summary.truncated)
        #expect(record.summary.provider == "bedrock")
    }
}
