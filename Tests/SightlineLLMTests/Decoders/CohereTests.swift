import Foundation
import SightlineCore
import Testing
@testable import SightlineLLM

@Suite("Cohere v2 chat")
struct CohereTests {
    static let url = "https://api.cohere.com/v2/chat"
    static let text = "Hello! It's nice to meet you. How can I help you today?"

    @Test func chat() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("cohere/chat", url: Self.url)))
        #expect(a.provider == "cohere")
        #expect(a.endpoint == "chat")
        #expect(a.model == "command-a-03-2025")
        #expect(a.responseID == "c14c80c3-18eb-4519-9460-6c92edd8cfb4")
        #expect(a.stream == false)
        #expect(a.conversation.system == "You are a friendly assistant.")
        #expect(a.conversation.messages.map(\.role) == ["user"])
        #expect(a.conversation.messages[0].text == "Hello, Command")
        #expect(a.conversation.parameters["temperature"] == .number(0.3))
        #expect(a.conversation.output.map(\.role) == ["assistant"])
        #expect(a.conversation.output[0].text == Self.text)
        #expect(a.finishReason == "COMPLETE")
        #expect(a.usage == LLMUsage(inputTokens: 9, outputTokens: 16), "billed units, not the template-inclusive tokens")
        // command-a: 9 × $2.50 + 16 × $10 = 22.5 + 160 = 182.5 per million.
        #expect(a.costUSD == decimal("0.0001825"))
    }

    @Test func chatStreamIsTheTwinOfChat() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("cohere/chat-stream", url: Self.url, response: "response.sse")))
        #expect(a.stream)
        #expect(a.truncated == false)
        #expect(a.model == "command-a-03-2025")
        #expect(a.responseID == "29f14a5a-11de-4cae-9800-25e4747408ea")
        #expect(a.conversation.messages[0].text == "Hello, Command")
        #expect(a.conversation.output[0].text == Self.text)
        #expect(a.finishReason == "COMPLETE")
        #expect(a.usage == LLMUsage(inputTokens: 9, outputTokens: 16))
        #expect(a.costUSD == decimal("0.0001825"))
        // The first content-delta is event 2: 100 + 2 × 10 − 20 ms.
        #expect(a.ttftMs == 100)
    }

    @Test func chatStreamWithoutMessageEndIsTruncated() throws {
        let body = ExchangeBuilder.droppingLastEvent(Fixture.bytes("cohere/chat-stream/response.sse"))
        let exchange = ExchangeBuilder.exchange(url: Self.url, request: Fixture.bytes("cohere/chat-stream/request.json"),
                                                response: body, contentType: "text/event-stream", timedSSE: true)
        let a = try #require(analyze(exchange))
        #expect(a.truncated)
        #expect(a.conversation.output[0].text == Self.text)
    }

    @Test func toolCall() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("cohere/chat-tools", url: Self.url)))
        #expect(a.conversation.tools.map(\.name) == ["get_weather"])
        #expect(a.conversation.tools[0].schema?["required"] == .array([.string("location")]))
        let output = try #require(a.conversation.output.first)
        #expect(output.parts.map(\.type) == ["reasoning", "tool_call"])
        #expect(output.parts[0].text == "I will search for the weather in Toronto.")
        #expect(output.parts[1].id == "get_weather_1byjy32y4hvq")
        #expect(output.parts[1].name == "get_weather")
        #expect(output.parts[1].arguments == #"{"location":"Toronto"}"#)
        #expect(a.toolCallCount == 1)
        #expect(a.finishReason == "TOOL_CALL")
        // command-r-plus: 37 × $2.50 + 21 × $10 = 92.5 + 210 = 302.5 per million.
        #expect(a.costUSD == decimal("0.0003025"))
    }

    @Test func streamedToolCallAfterAToolRound() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("cohere/chat-stream-tools", url: Self.url, response: "response.sse")))
        let messages = a.conversation.messages
        #expect(messages.map(\.role) == ["user", "assistant", "tool", "user"])
        #expect(messages[1].parts.map(\.type) == ["reasoning", "tool_call"])
        let result = try #require(messages[2].parts.first)
        #expect(result.type == "tool_result")
        #expect(result.id == "get_weather_1byjy32y4hvq")
        #expect(result.text == #"{"temperature": {"toronto": "20C"}}"#)
        let output = try #require(a.conversation.output.first)
        #expect(output.parts.map(\.type) == ["reasoning", "tool_call"])
        #expect(output.parts[0].text == "I will look up the weather in Montreal.")
        #expect(output.parts[1].id == "get_weather_nsz5zm3w56q3")
        #expect(output.parts[1].arguments == #"{"location":"Montreal"}"#)
        #expect(a.finishReason == "TOOL_CALL")
        #expect(a.usage == LLMUsage(inputTokens: 71, outputTokens: 23))
        #expect(a.ttftMs == 90, "the tool plan is output")
    }
}
