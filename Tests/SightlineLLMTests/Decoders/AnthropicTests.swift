import SightlineCore
import Foundation
import Testing
@testable import SightlineLLM

@Suite("Anthropic Messages")
struct AnthropicTests {
    static let url = "https://api.anthropic.com/v1/messages"

    @Test func nonStreamedToolUse() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("anthropic/messages-tool-use", url: Self.url)))
        #expect(a.provider == "anthropic")
        #expect(a.model == "claude-sonnet-4-20250514")
        let c = a.conversation
        #expect(c.system == "You are a weather assistant.")
        #expect(c.messages.map(\.role) == ["user"])
        #expect(c.messages[0].text == "What is the weather like in San Francisco?")
        #expect(c.tools.first?.name == "get_weather")
        #expect(c.tools.first?.schema?["required"] == .array([.string("location")]))
        #expect(c.parameters["max_tokens"] == .number(1024))
        #expect(c.parameters["temperature"] == .number(0.5))
        #expect(c.parameters["tool_choice"]?["type"] == .string("auto"))

        let output = try #require(c.output.first)
        #expect(output.text == "I'll check the current weather in San Francisco for you.")
        let call = try #require(output.parts(ofType: "tool_call").first)
        #expect(call.id == "toolu_01A09q90qw90lq917835lq9")
        #expect(call.name == "get_weather")
        #expect(JSONValue.parse(call.arguments ?? "") == .object(["location": .string("San Francisco, CA"),
                                                                  "unit": .string("celsius")]))
        #expect(a.finishReason == "tool_use")
        #expect(a.usage == LLMUsage(inputTokens: 472, outputTokens: 89, cachedInputTokens: 1800, cacheWriteTokens: 200))
        // claude-sonnet-4: input_tokens already excludes the cache, so
        // 472 × $3 + 1800 × $0.30 (read) + 200 × $3.75 (write) + 89 × $15 = 1416 + 540 + 750 + 1335 = 4041 per million.
        #expect(a.costUSD == decimal("0.004041"))
    }

    @Test func streamWithThinkingTextAndToolInput() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("anthropic/messages-stream-thinking", url: Self.url,
                                                             response: "response.sse")))
        #expect(a.stream)
        #expect(a.truncated == false)
        #expect(a.model == "claude-sonnet-4-5-20250929")
        #expect(a.conversation.system == "Answer weather questions with the tool.")
        #expect(a.conversation.parameters["thinking"]?["budget_tokens"] == .number(10000))
        let output = try #require(a.conversation.output.first)
        #expect(output.parts.map(\.type) == ["reasoning", "text", "tool_call"])
        #expect(output.parts[0].text == "The user wants the weather in San Francisco. I should call get_weather.")
        #expect(output.text == "Let me look that up for you.")
        let call = output.parts[2]
        #expect(call.id == "toolu_01T1x1fJ34qAmk2tNTrN7Up6")
        #expect(JSONValue.parse(call.arguments ?? "") == .object(["location": .string("San Francisco, CA"),
                                                                  "unit": .string("fahrenheit")]))
        #expect(a.finishReason == "tool_use")
        #expect(a.usage.inputTokens == 512)
        #expect(a.usage.outputTokens == 120) // message_delta's count replaces message_start's
        // claude-sonnet-4-5: 512 × $3 + 120 × $15 = 1536 + 1800 = 3336 per million.
        #expect(a.costUSD == decimal("0.003336"))
        // The first thinking_delta is event 3 (after message_start, content_block_start, ping):
        // 100 + 3 × 10 ms, minus the request sent at 20 ms.
        #expect(a.ttftMs == 110)
    }

    @Test func streamWithoutMessageStopIsTruncated() throws {
        let body = ExchangeBuilder.droppingLastEvent(Fixture.bytes("anthropic/messages-stream-thinking/response.sse"))
        let exchange = ExchangeBuilder.exchange(url: Self.url,
                                                request: Fixture.bytes("anthropic/messages-stream-thinking/request.json"),
                                                response: body, contentType: "text/event-stream", timedSSE: true)
        let a = try #require(analyze(exchange))
        #expect(a.truncated)
        #expect(a.finishReason == "tool_use")
    }

    @Test func toolResultsInUserTurnsBecomeToolMessages() throws {
        let request = """
        {"model":"claude-3-5-haiku-latest","max_tokens":100,"messages":[
         {"role":"user","content":"Weather?"},
         {"role":"assistant","content":[{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Oslo"}}]},
         {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"-3 °C"}],"is_error":false}]}]}
        """
        let a = try #require(analyze(ExchangeBuilder.exchange(url: Self.url, request: Array(request.utf8), response: [])))
        #expect(a.conversation.messages.map(\.role) == ["user", "assistant", "tool"])
        #expect(a.conversation.messages[2].parts == [Conversation.Part(type: "tool_result", text: "-3 °C", id: "toolu_1",
                                                                       isError: false)])
    }

    @Test func countTokensIsFree() throws {
        let request = #"{"model":"claude-sonnet-4-20250514","messages":[{"role":"user","content":"Hello"}]}"#
        let exchange = ExchangeBuilder.exchange(url: Self.url + "/count_tokens", request: Array(request.utf8),
                                                response: Array(#"{"input_tokens":14}"#.utf8))
        let a = try #require(analyze(exchange))
        #expect(a.endpoint == "messages.count_tokens")
        #expect(a.usage.inputTokens == 14)
        #expect(a.costUSD == 0)
    }
}
