import Foundation
import SightlineCore
import SightlineLLM
import SightlineStore
import SightlineTestSupport
@testable import SightlineTelemetry
import Testing

/// What a recorded flow becomes in a trace, as a value: fixtures of the providers' wire formats go through the
/// recorder's own builder and analyzer, and the span is read back attribute by attribute.
@Suite struct GenAISpanTests {
    let builder = FlowRecordBuilder(analyzer: LLMAnalyzer(prices: PriceTable.load(userFile: nil)))

    @Test func anthropicToolUseBecomesAChatSpanWithTheConventionsAttributes() throws {
        let record = try self.record("anthropic/messages-tool-use", url: "https://api.anthropic.com/v1/messages")
        let span = try #require(GenAISpan(record: record, options: .init()))
        #expect(span.name == "chat claude-sonnet-4-20250514")
        let a = span.attributes
        #expect(a["gen_ai.operation.name"] == .string("chat"))
        #expect(a["gen_ai.provider.name"] == .string("anthropic"))
        #expect(a["gen_ai.request.model"] == .string("claude-sonnet-4-20250514"))
        #expect(a["gen_ai.response.model"] == .string("claude-sonnet-4-20250514"))
        #expect(a["gen_ai.response.finish_reasons"] == .strings(["tool_use"]))
        #expect(a["gen_ai.request.max_tokens"] == .int(1024))
        #expect(a["gen_ai.request.stream"] == .bool(false))
        #expect(a["server.address"] == .string("api.anthropic.com"))
        #expect(a["server.port"] == .int(443))
        #expect(a["http.response.status_code"] == .int(200))
        #expect(a["gen_ai.usage.input_tokens"] != nil && a["gen_ai.usage.output_tokens"] != nil)
        if case .string(let id)? = a["gen_ai.response.id"] { #expect(id.hasPrefix("msg_")) } else { Issue.record("no response id") }
        #expect(a["sightline.flow.id"] == .string(record.id.description))
        #expect(span.failure == nil && a["error.type"] == nil)
        #expect(span.endNanos - span.startNanos == 180_750_000, "the flow's duration, 180.75 ms")
        #expect(span.parent == nil, "no traceparent, no session")
        for key in ["gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions", "gen_ai.tool.definitions"] {
            #expect(a[key] == nil, "\(key) only when content capture is on")
        }
    }

    @Test func contentFollowsTheConventionsJSONShapes() throws {
        let record = try self.record("anthropic/messages-tool-use", url: "https://api.anthropic.com/v1/messages")
        let span = try #require(GenAISpan(record: record, options: .init(captureContent: true)))
        let output = try #require(json(span.attributes["gen_ai.output.messages"]) as? [[String: Any]])
        #expect(output.first?["finish_reason"] as? String == "tool_use")
        let parts = output.first?["parts"] as? [[String: Any]] ?? []
        let call = try #require(parts.first { $0["type"] as? String == "tool_call" })
        #expect(call["name"] as? String == "get_weather")
        #expect((call["arguments"] as? [String: Any])?["location"] != nil)
        let tools = try #require(json(span.attributes["gen_ai.tool.definitions"]) as? [[String: Any]])
        #expect(tools.map { $0["name"] as? String } == ["get_weather"])

        let result = GenAIContent.part(.init(type: "tool_result", text: "rainy, 57°F", id: "call_1"))
        #expect(result == .object(["type": .string("tool_call_response"), "id": .string("call_1"), "response": .string("rainy, 57°F")]))
        let inline = GenAIContent.part(.init(type: "image", url: "data:image/png;base64,AAAA", mediaType: "image/png"))
        #expect(inline == .object(["type": .string("image"), "mime_type": .string("image/png")]), "inline bytes are not exported")
        let linked = GenAIContent.part(.init(type: "image", url: "https://example.com/cat.jpg"))
        #expect(linked == .object(["type": .string("uri"), "modality": .string("image"), "uri": .string("https://example.com/cat.jpg")]))
    }

    @Test func omittedContentIsNotExportedEvenWhenCaptureIsOn() throws {
        let record = try self.record("anthropic/messages-tool-use", url: "https://api.anthropic.com/v1/messages",
                                     headers: [HeaderField("Sightline-Omit-Request", "true"), HeaderField("Sightline-Omit-Response", "true")])
        let span = try #require(GenAISpan(record: record, options: .init(captureContent: true)))
        #expect(span.attributes["gen_ai.input.messages"] == nil)
        #expect(span.attributes["gen_ai.output.messages"] == nil)
        #expect(span.attributes["gen_ai.system_instructions"] == nil)
    }

    @Test func theAppsTraceparentNamesTheParentAndASessionSharesOneTrace() throws {
        let traced = try record("openai/chat-completions", url: "https://api.openai.com/v1/chat/completions",
                                headers: [HeaderField("TraceParent", "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01"),
                                          HeaderField("tracestate", "congo=t61rcWkgMzE")])
        let parent = try #require(GenAISpan(record: traced, options: .init())?.parent)
        #expect(parent == TraceParent(traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", tracestate: "congo=t61rcWkgMzE"))

        func sessionParent(_ session: String, extra: [HeaderField] = []) throws -> TraceParent? {
            try GenAISpan(record: record("openai/chat-completions", url: "https://api.openai.com/v1/chat/completions",
                                         headers: [HeaderField("Helicone-Session-Id", session)] + extra), options: .init())?.parent
        }
        let first = try #require(try sessionParent("run-42"))
        #expect(try sessionParent("run-42") == first, "the same session, the same trace")
        #expect(try sessionParent("run-43")?.traceparent != first.traceparent)
        #expect(TraceParent.isValid(first.traceparent))
        #expect(try sessionParent("run-42", extra: [HeaderField("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")])?
            .traceparent.contains("0af7651916cd43dd8448eb211c80319c") == true, "the app's own trace wins over the session's")
        #expect(try sessionParent("run-42", extra: [HeaderField("traceparent", "garbage")]) == first, "a malformed header is ignored")
    }

