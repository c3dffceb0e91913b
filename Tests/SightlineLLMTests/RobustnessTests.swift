import Foundation
import Testing
@testable import SightlineLLM

@Suite("Malformed input never crashes")
struct RobustnessTests {
    static let urls = [
        "https://api.openai.com/v1/chat/completions", "https://api.openai.com/v1/responses",
        "https://api.openai.com/v1/embeddings", "https://api.openai.com/v1/completions",
        "https://api.anthropic.com/v1/messages", "https://api.anthropic.com/v1/messages/count_tokens",
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent",
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse",
        "http://localhost:11434/api/chat", "http://localhost:11434/api/generate", "http://localhost:11434/api/embed",
    ]

    static let bodies: [String] = [
        "", "null", "[]", "{}", "42", "\"text\"", "{\"messages\": 5, \"model\": 7, \"contents\": {\"parts\": \"x\"}}",
        "{\"messages\":[{\"role\":null,\"content\":[1,{\"type\":\"image_url\"}]}],\"tools\":[null,{}]}",
        "{\"choices\":[{\"message\":{\"tool_calls\":[{\"function\":{\"arguments\":{\"a\":1}}}]}}],\"usage\":{\"prompt_tokens\":1e300}}",
        "{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{}}]}}],\"usageMetadata\":{\"promptTokenCount\":-1}}",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"{\"}}]}}]}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":99,\"delta\":{\"type\":\"input_json_delta\"}}\n\n",
        "{\"type\":\"content_block_start\",\"index\":-5}",
        "{\"model\":\"x\",\"message\":{\"content\":\"a\"},\"done\":true,\"eval_duration\":-1}",
        "{\"error\":{\"code\":{}}}",
    ]

    @Test(arguments: urls)
    func garbageGivesAPartialAnalysis(_ url: String) {
        for request in Self.bodies {
            for response in Self.bodies {
                for status in [200, 500] {
                    for timed in [false, true] {
                        let exchange = ExchangeBuilder.exchange(url: url, request: Array(request.utf8), status: status,
                                                                response: Array(response.utf8), timedSSE: timed)
                        #expect(analyze(exchange) != nil)
                    }
                }
            }
        }
    }

    @Test func truncatedJSONBodyKeepsTheRequestSide() throws {
        var body = Fixture.bytes("anthropic/messages-tool-use/response.json")
        body.removeLast(body.count / 2)
        let exchange = ExchangeBuilder.exchange(url: "https://api.anthropic.com/v1/messages",
                                                request: Fixture.bytes("anthropic/messages-tool-use/request.json"),
                                                response: body)
        let a = try #require(analyze(exchange))
        #expect(a.conversation.messages.count == 1)
        #expect(a.conversation.output.isEmpty)
        #expect(a.costUSD == nil)
    }
}
