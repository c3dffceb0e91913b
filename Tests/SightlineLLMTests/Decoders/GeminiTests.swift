import Foundation
import Testing
@testable import SightlineLLM

@Suite("Gemini generateContent")
struct GeminiTests {
    static let base = "https://generativelanguage.googleapis.com/v1beta/models/"

    @Test func generateContentWithThoughtsAndFunctionCall() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("gemini/generate-content",
                                                             url: Self.base + "gemini-2.5-flash:generateContent")))
        #expect(a.provider == "gemini")
        #expect(a.endpoint == "generateContent")
        #expect(a.model == "gemini-2.5-flash")
        #expect(a.stream == false)
        let c = a.conversation
        #expect(c.system == "You are a weather bot.")
        #expect(c.messages.map(\.role) == ["user"])
        #expect(c.messages[0].text == "What's the temperature in London?")
        #expect(c.tools.map(\.name) == ["get_current_temperature"])
        #expect(c.tools[0].description == "Gets the current temperature for a given location.")
        #expect(c.parameters["temperature"] == .number(0.4))
        #expect(c.parameters["maxOutputTokens"] == .number(1024))
        #expect(c.parameters["thinkingConfig"]?["thinkingBudget"] == .number(1024))

        let output = try #require(c.output.first)
        #expect(output.role == "assistant")
        #expect(output.parts.map(\.type) == ["reasoning", "tool_call"])
        #expect(output.parts[0].text?.hasPrefix("**Checking the temperature**") == true)
        #expect(output.parts[1].name == "get_current_temperature")
        #expect(output.parts[1].arguments == #"{"location":"London"}"#)
        #expect(a.finishReason == "STOP")
        #expect(a.usage == LLMUsage(inputTokens: 57, outputTokens: 18, reasoningTokens: 50))
        // gemini-2.5-flash bills thinking as output: 57 × $0.30 + (18 + 50) × $2.50 = 17.1 + 170 = 187.1 per million.
        #expect(a.costUSD == decimal("0.0001871"))
    }

    @Test func streamGenerateContentSSE() throws {
        let url = Self.base + "gemini-2.0-flash:streamGenerateContent?alt=sse"
        let a = try #require(analyze(ExchangeBuilder.fixture("gemini/stream-generate-content-sse", url: url,
                                                             response: "response.sse")))
        #expect(a.endpoint == "streamGenerateContent")
        #expect(a.stream)
        #expect(a.truncated == false)
        #expect(a.model == "gemini-2.0-flash")
        #expect(a.conversation.parameters["maxOutputTokens"] == .number(256))
        let output = try #require(a.conversation.output.first)
        #expect(output.parts.count == 1)
        #expect(output.text == "In the bustling city of Meadow brook, lived a young girl named Sophie. "
            + "Sophie was a bright and curious girl who loved to explore. One day, she found a glowing backpack — it hummed.")
        #expect(a.finishReason == "STOP")
        #expect(a.usage.inputTokens == 8)
        #expect(a.usage.outputTokens == 40)
        // gemini-2.0-flash: 8 × $0.10 + 40 × $0.40 = 0.8 + 16 = 16.8 per million.
        #expect(a.costUSD == decimal("0.0000168"))
        #expect(a.ttftMs == 80)
        // 40 tokens from the first chunk (100 ms) to the last (120 ms).
        #expect(abs((a.tokensPerSecond ?? 0) - 2000) < 1e-9)
    }

    @Test func streamWithoutFinishReasonIsTruncated() throws {
        let body = ExchangeBuilder.droppingLastEvent(Fixture.bytes("gemini/stream-generate-content-sse/response.sse"))
        let exchange = ExchangeBuilder.exchange(url: Self.base + "gemini-2.0-flash:streamGenerateContent?alt=sse",
                                                request: Fixture.bytes("gemini/stream-generate-content-sse/request.json"),
                                                response: body, contentType: "text/event-stream", timedSSE: true)
        let a = try #require(analyze(exchange))
        #expect(a.truncated)
        #expect(a.conversation.output.first?.text.hasSuffix("bright and curious girl") == true)
    }

    @Test func streamWithoutAltSSEIsAJSONArray() throws {
        let chunks = Fixture.string("gemini/stream-generate-content-sse/response.sse")
            .components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }.map { $0.dropFirst("data: ".count) }
        let array = "[" + chunks.joined(separator: ",\r\n") + "]"
        let exchange = ExchangeBuilder.exchange(url: Self.base + "gemini-2.0-flash:streamGenerateContent",
                                                request: Fixture.bytes("gemini/stream-generate-content-sse/request.json"),
                                                response: Array(array.utf8))
        let a = try #require(analyze(exchange))
        #expect(a.stream)
        #expect(a.truncated == false)
        #expect(a.conversation.output.first?.text.hasSuffix("it hummed.") == true)
        #expect(a.ttftMs == nil)
    }

    @Test func functionResponsesAndSnakeCaseFields() throws {
        let request = """
        {"system_instruction":{"parts":[{"text":"Be brief."}]},"contents":[
         {"role":"user","parts":[{"text":"Temp in Paris?"},{"inline_data":{"mime_type":"image/jpeg","data":"/9j/4AAQ"}}]},
         {"role":"model","parts":[{"functionCall":{"name":"get_temp","args":{"city":"Paris"}}}]},
         {"role":"user","parts":[{"functionResponse":{"name":"get_temp","response":{"celsius":21}}}]}],
         "generation_config":{"temperature":0}}
        """
        let exchange = ExchangeBuilder.exchange(url: Self.base + "gemini-1.5-pro-002:generateContent",
                                                request: Array(request.utf8), response: [])
        let a = try #require(analyze(exchange))
        #expect(a.model == "gemini-1.5-pro-002")
        let c = a.conversation
        #expect(c.system == "Be brief.")
        #expect(c.messages.map(\.role) == ["user", "assistant", "tool"])
        #expect(c.messages[0].parts[1] == Conversation.Part(type: "image", mediaType: "image/jpeg"))
        #expect(c.messages[2].parts == [Conversation.Part(type: "tool_result", text: #"{"celsius":21}"#, name: "get_temp")])
        #expect(c.parameters["temperature"] == .number(0))
    }
}
