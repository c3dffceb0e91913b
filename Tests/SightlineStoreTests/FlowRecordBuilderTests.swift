import Foundation
import SightlineCore
import SightlineLLM
import Testing
@testable import SightlineStore

@Suite("FlowRecordBuilder")
struct FlowRecordBuilderTests {
    @Test("secrets are redacted in headers, URL, upstream URL and a JSON body key; order and case kept")
    func redaction() {
        var capture = makeCapture(
            url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-pro:generateContent?key=AIzaSyABCDEFGHIJKLMNOP&alt=sse",
            requestHeaders: [
                HeaderField("Host", "generativelanguage.googleapis.com"),
                HeaderField("authorization", "Bearer sk-proj-abcdefghijklmnop1234"),
                HeaderField("Content-Type", "application/json"),
                HeaderField("X-Api-Key", "sk-ant-api03-secretvalue9876"),
                HeaderField("X-Trace", "keep-me"),
            ],
            requestBody: Array(#"{"model": "m", "api_key": "sk-live-abcdefghijkl5678", "n": 1}"#.utf8))
        capture.upstreamURL = "http://127.0.0.1:8080/v1beta/models/gemini-pro:generateContent?key=AIzaSyABCDEFGHIJKLMNOP"
        let record = testBuilder.build(capture)
        let request = record.detail.request

        #expect(request.headers == [
            HeaderField("Host", "generativelanguage.googleapis.com"),
            HeaderField("authorization", "Bearer ****1234"),
            HeaderField("Content-Type", "application/json"),
            HeaderField("X-Api-Key", "****9876"),
            HeaderField("X-Trace", "keep-me"),
        ])
        #expect(record.summary.url == "https://generativelanguage.googleapis.com/v1beta/models/gemini-pro:generateContent?key=****MNOP&alt=sse")
        #expect(request.url == record.summary.url)
        #expect(record.summary.upstreamURL == "http://127.0.0.1:8080/v1beta/models/gemini-pro:generateContent?key=****MNOP")
        #expect(request.body.bytes.string == #"{"model": "m", "api_key": "****5678", "n": 1}"#)
        #expect(record.summary.host == "generativelanguage.googleapis.com")
    }

