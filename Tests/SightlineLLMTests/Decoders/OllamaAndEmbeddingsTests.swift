import Foundation
import Testing
@testable import SightlineLLM

@Suite("Ollama and embeddings")
struct OllamaAndEmbeddingsTests {
    @Test func ollamaChatNDJSON() throws {
        let exchange = ExchangeBuilder.exchange(url: "http://localhost:11434/api/chat",
                                                request: Fixture.bytes("ollama/chat-ndjson/request.json"),
                                                response: Fixture.bytes("ollama/chat-ndjson/response.ndjson"),
                                                contentType: "application/x-ndjson")
        let a = try #require(analyze(exchange))
        #expect(a.provider == "ollama")
        #expect(a.endpoint == "ollama.chat")
        #expect(a.model == "llama3.2")
        #expect(a.stream) // Ollama streams unless the request says "stream": false
        #expect(a.truncated == false)
        #expect(a.conversation.system == "You are terse.")
        #expect(a.conversation.messages.map(\.role) == ["user"])
        #expect(a.conversation.parameters["temperature"] == .number(0.7))
        #expect(a.conversation.output.first?.text == "The sky is blue because of Rayleigh scattering.")
        #expect(a.finishReason == "stop")
        #expect(a.usage.inputTokens == 26)
        #expect(a.usage.outputTokens == 282)
        #expect(a.costUSD == nil) // a local model has no known price
        // Ollama measures generation itself: 282 tokens in 4.535599 s.
        #expect(abs((a.tokensPerSecond ?? 0) - 282 / 4.535599) < 1e-9)
        #expect(a.ttftMs == 80) // NDJSON lines are not timed: first byte (100 ms) − request sent (20 ms)
    }

    @Test func ollamaStreamWithoutDoneIsTruncated() throws {
        let lines = Fixture.string("ollama/chat-ndjson/response.ndjson").split(separator: "\n").dropLast()
        let exchange = ExchangeBuilder.exchange(url: "http://localhost:11434/api/chat",
                                                request: Fixture.bytes("ollama/chat-ndjson/request.json"),
                                                response: Array(lines.joined(separator: "\n").utf8))
        let a = try #require(analyze(exchange))
        #expect(a.truncated)
        #expect(a.conversation.output.first?.text == "The sky is blue because of Rayleigh scattering.")
    }

    @Test func ollamaGenerateNonStreamed() throws {
        let request = #"{"model":"qwen3:8b","prompt":"Hi","system":"Reply in French.","stream":false,"think":true}"#
        let response = #"{"model":"qwen3:8b","response":"Bonjour","thinking":"French greeting.","done":true,"done_reason":"stop","prompt_eval_count":9,"eval_count":3}"#
        let a = try #require(analyze(ExchangeBuilder.exchange(url: "http://127.0.0.1:11434/api/generate",
                                                              request: Array(request.utf8), response: Array(response.utf8))))
        #expect(a.stream == false)
        #expect(a.ttftMs == nil)
        #expect(a.conversation.system == "Reply in French.")
        #expect(a.conversation.output.first?.parts.map(\.type) == ["reasoning", "text"])
        #expect(a.conversation.output.first?.text == "Bonjour")
    }

    @Test func openAIEmbeddings() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("openai/embeddings",
                                                             url: "https://api.openai.com/v1/embeddings")))
        #expect(a.endpoint == "embeddings")
        #expect(a.model == "text-embedding-3-small")
        #expect(a.conversation.parameters["input_count"] == .number(2))
        #expect(a.conversation.messages.first?.parts.count == 2)
        #expect(a.usage.inputTokens == 14)
        #expect(a.usage.outputTokens == nil)
        #expect(a.conversation.output.isEmpty)
        // text-embedding-3-small: 14 × $0.02 = 0.28 per million.
        #expect(a.costUSD == decimal("0.00000028"))
        #expect(a.searchText.contains("The service was slow."))
    }
}
