import SightlineCore
import Foundation
import Testing
@testable import SightlineLLM

@Suite("OpenAI chat completions")
struct OpenAIChatTests {
    static let url = "https://api.openai.com/v1/chat/completions"

    @Test func nonStreamedResponse() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("openai/chat-completions", url: Self.url)))
        #expect(a.provider == "openai")
        #expect(a.endpoint == "chat.completions")
        #expect(a.model == "gpt-4o-2024-08-06")
        #expect(a.stream == false)
        #expect(a.truncated == false)
        #expect(a.ttftMs == nil)
        #expect(a.tokensPerSecond == nil)

        let c = a.conversation
        #expect(c.system == "You are a helpful assistant.")
        #expect(c.messages.map(\.role) == ["user"])
        #expect(c.messages[0].text == "What is in this image?")
        let image = try #require(c.messages[0].parts(ofType: "image").first)
        #expect(image.url?.hasPrefix("https://upload.wikimedia.org/") == true)
        #expect(c.parameters["temperature"] == .number(0.2))
        #expect(c.parameters["max_completion_tokens"] == .number(300))

        #expect(c.output.count == 1)
        #expect(c.output[0].role == "assistant")
        #expect(c.output[0].text.hasPrefix("The image shows a wooden boardwalk"))
        #expect(a.finishReason == "stop")
        #expect(a.usage == LLMUsage(inputTokens: 1117, outputTokens: 46, cachedInputTokens: 1024, reasoningTokens: 0))
        // gpt-4o: (1117 − 1024 cached) × $2.50 + 1024 × $1.25 + 46 × $10 = 232.5 + 1280 + 460 = 1972.5 per million.
        #expect(a.costUSD == decimal("0.0019725"))
        #expect(a.searchText.contains("You are a helpful assistant.\nWhat is in this image?\nThe image shows"))
    }

    @Test func streamWithToolCallFragmentsAndIncludeUsage() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("openai/chat-completions-stream-tools", url: Self.url,
                                                             response: "response.sse")))
        #expect(a.stream)
        #expect(a.truncated == false)
        #expect(a.model == "gpt-4o-mini-2024-07-18")

        let c = a.conversation
        #expect(c.system == "Use tools when they help.")
        #expect(c.messages.map(\.role) == ["user", "assistant", "tool"])
        let earlierCall = try #require(c.messages[1].parts(ofType: "tool_call").first)
        let earlierResult = try #require(c.messages[2].parts.first)
        #expect(earlierResult.type == "tool_result")
        #expect(earlierResult.id == earlierCall.id)
        #expect(earlierResult.text == "09:41")
        #expect(c.tools.map(\.name) == ["get_current_weather"])
        #expect(c.tools[0].description == "Get the current weather in a given location")
        #expect(c.tools[0].schema?["required"] == .array([.string("location")]))
        #expect(c.parameters["stream"] == .bool(true))
        #expect(c.parameters["tool_choice"] == .string("auto"))

        let output = try #require(c.output.first)
        #expect(output.text == "Let me check.")
        let call = try #require(output.parts(ofType: "tool_call").first)
        #expect(call.id == "call_DdmO9pD3xa9XTPNJ32zg2hcA")
        #expect(call.name == "get_current_weather")
        #expect(call.arguments == #"{"location":"Boston, MA"}"#)
        #expect(JSONValue.parse(call.arguments ?? "")?["location"] == .string("Boston, MA"))
        #expect(a.toolCallCount == 1)
        #expect(a.finishReason == "tool_calls")
        #expect(a.usage.inputTokens == 82)
        #expect(a.usage.outputTokens == 18)
        // gpt-4o-mini: 82 × $0.15 + 18 × $0.60 = 12.3 + 10.8 = 23.1 per million.
        #expect(a.costUSD == decimal("0.0000231"))
        // First content in the first event (t = 100 ms), request sent at 20 ms.
        #expect(a.ttftMs == 80)
        // 18 tokens between the first output (100 ms) and the last event, [DONE] at 190 ms.
        #expect(abs((a.tokensPerSecond ?? 0) - 200) < 1e-9)
    }

    @Test func streamedAndWholeResponsesDecodeAlike() throws {
        let request = Fixture.bytes("openai/chat-completions-stream-tools/request.json")
        let whole = """
        {"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"Let me check.",
        "tool_calls":[{"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"get_current_weather",
        "arguments":"{\\"location\\":\\"Boston, MA\\"}"}}]},"finish_reason":"tool_calls"}],
        "usage":{"prompt_tokens":82,"completion_tokens":18}}
        """
        let nonStream = try #require(analyze(ExchangeBuilder.exchange(url: Self.url, request: request,
                                                                      response: Array(whole.utf8))))
        let stream = try #require(analyze(ExchangeBuilder.fixture("openai/chat-completions-stream-tools", url: Self.url,
                                                                  response: "response.sse")))
        #expect(nonStream.conversation.output == stream.conversation.output)
        #expect(nonStream.finishReason == stream.finishReason)
    }

    @Test func streamWithoutDoneIsTruncatedAndKeepsWhatArrived() throws {
        let body = ExchangeBuilder.droppingLastEvent(Fixture.bytes("openai/chat-completions-stream-tools/response.sse"))
        let exchange = ExchangeBuilder.exchange(url: Self.url,
                                                request: Fixture.bytes("openai/chat-completions-stream-tools/request.json"),
                                                response: body, contentType: "text/event-stream", timedSSE: true)
        let a = try #require(analyze(exchange))
        #expect(a.truncated)
        #expect(a.conversation.output.first?.parts(ofType: "tool_call").first?.arguments == #"{"location":"Boston, MA"}"#)
    }

    @Test func untimedStreamBodyIsStillReassembled() throws {
        // The recorder gave no events (e.g. an older capture): the body is parsed, no timing is invented.
        var exchange = ExchangeBuilder.fixture("openai/chat-completions-stream-tools", url: Self.url, response: "response.sse")
        exchange.events = []
        let a = try #require(analyze(exchange))
        #expect(a.conversation.output.first?.text == "Let me check.")
        #expect(a.truncated == false)
        #expect(a.ttftMs == nil)
        #expect(a.tokensPerSecond == nil)
    }

    @Test func compatibleProviderExtensions() throws {
        // DeepSeek: reasoning_content and prompt_cache_hit_tokens.
        let request = #"{"model":"deepseek-reasoner","messages":[{"role":"user","content":"9.11 or 9.8?"}]}"#
        let response = """
        {"model":"deepseek-reasoner","choices":[{"index":0,"message":{"role":"assistant","reasoning_content":"Compare decimals.",
        "content":"9.8 is larger."},"finish_reason":"stop"}],
        "usage":{"prompt_tokens":20,"completion_tokens":30,"prompt_cache_hit_tokens":10,"prompt_cache_miss_tokens":10}}
        """
        let a = try #require(analyze(ExchangeBuilder.exchange(url: "https://api.deepseek.com/chat/completions",
                                                              request: Array(request.utf8), response: Array(response.utf8))))
        #expect(a.provider == "deepseek")
        #expect(a.conversation.output[0].parts.map(\.type) == ["reasoning", "text"])
        #expect(a.conversation.output[0].parts[0].text == "Compare decimals.")
        #expect(a.usage.cachedInputTokens == 10)
        // deepseek-reasoner: 10 × $0.28 + 10 × $0.028 + 30 × $0.42 = 2.8 + 0.28 + 12.6 = 15.68 per million.
        #expect(a.costUSD == decimal("0.00001568"))
    }

    @Test func refusalAndAudioParts() throws {
        let request = """
        {"model":"gpt-4o-audio-preview","messages":[{"role":"user","content":[{"type":"input_audio",
        "input_audio":{"data":"UklGRg==","format":"wav"}},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBOR"}}]}]}
        """
        let response = #"{"choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}"#
        let a = try #require(analyze(ExchangeBuilder.exchange(url: Self.url, request: Array(request.utf8),
                                                              response: Array(response.utf8))))
        let parts = a.conversation.messages[0].parts
        #expect(parts[0] == Conversation.Part(type: "audio", mediaType: "audio/wav"))
        // A data: URL keeps only its media type; the bytes stay in the recorded body.
        #expect(parts[1] == Conversation.Part(type: "image", mediaType: "image/png"))
        #expect(a.conversation.output[0].parts == [Conversation.Part(type: "refusal", text: "I can't help with that.")])
        #expect(a.model == "gpt-4o-audio-preview")
    }
}