    @Test func traceparentValidation() {
        #expect(TraceParent.isValid("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
        #expect(TraceParent.isValid("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-later"), "a later version may add fields")
        #expect(!TraceParent.isValid("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra"), "version 00 has four")
        #expect(!TraceParent.isValid("00-00000000000000000000000000000000-b7ad6b7169203331-01"), "all-zero trace id")
        #expect(!TraceParent.isValid("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01"), "all-zero parent id")
        #expect(!TraceParent.isValid("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"), "version ff is invalid")
        #expect(!TraceParent.isValid("00-0af7651916cd43dd8448eb211c8031-b7ad6b7169203331-01"), "short trace id")
        #expect(!TraceParent.isValid("00-0af7651916cd43dd8448eb211c80319z-b7ad6b7169203331-01"), "not hex")
    }

    @Test func aProviderErrorIsAnErrorSpanTypedByItsStatus() throws {
        let record = try self.record("openai/error-429", url: "https://api.openai.com/v1/chat/completions", status: 429)
        let span = try #require(GenAISpan(record: record, options: .init()))
        #expect(span.attributes["error.type"] == .string("429"))
        #expect(span.attributes["http.response.status_code"] == .int(429))
        #expect(span.failure?.isEmpty == false)
    }

    @Test func onlyCallsTheConventionsNameBecomeSpans() throws {
        let lookup = try record(nil, url: "https://api.openai.com/v1/models/gpt-4o", method: "GET")
        #expect(GenAISpan(record: lookup, options: .init()) == nil, "not an LLM call")
        let counting = try record(nil, url: "https://api.anthropic.com/v1/messages/count_tokens",
                                  requestBody: #"{"model":"claude-sonnet-4-20250514","messages":[]}"#, responseBody: #"{"input_tokens":12}"#)
        #expect(counting.summary.provider == "anthropic")
        #expect(GenAISpan(record: counting, options: .init()) == nil, "token counting is no operation of the conventions")
    }

    @Test func requestParametersAreReadInEachFormatsSpelling() {
        let gemini = GenAISpan.requestParameters(["temperature": .number(1), "maxOutputTokens": .number(256), "topK": .number(40),
                                                  "stopSequences": .array([.string("END")]), "candidateCount": .number(2)])
        #expect(gemini == ["gen_ai.request.temperature": .double(1), "gen_ai.request.max_tokens": .int(256),
                           "gen_ai.request.top_k": .double(40), "gen_ai.request.stop_sequences": .strings(["END"]),
                           "gen_ai.request.choice.count": .int(2)])
        let openAI = GenAISpan.requestParameters(["max_completion_tokens": .number(300), "stop": .string("\n"), "seed": .number(7), "n": .number(1)])
        #expect(openAI == ["gen_ai.request.max_tokens": .int(300), "gen_ai.request.stop_sequences": .strings(["\n"]),
                           "gen_ai.request.seed": .int(7)])
    }

    @Test func aBedrockConverseCallIsAnAWSBedrockChatSpan() throws {
        let record = try self.record("bedrock/converse",
                                     url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse")
        let span = try #require(GenAISpan(record: record, options: .init()))
        #expect(span.name == "chat us.anthropic.claude-3-5-haiku-20241022-v1:0")
        let a = span.attributes
        #expect(a["gen_ai.operation.name"] == .string("chat"))
        #expect(a["gen_ai.provider.name"] == .string("aws.bedrock"))
        #expect(a["gen_ai.request.max_tokens"] == .int(512))
        #expect(a["gen_ai.request.top_p"] == .double(0.9))
        #expect(a["gen_ai.request.stop_sequences"] == .strings(["END"]))
        #expect(a["gen_ai.usage.input_tokens"] == .int(25) && a["gen_ai.usage.output_tokens"] == .int(18))
        #expect(a["gen_ai.response.finish_reasons"] == .strings(["end_turn"]))
    }

    // MARK: Helpers

    /// A fixture's request and response as the proxy would capture them, built into a record by the recorder's builder.
    func record(_ scenario: String?, url: String, method: String = "POST", headers: [HeaderField] = [], status: Int = 200,
                        requestBody: String? = nil, responseBody: String? = nil) throws -> FlowRecord {
        let directory = PackageRoot.url.appendingPathComponent("Tests/Fixtures")
        let request = try requestBody ?? scenario.map { try String(contentsOf: directory.appendingPathComponent("\($0)/request.json"), encoding: .utf8) } ?? ""
        let response = try responseBody ?? scenario.map { try String(contentsOf: directory.appendingPathComponent("\($0)/response.json"), encoding: .utf8) } ?? "{}"
        var timings = FlowTimings(start: Date(timeIntervalSince1970: 1_764_000_000.25))
        timings.requestSentMs = 4
        timings.firstByteMs = 120.5
        timings.lastByteMs = 180.75
        let allHeaders = [HeaderField("Content-Type", "application/json"), HeaderField("Authorization", "Bearer sk-secret-1234")] + headers
        var capture = FlowCapture(id: FlowID.make(at: timings.start), mode: .proxy, clientAddress: "127.0.0.1:50000",
                                  request: CapturedRequest(method: method, url: url, httpVersion: "HTTP/1.1", headers: allHeaders,
                                                           body: CapturedBody(capBytes: 1 << 20, bytes: Array(request.utf8))),
                                  timings: timings)
        capture.annotations = FlowAnnotations.parse(allHeaders)
        capture.response = CapturedResponse(status: status, reason: "", httpVersion: "HTTP/1.1",
                                            headers: [HeaderField("Content-Type", "application/json")],
                                            body: CapturedBody(capBytes: 1 << 20, bytes: Array(response.utf8)))
        return builder.build(capture)
    }

    private func json(_ value: AttributeValue?) -> Any? {
        guard case .string(let text)? = value else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(text.utf8))
    }
}

