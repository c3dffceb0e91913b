import SightlineCore
import Foundation
import Testing
@testable import SightlineLLM

@Suite("OpenAI Responses API")
struct OpenAIResponsesTests {
    static let url = "https://api.openai.com/v1/responses"

    @Test func nonStreamedResponse() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("openai/responses", url: Self.url)))
        #expect(a.endpoint == "responses")
        #expect(a.model == "o4-mini-2025-04-16")
        let c = a.conversation
        #expect(c.system == "You are a concise assistant.")
        #expect(c.messages.map(\.role) == ["user", "assistant", "tool"])
        #expect(c.messages[0].text == "What is the weather like in Paris today?")
        let call = try #require(c.messages[1].parts.first)
        #expect(call == Conversation.Part(type: "tool_call", id: "call_12345xyz", name: "get_weather",
                                          arguments: #"{"location":"Paris, France"}"#))
        #expect(c.messages[2].parts.first?.id == "call_12345xyz")
        #expect(c.messages[2].parts.first?.type == "tool_result")
        #expect(c.tools.map(\.name) == ["get_weather"])
        #expect(c.parameters["reasoning"]?["effort"] == .string("low"))
        #expect(c.parameters["max_output_tokens"] == .number(500))

        let output = try #require(c.output.first)
        #expect(output.parts.map(\.type) == ["reasoning", "text"])
        #expect(output.parts[0].text == "The tool said 14 degrees and cloudy.")
        #expect(output.text == "It is 14 °C and cloudy in Paris today.")
        #expect(a.finishReason == "completed")
        #expect(a.usage == LLMUsage(inputTokens: 328, outputTokens: 52, cachedInputTokens: 128, reasoningTokens: 32))
        // o4-mini: (328 − 128) × $1.10 + 128 × $0.275 + 52 × $4.40 = 220 + 35.2 + 228.8 = 484 per million.
        #expect(a.costUSD == decimal("0.000484"))
    }

    @Test func streamedResponse() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("openai/responses-stream", url: Self.url,
                                                             response: "response.sse")))
        #expect(a.stream)
        #expect(a.truncated == false)
        #expect(a.model == "gpt-4.1-2025-04-14")
        #expect(a.conversation.messages.first?.text == "Say hello, then look up the weather in Paris.")
        let output = try #require(a.conversation.output.first)
        #expect(output.text == "Hello! Let me check Paris.")
        #expect(output.parts(ofType: "tool_call").first?.arguments == #"{"location":"Paris, France"}"#)
        #expect(a.toolCallCount == 1)
        #expect(a.usage.inputTokens == 61)
        #expect(a.usage.outputTokens == 29)
        // Events 0…3 are created, in_progress, item added, part added; the first delta is event 4:
        // 100 + 4 × 10 ms, minus the request sent at 20 ms.
        #expect(a.ttftMs == 120)
    }

    @Test func streamCutBeforeCompletedIsRebuiltFromDeltas() throws {
        let sse = Fixture.bytes("openai/responses-stream/response.sse")
        let exchange = ExchangeBuilder.exchange(url: Self.url, request: Fixture.bytes("openai/responses-stream/request.json"),
                                                response: ExchangeBuilder.droppingLastEvent(sse),
                                                contentType: "text/event-stream", timedSSE: true)
        let a = try #require(analyze(exchange))
        #expect(a.truncated)
        let output = try #require(a.conversation.output.first)
        // The text equals the concatenation of every output_text delta in the stream.
        let deltas = SSEEventTimer.timedEvents(body: sse, chunks: [])
            .filter { $0.event == "response.output_text.delta" }
            .compactMap { JSONValue.parse($0.data)?["delta"]?.string }
        #expect(output.text == deltas.joined())
        #expect(output.parts(ofType: "tool_call").first?.name == "get_weather")
        #expect(a.usage.outputTokens == nil)
        #expect(a.costUSD == nil)
    }
}
