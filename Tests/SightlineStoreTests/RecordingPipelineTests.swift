import Foundation
import SightlineCore
import SightlineLLM
import Testing
@testable import SightlineStore

/// Captures through the recorder, the real analyzer and SQLite, checked the way the UI reads them.
@Suite("Recording pipeline")
struct RecordingPipelineTests {
    static let analyzer = LLMAnalyzer(prices: PriceTable.load(userFile: nil))

    static let streamBody = """
        data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":"Zebras"},"finish_reason":null}]}

        data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":" are striped."},"finish_reason":"stop"}]}

        data: {"id":"c1","object":"chat.completion.chunk","model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}

        data: [DONE]


        """

    @Test("a streamed OpenAI chat call is recorded, understood, timed and searchable")
    func streamedChat() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let recorder = FlowRecorder(store: store, builder: FlowRecordBuilder(analyzer: Self.analyzer),
                                    batchInterval: .milliseconds(5), logger: quietLogger)
        let writer = Task { await recorder.run() }

        let body = Array(Self.streamBody.utf8)
        let eventEnds = body.indices.filter { i in i >= 1 && body[i] == 0x0A && body[i - 1] == 0x0A }.map { $0 + 1 }
        var capture = makeCapture(
            requestHeaders: [HeaderField("Authorization", "Bearer sk-proj-abcdefghijklmnopqrst"),
                             HeaderField("Content-Type", "application/json")],
            requestBody: Array(#"{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Tell me about zebras"}]}"#.utf8),
            responseHeaders: [HeaderField("Content-Type", "text/event-stream")],
            responseBody: body)
        capture.responseChunks = eventEnds.enumerated().map { ChunkArrival(endOffset: $1, tMs: 100 + Double($0) * 10) }
        recorder.record(capture)
        await recorder.shutdown()
        await writer.value

        let summary = try #require(try await store.flows(FlowQuery(provider: "openai")).flows.first)
        #expect(summary.id == capture.id)
        #expect(summary.endpoint == "chat.completions")
        #expect(summary.model == "gpt-4o-2024-08-06")
        #expect(summary.stream)
        #expect(summary.inputTokens == 9 && summary.outputTokens == 4)
        #expect(summary.costUSD != nil, "gpt-4o has a price")
        #expect(summary.finishReason == "stop")
        #expect(summary.ttftMs == 96, "first content at 100 ms, request sent at 4 ms")
        #expect(try await store.flows(FlowQuery(q: "striped")).flows.map(\.id) == [capture.id])
        #expect(try await store.flows(FlowQuery(q: "zebras")).flows.map(\.id) == [capture.id])

        let detail = try #require(try await store.flow(id: capture.id))
        #expect(detail.events.map(\.tMs) == [100, 110, 120, 130])
        #expect(detail.events.last?.data == "[DONE]")
        #expect(detail.conversation?.output.first?.parts.first?.text == "Zebras are striped.")
        #expect(detail.request.headers.first?.value == "Bearer ****qrst")
    }

    @Test("a gzip JSON response is decoded before analysis")
    func gzipResponse() async throws {
        let response = #"{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[{"type":"text","text":"Penguins waddle."}],"stop_reason":"end_turn","usage":{"input_tokens":11,"output_tokens":5}}"#
        let capture = makeCapture(
            url: "https://api.anthropic.com/v1/messages",
            requestHeaders: [HeaderField("x-api-key", "sk-ant-abcdefghijklmnop"), HeaderField("anthropic-version", "2023-06-01"),
                             HeaderField("Content-Type", "application/json")],
            requestBody: Array(#"{"model":"claude-sonnet-4-20250514","max_tokens":100,"messages":[{"role":"user","content":"penguins?"}]}"#.utf8),
            responseHeaders: [HeaderField("Content-Type", "application/json"), HeaderField("Content-Encoding", "gzip")],
            responseBody: deflate(Array(response.utf8)))
        let record = FlowRecordBuilder(analyzer: Self.analyzer).build(capture)
        #expect(record.summary.provider == "anthropic")
        #expect(record.summary.model == "claude-sonnet-4-20250514")
        #expect(record.summary.outputTokens == 5)
        #expect(record.summary.finishReason == "end_turn")
        #expect(record.searchText.contains("Penguins waddle."))
        #expect(record.detail.response?.body.text == response)
    }
}