    @Test("a body key named key is redacted; other JSON and non-JSON bodies are untouched")
    func bodyKeyOnlyWhenJSON() {
        let withKey = testBuilder.build(makeCapture(requestBody: Array(#"{"key":"abcdefghijklmnopWXYZ"}"#.utf8)))
        #expect(withKey.detail.request.body.bytes.string == #"{"key":"****WXYZ"}"#)
        let nested = #"{"config":{"api_key":"not-top-level-1234"}}"#
        #expect(testBuilder.build(makeCapture(requestBody: Array(nested.utf8))).detail.request.body.bytes.string == nested)
        let form = "api_key=abcdefghijklmnop"
        #expect(testBuilder.build(makeCapture(requestBody: Array(form.utf8))).detail.request.body.bytes.string == form)
    }

    @Test("gzip, zlib deflate, raw deflate, br and chained encodings are decoded; the header stays")
    func decoding() {
        let json = Array(#"{"choices":[{"message":{"content":"decoded!"}}]}"#.utf8)
        let cases: [(String, [UInt8], [UInt8])] = [
            ("gzip", deflate(json, windowBits: 31), json),
            ("deflate", deflate(json, windowBits: 15), json),
            ("deflate", deflate(json, windowBits: -15), json),
            ("br", brotliEncoded, Array(brotliPlainText.utf8)),
            ("br, gzip", deflate(brotliEncoded, windowBits: 31), Array(brotliPlainText.utf8)),
            ("identity", json, json),
        ]
        for (encoding, wire, plain) in cases {
            let record = testBuilder.build(makeCapture(
                responseHeaders: [HeaderField("Content-Type", "application/json"), HeaderField("Content-Encoding", encoding)],
                responseBody: wire))
            let body = record.detail.response!.body
            #expect(body.bytes == plain, "\(encoding)")
            #expect(body.decoded == (encoding != "identity"), "\(encoding)")
            #expect(body.size == wire.count, "the true wire size for \(encoding)")
            #expect(record.summary.responseBytes == wire.count)
            #expect(record.detail.response!.headers.first(named: "content-encoding") == encoding)
        }
    }

    @Test("a gzip request body is decoded too, before the body key redaction")
    func gzipRequest() {
        let record = testBuilder.build(makeCapture(
            requestHeaders: [HeaderField("Content-Encoding", "gzip")],
            requestBody: deflate(Array(#"{"api_key":"abcdefghijklmnop9999"}"#.utf8))))
        #expect(record.detail.request.body.bytes.string == #"{"api_key":"****9999"}"#)
        #expect(record.detail.request.body.decoded)
    }

    @Test("corrupt, truncated, unknown and oversized encodings keep the raw bytes")
    func undecodable() {
        var small = testBuilder
        small.maxDecodedBytes = 1000
        let bomb = deflate([UInt8](repeating: 0, count: 100_000))
        let gzipped = deflate(Array(String(repeating: "abc", count: 100).utf8))
        let cases: [(String, [UInt8])] = [
            ("gzip", Array("not gzip at all".utf8)),
            ("gzip", Array(gzipped.prefix(gzipped.count / 2))),
            ("zstd", [0x28, 0xb5, 0x2f, 0xfd]),
            ("br", [0xff, 0xff, 0xff]),
            ("gzip", bomb),
        ]
        for (encoding, wire) in cases {
            let record = small.build(makeCapture(
                responseHeaders: [HeaderField("Content-Encoding", encoding)], responseBody: wire))
            #expect(record.detail.response!.body.bytes == wire, "\(encoding)")
            #expect(record.detail.response!.body.decoded == false)
        }
    }

    @Test("a capped body is flagged truncated with its true size")
    func truncatedBody() {
        var capture = makeCapture(capBytes: 16)
        capture.response!.body.append([UInt8](repeating: 0x41, count: 1000))
        let record = testBuilder.build(capture)
        let body = record.detail.response!.body
        #expect(body.bytes.count == 16)
        #expect(body.truncated)
        #expect(body.size == #"{"id":"chatcmpl-1"}"#.utf8.count + 1000)
        #expect(record.summary.responseBytes == body.size)
        #expect(record.detail.request.body.truncated) // the 32-byte request body is over the 16-byte cap too
    }

    @Test("derived summary fields: duration, ttfb, host, sizes, annotations, error and its kind")
    func derived() {
        var capture = makeCapture(url: "https://API.Anthropic.com:443/v1/messages")
        capture.annotations.sessionID = "s-1"
        capture.annotations.userID = "u-1"
        capture.annotations.properties = ["env": "prod"]
        capture.error = "upstream reset mid-stream"
        capture.errorKind = .upstreamReset
        let summary = testBuilder.build(capture).summary
        #expect(summary.host == "api.anthropic.com")
        #expect(summary.durationMs == 180.75)
        #expect(summary.ttfbMs == 116.5)
        #expect(summary.requestBytes == #"{"model":"gpt-4o","messages":[]}"#.utf8.count)
        #expect(summary.sessionID == "s-1")
        #expect(summary.userID == "u-1")
        #expect(summary.properties == ["env": "prod"])
        #expect(summary.error == "upstream reset mid-stream")
        #expect(summary.errorKind == .upstreamReset)
        #expect(testBuilder.build(makeCapture()).summary.errorKind == nil)
        #expect(summary.clientAddress == "127.0.0.1:50123")
        #expect(FlowRecordBuilder.host(of: "api.openai.com:443") == "api.openai.com")
        #expect(FlowRecordBuilder.host(of: "http://user:pw@[::1]:8080/x") == "::1")
    }

    @Test("the analysis fills the LLM columns and the search text")
    func analysisMapping() {
        let record = makeRecord(makeCapture(), analysis: makeAnalysis(provider: "openai", model: "gpt-4o-mini"))
        let summary = record.summary
        #expect(summary.provider == "openai")
        #expect(summary.endpoint == "chat.completions")
        #expect(summary.model == "gpt-4o-mini")
        #expect(summary.stream)
        #expect(summary.inputTokens == 12 && summary.outputTokens == 34)
        #expect(summary.cachedInputTokens == 5 && summary.reasoningTokens == 7)
        #expect(summary.costUSD == Decimal(string: "0.000123"))
        #expect(summary.ttftMs == 99.5)
        #expect(summary.finishReason == "stop")
        #expect(summary.toolCallCount == 2)
        #expect(record.detail.conversation?.system == "be brief")
        #expect(record.searchText.contains("hello"))
    }

    @Test("Omit-Request and Omit-Response drop that side's headers, body and text but keep the summary")
    func omissions() {
        var capture = makeCapture()
        capture.annotations.omitRequest = true
        capture.annotations.omitResponse = true
        let record = makeRecord(capture, analysis: makeAnalysis())
        #expect(record.detail.request.headers.isEmpty)
        #expect(record.detail.request.body.bytes.isEmpty)
        #expect(record.detail.request.body.omitted)
        #expect(record.detail.request.body.size == capture.request.body.totalBytes)
        #expect(record.detail.response?.headers.isEmpty == true)
        #expect(record.detail.response?.body.bytes.isEmpty == true)
        #expect(record.detail.conversation?.messages.isEmpty == true)
        #expect(record.detail.conversation?.system == nil)
        #expect(record.detail.conversation?.output.isEmpty == true)
        #expect(record.searchText.isEmpty)
        #expect(record.summary.model == "gpt-4o")
        #expect(record.summary.inputTokens == 12)
    }

    @Test("a tunnel keeps byte counts and no bodies")
    func tunnel() {
        var capture = makeCapture(mode: .tunnel, method: "CONNECT", url: "example.com:443", requestHeaders: [],
                                  requestBody: [], responseHeaders: [], responseBody: [])
        capture.request.body.count(5_000)
        capture.response!.body.count(70_000)
        let record = testBuilder.build(capture)
        #expect(record.summary.mode == .tunnel)
        #expect(record.summary.host == "example.com")
        #expect(record.summary.requestBytes == 5_000)
        #expect(record.summary.responseBytes == 70_000)
        #expect(record.detail.request.body.bytes.isEmpty)
        #expect(record.summary.provider == nil)
    }

    @Test("SSE events get the time of the chunk that completed them")
    func sseTiming() {
        let body = Array("event: a\ndata: 1\n\nevent: b\ndata: 2\n\n".utf8)
        var capture = makeCapture(responseHeaders: [HeaderField("Content-Type", "text/event-stream; charset=utf-8")],
                                  responseBody: body)
        capture.responseChunks = [ChunkArrival(endOffset: 18, tMs: 10), ChunkArrival(endOffset: 36, tMs: 25)]
        let events = testBuilder.build(capture).detail.events
        withKnownIssue("SSEEventTimer is still a placeholder in SightlineLLM") {
            #expect(events == [TimedSSEEvent(tMs: 10, event: "a", data: "1"), TimedSSEEvent(tMs: 25, event: "b", data: "2")])
        } when: {
            sseTimerIsPlaceholder
        }
        // Whatever the timer returns is what is stored.
        #expect(events == SSEEventTimer.timedEvents(body: body, chunks: capture.responseChunks))
    }

    @Test("a compressed SSE stream's events all get the last byte's time")
    func compressedSSE() {
        let body = Array("data: 1\n\ndata: 2\n\n".utf8)
        var capture = makeCapture(responseHeaders: [HeaderField("Content-Type", "text/event-stream"),
                                                    HeaderField("Content-Encoding", "gzip")],
                                  responseBody: deflate(body))
        capture.responseChunks = [ChunkArrival(endOffset: 5, tMs: 10), ChunkArrival(endOffset: 30, tMs: 25)]
        let events = testBuilder.build(capture).detail.events
        withKnownIssue("SSEEventTimer is still a placeholder in SightlineLLM") {
            #expect(events.map(\.tMs) == [180.75, 180.75])
            #expect(events.map(\.data) == ["1", "2"])
        } when: {
            sseTimerIsPlaceholder
        }
    }
}
