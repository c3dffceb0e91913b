import Foundation
import Testing
@testable import SightlineLLM

@Suite("Provider error bodies")
struct ProviderErrorTests {
    @Test func openAIRateLimit() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("openai/error-429",
                                                             url: "https://api.openai.com/v1/chat/completions", status: 429)))
        #expect(a.conversation.error?.hasPrefix("rate_limit_exceeded: Rate limit reached for gpt-4o") == true)
        #expect(a.model == "gpt-4o")
        #expect(a.conversation.output.isEmpty)
        #expect(a.costUSD == nil) // no usage, so the cost is unknown rather than 0
        #expect(a.truncated == false)
    }

    @Test func anthropicOverloaded() throws {
        let a = try #require(analyze(ExchangeBuilder.fixture("anthropic/error-529-overloaded",
                                                             url: "https://api.anthropic.com/v1/messages", status: 529)))
        #expect(a.conversation.error == "overloaded_error: Overloaded")
        #expect(a.model == "claude-3-5-haiku-20241022")
    }

    @Test func geminiInvalidArgument() throws {
        let url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent"
        let a = try #require(analyze(ExchangeBuilder.fixture("gemini/error-400", url: url, status: 400)))
        #expect(a.conversation.error == "INVALID_ARGUMENT: API key not valid. Please pass a valid API key.")
    }

    @Test func errorsInsideStreamsAndPlainTextBodies() throws {
        let sse = Array("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n".utf8)
        let request = Array(#"{"model":"claude-sonnet-4-5","max_tokens":10,"stream":true,"messages":[]}"#.utf8)
        let a = try #require(analyze(ExchangeBuilder.exchange(url: "https://api.anthropic.com/v1/messages", request: request,
                                                              response: sse, contentType: "text/event-stream", timedSSE: true)))
        #expect(a.conversation.error == "overloaded_error: Overloaded")
        #expect(a.truncated)

        let html = Array("<html><body>502 Bad Gateway</body></html>".utf8)
        let b = try #require(analyze(ExchangeBuilder.exchange(url: "https://api.openai.com/v1/chat/completions",
                                                              request: request, status: 502, response: html)))
        #expect(b.conversation.error == "<html><body>502 Bad Gateway</body></html>")
        #expect(ProviderErrorDecoder.describe(body: [], status: 503) == "HTTP 503")
    }
}
