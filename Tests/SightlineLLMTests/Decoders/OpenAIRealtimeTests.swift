import Foundation
import SightlineCore
import Testing
@testable import SightlineLLM

@Suite("OpenAI Realtime")
struct OpenAIRealtimeTests {
    static let url = "https://api.openai.com/v1/realtime?model=gpt-realtime"

    static func messages(_ scenario: String) throws -> [WebSocketMessage] {
        try Fixture.webSocketMessages("openai/\(scenario)")
    }

    @Test func aToolCallingSessionReadsAsOneConversation() throws {
        let analyzer = LLMAnalyzer(prices: PriceTable.load(userFile: nil))
        let a = try #require(analyzer.analyzeWebSocket(url: Self.url, messages: try Self.messages("realtime-tool-call")))
        #expect(a.provider == "openai")
        #expect(a.endpoint == "realtime")
        #expect(a.model == "gpt-realtime-2025-08-28", "the model the server said it is")
        #expect(a.stream && !a.truncated)
        let c = a.conversation
        #expect(c.system == "You are a weather assistant. Be brief.")
        #expect(c.tools.map(\.name) == ["get_weather"])
        #expect(c.tools.first?.schema?["required"] == .array([.string("city")]))
        #expect(c.messages.map(\.role) == ["user", "assistant", "tool"])
        #expect(c.messages[0].parts.first?.text == "What is the weather in Paris?")
        #expect(c.messages[1].parts.first?.type == "tool_call" && c.messages[1].parts.first?.id == "call_abc")
        #expect(c.messages[1].parts.first?.arguments == #"{"city":"Paris"}"#)
        #expect(c.messages[2].parts.first?.text == #"{"temperature_c":21,"sky":"sunny"}"#)
        #expect(c.output.first?.parts.first?.type == "audio")
        #expect(c.output.first?.parts.first?.text == "It is sunny and 21 degrees in Paris.")
        #expect(c.output.first?.parts.first?.durationMs == 100, "4,800 bytes of 24 kHz PCM16")
        #expect(a.usage.inputTokens == 340 && a.usage.outputTokens == 90 && a.usage.cachedInputTokens == 192, "summed over responses")
        #expect(a.finishReason == "completed")
        #expect(a.ttftMs == 329, "first delta (380 ms) after the first response.create (51 ms)")
        #expect(a.searchText.contains("sunny and 21 degrees"))
    }

    @Test func otherSocketsAreNotReadAsRealtime() throws {
        let analyzer = LLMAnalyzer(prices: PriceTable.load(userFile: nil))
        #expect(analyzer.analyzeWebSocket(url: "wss://example.com/v1/realtime", messages: []) == nil)
        #expect(analyzer.analyzeWebSocket(url: "https://api.openai.com/v1/chat", messages: []) == nil)
        // A session cut before any response is a truncated realtime call, not a crash.
        let cut = try #require(analyzer.analyzeWebSocket(url: Self.url, messages: Array(try Self.messages("realtime-tool-call").prefix(5))))
        #expect(cut.truncated && cut.conversation.output.isEmpty)
        #expect(cut.model == "gpt-realtime-2025-08-28")
    }
}

@Suite("Responses over WebSocket")
struct OpenAIResponsesSocketTests {
    @Test func aCodexStyleSessionReadsAsItsLastTurnWithUsageOverAllTurns() throws {
        let analyzer = LLMAnalyzer(prices: PriceTable.load(userFile: nil))
        let messages = try OpenAIRealtimeTests.messages("responses-websocket")
        let a = try #require(analyzer.analyzeWebSocket(url: "https://api.openai.com/v1/responses", messages: messages))
        #expect(a.provider == "openai" && a.endpoint == "responses")
        #expect(a.model == "gpt-5-codex")
        let c = a.conversation
        #expect(c.system == "You are Codex, a coding agent.")
        #expect(c.tools.map(\.name) == ["shell"])
        #expect(c.messages.map(\.role) == ["user", "assistant", "tool"], "the last turn's input: the call and its result")
        #expect(c.output.first?.parts.first?.text == "Two files: README.md and Package.swift.")
        #expect(a.usage.inputTokens == 4100 && a.usage.outputTokens == 32 && a.usage.cachedInputTokens == 3500)
        #expect(a.usage.reasoningTokens == 8)
        #expect(a.ttftMs == 120, "the last turn: asked at 400 ms, first delta at 520 ms")
        #expect(!a.truncated)
        // Codex signed in with ChatGPT talks to chatgpt.com: still read, as an OpenAI-compatible endpoint.
        let other = try #require(analyzer.analyzeWebSocket(url: "https://chatgpt.com/backend-api/codex/responses", messages: messages))
        #expect(other.endpoint == "responses" && other.model == "gpt-5-codex")
    }
}
