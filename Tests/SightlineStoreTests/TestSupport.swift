import CZlib
import Foundation
import Logging
import SightlineCore
import SightlineLLM
@testable import SightlineStore

/// A directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sightline-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var databasePath: String { url.appendingPathComponent("flows.sqlite").path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

let testBuilder = FlowRecordBuilder(analyzer: LLMAnalyzer(prices: PriceTable()))
let quietLogger = Logger(label: "sightline.store.tests") { _ in SwiftLogNoOpLogHandler() }

/// A capture as the proxy would hand it over.
func makeCapture(
    id: FlowID? = nil,
    start: Date = Date(),
    mode: FlowMode = .proxy,
    method: String = "POST",
    url: String = "https://api.openai.com/v1/chat/completions",
    requestHeaders: [HeaderField] = [HeaderField("Content-Type", "application/json")],
    requestBody: [UInt8] = Array(#"{"model":"gpt-4o","messages":[]}"#.utf8),
    status: Int? = 200,
    responseHeaders: [HeaderField] = [HeaderField("Content-Type", "application/json")],
    responseBody: [UInt8] = Array(#"{"id":"chatcmpl-1"}"#.utf8),
    capBytes: Int = 32 << 20
) -> FlowCapture {
    var timings = FlowTimings(start: start)
    timings.upstreamConnectedMs = 1.5
    timings.tlsDoneMs = 3.25
    timings.requestSentMs = 4
    timings.firstByteMs = 120.5
    timings.lastByteMs = 180.75
    var capture = FlowCapture(
        id: id ?? FlowID.make(at: start), mode: mode, clientAddress: "127.0.0.1:50123",
        request: CapturedRequest(method: method, url: url, httpVersion: "HTTP/1.1", headers: requestHeaders,
                                 body: CapturedBody(capBytes: capBytes, bytes: requestBody)),
        timings: timings)
    if let status {
        capture.response = CapturedResponse(status: status, reason: "OK", httpVersion: "HTTP/1.1",
                                            headers: responseHeaders,
                                            body: CapturedBody(capBytes: capBytes, bytes: responseBody))
    }
    return capture
}

/// An analysis as SightlineLLM would return it, for tests of what the store does with one.
func makeAnalysis(provider: String = "openai", model: String = "gpt-4o", text: String = "hello") -> LLMAnalysis {
    var analysis = LLMAnalysis(
        provider: provider, endpoint: "chat.completions", model: model, stream: true,
        usage: LLMUsage(inputTokens: 12, outputTokens: 34, cachedInputTokens: 5, reasoningTokens: 7),
        costUSD: Decimal(string: "0.000123"), ttftMs: 99.5, tokensPerSecond: 42, finishReason: "stop",
        toolCallCount: 2, truncated: false,
        conversation: Conversation(system: "be brief", messages: [.init(role: "user", parts: [.text(text)])],
                                   output: [.init(role: "assistant", parts: [.text("an answer")])],
                                   finishReason: "stop"),
        searchText: "be brief \(text) an answer")
    // As the analyzer does.
    analysis.threadKeys = ThreadKeys.of(analysis)
    return analysis
}

/// A record with a given analysis, built the way `FlowRecordBuilder.build` would.
func makeRecord(_ capture: FlowCapture, analysis: LLMAnalysis?) -> FlowRecord {
    let request = testBuilder.decodedBody(capture.request.body, headers: capture.request.headers)
    let response = capture.response.map { testBuilder.decodedBody($0.body, headers: $0.headers) }
    return testBuilder.makeRecord(capture, requestBody: request, responseBody: response, events: [], analysis: analysis)
}

/// What a store gives back for a record inserted alone: a call holding a conversation starts its own thread.
func storedAlone(_ record: FlowRecord) -> FlowDetail {
    var detail = record.detail
    if record.threadKeys != nil, detail.summary.threadID == nil { detail.summary.threadID = record.id }
    return detail
}

/// gzip (windowBits 31), zlib (15) or raw deflate (-15), made with the real zlib.
func deflate(_ input: [UInt8], windowBits: Int32 = 31) -> [UInt8] {
    var stream = z_stream()
    guard deflateInit2_(&stream, 6, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                        Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return [] }
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 64)
    let status = input.withUnsafeBufferPointer { inBuffer in
        output.withUnsafeMutableBufferPointer { outBuffer in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            stream.avail_in = uInt(inBuffer.count)
            stream.next_out = outBuffer.baseAddress
            stream.avail_out = uInt(outBuffer.count)
            return CZlib.deflate(&stream, Z_FINISH)
        }
    }
    guard status == Z_STREAM_END else { return [] }
    return Array(output[..<Int(stream.total_out)])
}

/// Brotli-encoded `brotliPlainText` (quality 5), made once with libbrotlienc's `BrotliEncoderCompress`;
/// the store only links the decoder.
let brotliPlainText = #"{"id":"msg_br","type":"message","content":[{"type":"text","text":"hello from brotli, hello from brotli"}]}"#
let brotliEncoded: [UInt8] = [
    0x1b, 0x69, 0x00, 0x00, 0x04, 0xc2, 0x6d, 0xa5, 0x3a, 0x2e, 0x2f, 0xa4, 0xa5, 0x2a, 0x22, 0x8a,
    0x22, 0x82, 0x22, 0xb8, 0x0f, 0x0f, 0xa2, 0x4e, 0x4e, 0x0f, 0x8a, 0xdf, 0xf1, 0xbb, 0xe5, 0x41,
    0x20, 0xd4, 0x02, 0xcd, 0x79, 0x28, 0xf9, 0xa3, 0x23, 0xba, 0x3a, 0x67, 0xef, 0x65, 0x54, 0x8c,
    0xe5, 0x3d, 0x95, 0x83, 0x72, 0xf9, 0x22, 0x6e, 0xcd, 0x3d, 0xf7, 0x86, 0xf2, 0xf2, 0xad, 0x2d,
    0xdc, 0x00, 0x81, 0x3f, 0x6a, 0xcb, 0x58, 0x85, 0xa5, 0xf6, 0x2e, 0xe5, 0xec, 0x6f, 0x0e, 0x15,
    0x0d, 0x2f, 0x3e,
]

/// Whether SightlineLLM's SSE timing is still the placeholder that returns no events.
let sseTimerIsPlaceholder = SSEEventTimer.timedEvents(
    body: Array("data: x\n\n".utf8), chunks: [ChunkArrival(endOffset: 9, tMs: 1)]).isEmpty

extension Array where Element == UInt8 {
    var string: String { String(decoding: self, as: UTF8.self) }
}
