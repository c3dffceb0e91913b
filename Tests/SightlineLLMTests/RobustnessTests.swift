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
        "https://api.cohere.com/v2/chat",
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-pro-v1%3A0/converse",
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-haiku-20241022-v1:0/invoke-with-response-stream",
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
        "{\"output\":{\"message\":{\"content\":[{\"toolUse\":5},{\"toolResult\":{\"content\":\"x\"}},{\"image\":{\"format\":5}}]}},\"usage\":{\"inputTokens\":\"a\"}}",
        "{\"messages\":[{\"role\":\"user\",\"content\":{}}],\"system\":\"s\",\"toolConfig\":{\"tools\":[{\"toolSpec\":{}}]},\"inferenceConfig\":[]}",
        "{\"message\":{\"tool_calls\":[null,{\"function\":7}],\"content\":7},\"usage\":{\"billed_units\":[]}}",
        "event: content-delta\ndata: {\"type\":\"content-delta\",\"index\":-3,\"delta\":{\"message\":{\"content\":{\"text\":5}}}}\n\n",
        "event: contentBlockDelta\ndata: {\"contentBlockIndex\":-1,\"delta\":{\"toolUse\":{\"input\":{}}}}\n\n",
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

    @Test(arguments: ["bedrock/converse-stream-tool-use", "bedrock/invoke-anthropic-stream"])
    func anEventStreamCutAnywhereGivesAPartialAnalysis(_ scenario: String) throws {
        let body = Fixture.bytes("\(scenario)/response.eventstream")
        let invoke = scenario.hasSuffix("invoke-anthropic-stream")
        let url = "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20241022-v2:0/"
            + (invoke ? "invoke-with-response-stream" : "converse-stream")
        // The final event: Anthropic's message_stop is the last chunk; Converse's messageStop comes before metadata.
        let ends = EventStreamExchangeBuilder.frameEnds(body)
        let finalEventEnd = invoke ? ends[ends.count - 1] : ends[ends.count - 2]
        for cut in stride(from: 0, through: body.count, by: 7) {
            for timed in [false, true] {
                let exchange = EventStreamExchangeBuilder.exchange(url: url, request: Fixture.bytes("\(scenario)/request.json"),
                                                                   response: Array(body.prefix(cut)), timed: timed)
                let a = try #require(analyze(exchange))
                #expect(a.stream)
                #expect(a.truncated == (cut < finalEventEnd), "cut at \(cut) of \(body.count)")
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
