import Foundation
import SightlineCore
import Testing
@testable import SightlineLLM

@Suite("Amazon Bedrock")
struct BedrockTests {
    static let host = "https://bedrock-runtime.us-east-1.amazonaws.com/model/"
    static let haiku = host + "us.anthropic.claude-3-5-haiku-20241022-v1%3A0/"

    @Test func converse() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("bedrock/converse", url: Self.haiku + "converse")))
        #expect(a.provider == "bedrock")
        #expect(a.endpoint == "converse")
        #expect(a.model == "us.anthropic.claude-3-5-haiku-20241022-v1:0")
        #expect(a.stream == false)
        let c = a.conversation
        #expect(c.system == "You are a friendly assistant.")
        #expect(c.messages.map(\.role) == ["user"])
        #expect(c.messages[0].text == "Hello, Claude")
        #expect(c.parameters["maxTokens"] == .number(512))
        #expect(c.parameters["temperature"] == .number(0.5))
        #expect(c.parameters["stopSequences"] == .array([.string("END")]))
        #expect(c.output.map(\.role) == ["assistant"])
        #expect(c.output[0].text == "Hello! It's nice to meet you. How can I help you today?")
        #expect(a.finishReason == "end_turn")
        #expect(a.usage == LLMUsage(inputTokens: 25, outputTokens: 18))
        // claude-3-5-haiku: 25 × $0.80 + 18 × $4 = 20 + 72 = 92 per million.
        #expect(a.costUSD == decimal("0.000092"))
        #expect(a.ttftMs == nil)
    }

    @Test func converseStreamIsTheTwinOfConverse() throws {
        let a = try #require(analyze(EventStreamExchangeBuilder.fixture("bedrock/converse-stream", url: Self.haiku + "converse-stream")))
        #expect(a.endpoint == "converse-stream")
        #expect(a.stream)
        #expect(a.truncated == false)
        #expect(a.model == "us.anthropic.claude-3-5-haiku-20241022-v1:0")
        #expect(a.conversation.output[0].text == "Hello! It's nice to meet you. How can I help you today?")
        #expect(a.finishReason == "end_turn")
        #expect(a.usage == LLMUsage(inputTokens: 25, outputTokens: 18))
        #expect(a.costUSD == decimal("0.000092"))
        // The first contentBlockDelta is frame 1 (after messageStart): 100 + 10 ms, minus the request at 20 ms.
        #expect(a.ttftMs == 90)
        #expect(a.tokensPerSecond != nil)
    }

    @Test func converseStreamReadFromTheBodyWhenUntimed() throws {
        let exchange = EventStreamExchangeBuilder.exchange(
            url: Self.haiku + "converse-stream", request: Fixture.bytes("bedrock/converse-stream/request.json"),
            response: Fixture.bytes("bedrock/converse-stream/response.eventstream"), timed: false)
        let a = try #require(analyze(exchange))
        #expect(a.conversation.output[0].text == "Hello! It's nice to meet you. How can I help you today?")
        #expect(a.usage.outputTokens == 18)
    }

    @Test func converseStreamWithReasoningAndToolUse() throws {
        let url = Self.host + "us.anthropic.claude-sonnet-4-20250514-v1%3A0/converse-stream"
        let a = try #require(analyze(EventStreamExchangeBuilder.fixture("bedrock/converse-stream-tool-use", url: url)))
        #expect(a.conversation.tools.map(\.name) == ["get_weather"])
        #expect(a.conversation.tools[0].schema?["required"] == .array([.string("city")]))
        #expect(a.conversation.parameters["additionalModelRequestFields"]?["thinking"]?["budget_tokens"] == .number(1024))
        let output = try #require(a.conversation.output.first)
        #expect(output.parts.map(\.type) == ["reasoning", "text", "tool_call"])
        #expect(output.parts[0].text == "The user wants Seattle's weather. I should call get_weather.")
        #expect(output.text == "Let me look that up.")
        let call = output.parts[2]
        #expect(call.id == "tooluse_Xq3tLk0zRqW5nJ1pZ9c7Aw")
        #expect(call.name == "get_weather")
        #expect(call.arguments == #"{"city": "Seattle"}"#)
        #expect(a.toolCallCount == 1)
        #expect(a.finishReason == "tool_use")
        // claude-sonnet-4: 402 × $3 + 96 × $15 = 1206 + 1440 = 2646 per million.
        #expect(a.costUSD == decimal("0.002646"))
        #expect(a.ttftMs == 90, "the first reasoning delta is output")
    }

    @Test func converseStreamWithoutMessageStopIsTruncated() throws {
        let body = Fixture.bytes("bedrock/converse-stream/response.eventstream")
        let ends = EventStreamExchangeBuilder.frameEnds(body)
        let exchange = EventStreamExchangeBuilder.exchange(
            url: Self.haiku + "converse-stream", request: Fixture.bytes("bedrock/converse-stream/request.json"),
            response: Array(body.prefix(ends[5] + 7))) // cut inside messageStop
        let a = try #require(analyze(exchange))
        #expect(a.truncated)
        #expect(a.conversation.output[0].text == "Hello! It's nice to meet you. How can I help you today?")
        #expect(a.usage.outputTokens == nil)
        #expect(a.costUSD == nil)
    }

    @Test func converseToolRoundWithCacheReads() throws {
        let url = Self.host + "anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse"
        let a = try #require(analyze(ExchangeBuilder.fixture("bedrock/converse-tool-use", url: url)))
        let c = a.conversation
        #expect(c.system == "You answer weather questions with the tool.")
        #expect(c.messages.map(\.role) == ["user", "assistant", "tool"])
        let call = try #require(c.messages[1].parts(ofType: "tool_call").first)
        #expect(call.id == "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q")
        #expect(JSONValue.parse(call.arguments ?? "") == .object(["city": .string("Seattle"), "unit": .string("celsius")]))
        let result = try #require(c.messages[2].parts.first)
        #expect(result.type == "tool_result")
        #expect(result.id == "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q")
        #expect(result.isError == false)
        #expect(JSONValue.parse(result.text ?? "") == .object(["temperature": .number(12), "conditions": .string("rain")]))
        #expect(c.tools.first?.description == "Get the current weather for a city.")
        #expect(c.parameters["toolChoice"] == .object(["auto": .object([:])]))
        #expect(c.output[0].text == "It is 12 °C and raining in Seattle right now.")
        #expect(a.usage == LLMUsage(inputTokens: 412, outputTokens: 17, cachedInputTokens: 1800, cacheWriteTokens: 0))
        // claude-3-5-sonnet: inputTokens excludes the cache reads, as Anthropic's does:
        // 412 × $3 + 1800 × $0.30 + 17 × $15 = 1236 + 540 + 255 = 2031 per million.
        #expect(a.costUSD == decimal("0.002031"))
    }

    @Test func invokeWithAnthropicBody() throws {
        let url = Self.host + "anthropic.claude-3-5-sonnet-20241022-v2%3A0/invoke"
        let a = try #require(analyze(ExchangeBuilder.fixture("bedrock/invoke-anthropic", url: url)))
        #expect(a.provider == "bedrock")
        #expect(a.endpoint == "invoke")
        #expect(a.model == "anthropic.claude-3-5-sonnet-20241022-v2:0", "the Bedrock model id, not the body's name")
        #expect(a.responseModel == "claude-3-5-sonnet-20241022")
        #expect(a.conversation.system == "You are a friendly assistant.")
        #expect(a.conversation.parameters["anthropic_version"] == .string("bedrock-2023-05-31"))
        #expect(a.conversation.output[0].text == "Hello! It's nice to meet you. How can I help you today?")
        #expect(a.finishReason == "end_turn")
        // 25 × $3 + 18 × $15 = 75 + 270 = 345 per million.
        #expect(a.costUSD == decimal("0.000345"))
    }

    @Test func invokeWithResponseStreamUnwrapsAnthropicEvents() throws {
        let url = Self.host + "anthropic.claude-3-5-sonnet-20241022-v2%3A0/invoke-with-response-stream"
        let a = try #require(analyze(EventStreamExchangeBuilder.fixture("bedrock/invoke-anthropic-stream", url: url)))
        #expect(a.endpoint == "invoke-with-response-stream")
        #expect(a.stream)
        #expect(a.truncated == false)
        #expect(a.conversation.output[0].text == "Hello! It's nice to meet you. How can I help you today?")
        #expect(a.usage == LLMUsage(inputTokens: 25, outputTokens: 18, cachedInputTokens: nil, cacheWriteTokens: nil))
        #expect(a.costUSD == decimal("0.000345"))
        // The first text_delta is frame 2: 100 + 2 × 10 − 20 ms.
        #expect(a.ttftMs == 100)
    }

    @Test func novaInvokeStreamChunksWrapConverseEvents() throws {
        func chunk(_ json: String) -> TimedSSEEvent { TimedSSEEvent(tMs: 50, event: "chunk", data: json) }
        let events = [
            chunk(#"{"messageStart":{"role":"assistant"}}"#),
            chunk(#"{"contentBlockDelta":{"delta":{"text":"Hi"},"contentBlockIndex":0}}"#),
            chunk(#"{"contentBlockStop":{"contentBlockIndex":0}}"#),
            chunk(#"{"messageStop":{"stopReason":"end_turn"}}"#),
            chunk(#"{"metadata":{"usage":{"inputTokens":1000,"outputTokens":500}},"amazon-bedrock-invocationMetrics":{"inputTokenCount":1000}}"#),
        ]
        let exchange = LLMExchange(
            method: "POST", url: Self.host + "us.amazon.nova-lite-v1:0/invoke-with-response-stream", requestHeaders: [],
            requestBody: Array(#"{"schemaVersion":"messages-v1","messages":[{"role":"user","content":[{"text":"Hi"}]}]}"#.utf8),
            status: 200, responseHeaders: [HeaderField("Content-Type", "application/vnd.amazon.eventstream")], responseBody: [],
            events: events, requestSentMs: 10, firstByteMs: 50, lastByteMs: 50)
        let a = try #require(analyze(exchange))
        #expect(a.conversation.messages.first?.text == "Hi")
        #expect(a.conversation.parameters["schemaVersion"] == nil)
        #expect(a.conversation.output.first?.text == "Hi")
        #expect(a.finishReason == "end_turn")
        // nova-lite: 1000 × $0.06 + 500 × $0.24 = 60 + 120 = 180 per million.
        #expect(a.costUSD == decimal("0.00018"))
    }

    @Test func invokeOfAnUndecodedModelIsPricedFromBedrocksTokenHeaders() throws {
        let exchange = LLMExchange(
            method: "POST", url: Self.host + "meta.llama3-1-70b-instruct-v1%3A0/invoke", requestHeaders: [],
            requestBody: Array(#"{"prompt":"Hello","max_gen_len":128}"#.utf8), status: 200,
            responseHeaders: [HeaderField("Content-Type", "application/json"), HeaderField("X-Amzn-Bedrock-Input-Token-Count", "1000"),
                              HeaderField("X-Amzn-Bedrock-Output-Token-Count", "250")],
            responseBody: Array(#"{"generation":"Hi!","prompt_token_count":1000,"generation_token_count":250,"stop_reason":"stop"}"#.utf8),
            events: [], requestSentMs: 10, firstByteMs: 50, lastByteMs: 50)
        let a = try #require(analyze(exchange))
        #expect(a.model == "meta.llama3-1-70b-instruct-v1:0")
        #expect(a.usage == LLMUsage(inputTokens: 1000, outputTokens: 250))
        // Llama 3.1 70B on Bedrock: 1000 × $0.72 + 250 × $0.72 = 900 per million.
        #expect(a.costUSD == decimal("0.0009"))
    }

    @Test func streamExceptionIsRecordedAsTheError() throws {
        let events = [
            TimedSSEEvent(tMs: 30, event: "messageStart", data: #"{"role":"assistant"}"#),
            TimedSSEEvent(tMs: 40, event: "modelStreamErrorException", data: #"{"message":"The model stream failed."}"#),
        ]
        let exchange = LLMExchange(
            method: "POST", url: Self.haiku + "converse-stream", requestHeaders: [], requestBody: Array("{}".utf8), status: 200,
            responseHeaders: [HeaderField("Content-Type", "application/vnd.amazon.eventstream")], responseBody: [],
            events: events, requestSentMs: 10, firstByteMs: 30, lastByteMs: 40)
        let a = try #require(analyze(exchange))
        #expect(a.truncated)
        #expect(a.conversation.error == "modelStreamErrorException: The model stream failed.")
    }

    @Test func bedrockErrorIsNamedByItsErrorTypeHeader() throws {
        var exchange = ExchangeBuilder.exchange(url: Self.haiku + "converse", request: Fixture.bytes("bedrock/converse/request.json"),
                                                status: 400, response: Array(#"{"message":"The provided model identifier is invalid."}"#.utf8))
        #expect(analyze(exchange)?.conversation.error == "The provided model identifier is invalid.")
        exchange.responseHeaders.append(HeaderField("x-amzn-ErrorType", "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"))
        let a = try #require(analyze(exchange))
        #expect(a.conversation.error == "ValidationException: The provided model identifier is invalid.")
        #expect(a.conversation.output.isEmpty)
    }
}