extension GenAISpanTests {
    @Test func aClientHangingUpAfterACompleteStreamIsNoFailure() throws {
        var record = try record("anthropic/messages-tool-use", url: "https://api.anthropic.com/v1/messages")
        record.detail.summary.error = "client disconnected before the response was complete"
        record.detail.summary.errorKind = .clientGone
        record.detail.summary.stream = true
        #expect(GenAISpan(record: record, options: .init())?.failure == nil, "the stream was whole")
        record.detail.summary.truncated = true
        let cut = try #require(GenAISpan(record: record, options: .init()))
        #expect(cut.failure == "client disconnected before the response was complete")
        #expect(cut.attributes["error.type"] == .string("client_gone"))
    }

    @Test func anUnreachableProviderIsAnErrorTypedBySightlinesErrorKind() throws {
        var record = try record("openai/chat-completions", url: "https://api.openai.com/v1/chat/completions")
        record.detail.summary.status = nil
        record.detail.summary.error = "upstream refused the connection"
        record.detail.summary.errorKind = .upstreamRefused
        let span = try #require(GenAISpan(record: record, options: .init()))
        #expect(span.failure == "upstream refused the connection")
        #expect(span.attributes["error.type"] == .string("upstream_refused"))
        #expect(span.attributes["http.response.status_code"] == nil)
    }

    @Test func aWebSocketSessionIsASpanOnceItEnds() throws {
        var record = try record("openai/chat-completions", url: "https://api.openai.com/v1/chat/completions")
        record.detail.summary.websocket = WebSocketSummary(messages: 12, open: true)
        #expect(GenAISpan(record: record, options: .init()) == nil, "still open: its updates make no spans")
        record.detail.summary.websocket = WebSocketSummary(messages: 14, open: false)
        #expect(GenAISpan(record: record, options: .init())?.attributes["sightline.websocket.messages"] == .int(14))
    }

    @Test func theSessionIsTheConversationID() throws {
        let record = try record("openai/chat-completions", url: "https://api.openai.com/v1/chat/completions",
                                headers: [HeaderField("Sightline-Session-Id", "run-7"), HeaderField("Sightline-Session-Path", "/plan/search")])
        let span = try #require(GenAISpan(record: record, options: .init(uiBaseURL: "http://127.0.0.1:9021")))
        #expect(span.attributes["gen_ai.conversation.id"] == .string("run-7"))
        #expect(span.attributes["sightline.session.path"] == .string("/plan/search"))
        #expect(span.attributes["sightline.flow.url"] == .string("http://127.0.0.1:9021/#/flows/\(record.id)"))
    }
}
