import Foundation
import SightlineCore
import Testing
@testable import SightlineLLM

@Suite("Gemini Live")
struct GeminiLiveTests {
    static let url = "https://generativelanguage.googleapis.com/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"

    static func messages(_ scenario: String) throws -> [WebSocketMessage] {
        try Fixture.webSocketMessages("gemini/\(scenario)", serverOpcode: "binary")
    }

    @Test func aSpokenToolCallingSessionReadsAsOneConversation() throws {
        let analyzer = LLMAnalyzer(prices: PriceTable.load(userFile: nil))
        let a = try #require(analyzer.analyzeWebSocket(url: Self.url, messages: try Self.messages("live-audio-tool-call")))
        #expect(a.provider == "gemini")
        #expect(a.endpoint == "live")
        #expect(a.model == "gemini-live-2.5-flash-preview", "without the models/ prefix")
        #expect(a.stream && !a.truncated)
        let c = a.conversation
        #expect(c.system == "You are a weather assistant.")
        #expect(c.tools.map(\.name) == ["get_weather"])
        #expect(c.parameters["temperature"] == .number(0.7))
        #expect(c.messages.map(\.role) == ["user", "assistant", "tool"])
        #expect(c.messages[0].parts == [Conversation.Part(type: "audio", text: "What's the weather in Paris?", durationMs: 100)],
                "what the server heard, and how long the two 16 kHz chunks last")
        #expect(c.messages[1].parts.first?.type == "tool_call" && c.messages[1].parts.first?.id == "fc_1")
        #expect(c.messages[1].parts.first?.arguments == #"{"city":"Paris"}"#)
        #expect(c.messages[2].parts.first?.type == "tool_result" && c.messages[2].parts.first?.id == "fc_1")
        #expect(c.messages[2].parts.first?.text?.contains("sunny") == true)
        #expect(c.output.count == 1)
        #expect(c.output.first?.parts.count == 1, "the audio chunks are one part")
        #expect(c.output.first?.parts.first?.type == "audio")
        #expect(c.output.first?.parts.first?.text == "It is sunny and 21 degrees.", "with its transcript")
        #expect(c.output.first?.parts.first?.durationMs == 100, "two 50 ms chunks at 24 kHz")
        #expect(a.usage.inputTokens == 280 && a.usage.outputTokens == 48 && a.usage.cachedInputTokens == 64, "summed over the two turns")
        #expect(a.finishReason == "turn_complete")
        #expect(a.toolCallCount == 0, "the output is the spoken answer; the call was the turn before")
        #expect(a.ttftMs == 100, "first heard at 300 ms, the tool call at 400 ms")
        #expect(a.searchText.contains("sunny and 21 degrees") && a.searchText.contains("weather in Paris"))
    }

    @Test func aSessionCutBeforeTheAnswerIsTruncatedAndOtherSocketsAreNotLive() throws {
        let analyzer = LLMAnalyzer(prices: PriceTable.load(userFile: nil))
        let cut = try #require(analyzer.analyzeWebSocket(url: Self.url, messages: Array(try Self.messages("live-audio-tool-call").prefix(6))))
        #expect(cut.truncated)
        #expect(cut.conversation.output.isEmpty)
        #expect(cut.model == "gemini-live-2.5-flash-preview")
        #expect(analyzer.analyzeWebSocket(url: "https://example.com/ws/BidiGenerateContent", messages: []) == nil)
        // Vertex names the model by its full resource path.
        let vertex = [WebSocketMessage(tMs: 1, direction: .client, opcode: "text",
                                       text: #"{"setup":{"model":"projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash-live-preview-04-09"}}"#,
                                       dataBase64: nil, size: 10, truncated: false)]
        let v = try #require(analyzer.analyzeWebSocket(
            url: "https://us-central1-aiplatform.googleapis.com/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent", messages: vertex))
        #expect(v.provider == "vertex" && v.model == "gemini-2.0-flash-live-preview-04-09")
    }
}

@Suite("Live audio timing")
struct LiveAudioTests {
    @Test func pcmDurationsFromBase64LengthAndMimeRate() {
        var audio = LiveAudio(sampleRate: 24_000)
        #expect(audio.durationMs == nil)
        audio.add(base64: "AAAA")      // 3 bytes
        audio.add(base64: "AAA=")      // 2 bytes
        audio.add(base64: "AA==")      // 1 byte
        #expect(audio.durationMs == 0.1, "6 bytes = 3 samples = 0.125 ms, to a tenth")
        #expect(LiveAudio.sampleRate(mimeType: "audio/pcm;rate=16000", default: 24_000) == 16_000)
        #expect(LiveAudio.sampleRate(mimeType: "audio/pcm; rate = 8000", default: 24_000) == 8_000)
        #expect(LiveAudio.sampleRate(mimeType: "audio/pcm", default: 24_000) == 24_000)
        #expect(LiveAudio.sampleRate(mimeType: nil, default: 16_000) == 16_000)
        #expect(LiveAudio.sampleRate(mimeType: "audio/opus", default: 24_000) == nil, "not PCM: not timed")
    }
}
