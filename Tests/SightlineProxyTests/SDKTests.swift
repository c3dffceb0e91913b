import Foundation
import SightlineTestSupport
import Testing

/// The official SDKs (openai, anthropic, google-genai, boto3) and a LangChain agent, run as a user runs them:
/// the real API host names, `HTTPS_PROXY` + `SSL_CERT_FILE`, nothing else changed. The hosts are mapped to
/// `FixtureUpstream`, which answers with the wire-format fixtures byte for byte; each test then reads the
/// flow back through the JSON API and checks it against what the fixture sent and what the client saw.
///
/// Costs are worked out by hand from `Sources/SightlineLLM/Resources/prices.json` (USD per million tokens).
@Suite(.serialized) struct SDKTests {
    static let enabled = TestPython.executable != nil || ProcessInfo.processInfo.environment["CI"] != nil

    // MARK: OpenAI

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func openAIChatCompletion() async throws {
        let run = try await SDKRun.drive("openai_sdk_chat.py", flows: 1)
        let fixture = try Fixture.json("openai/chat-completions")
        let fixtureText = try #require(fixture["choices"]?[0]?["message"]?["content"]?.value as? String)
        #expect(run.client["text"] as? String == fixtureText)
        #expect(run.client["input_tokens"] as? Int == 1117)
        #expect(run.client["cached_tokens"] as? Int == 1024)

        let flow = try #require(run.flows.first)
        #expect(run.upstream.map(\.scenario) == ["openai/chat-completions"])
        #expect(flow["url"] as? String == "https://api.openai.com/v1/chat/completions")
        #expect(flow["status"] as? Int == 200)
        #expect(flow["provider"] as? String == "openai")
        #expect(flow["endpoint"] as? String == "chat.completions")
        #expect(flow["model"] as? String == "gpt-4o-2024-08-06")
        #expect(flow["stream"] as? Bool == false)
        #expect(flow["input_tokens"] as? Int == 1117)
        #expect(flow["output_tokens"] as? Int == 46)
        #expect(flow["cached_input_tokens"] as? Int == 1024)
        // gpt-4o: input 2.5, cached_input 1.25, output 10. Prompt tokens include the cached ones:
        // (1117 − 1024) × 2.5 + 1024 × 1.25 + 46 × 10 = 232.5 + 1280 + 460 = 1972.5 per million.
        expectCost(flow, 0.0019725)
        #expect(flow["ttft_ms"] is NSNull, "not a stream: no time to first token")

        let detail = run.details[0]
        #expect(Self.header("authorization", in: detail, "request") == "Bearer ****7890")
        expectKeyRedacted("sk-test-sdk-chat-key-7890", in: detail)
        #expect((detail["response"] as? [String: Any])?["body"] as? String == (try Fixture.text("openai/chat-completions/response.json")))
        let conversation = try #require(detail["conversation"] as? [String: Any])
        #expect(conversation["system"] as? String == "You are a helpful assistant.")
        let messages = conversation["messages"] as? [[String: Any]] ?? []
        #expect(messages.map { $0["role"] as? String } == ["user"])
        let parts = messages.first?["parts"] as? [[String: Any]] ?? []
        #expect(parts.map { $0["type"] as? String } == ["text", "image"])
        #expect(parts.first?["text"] as? String == "What is in this image?")
        #expect((parts.last?["url"] as? String)?.hasSuffix("Gfp-wisconsin-madison-the-nature-boardwalk.jpg") == true)
        #expect(Self.outputText(conversation) == fixtureText)
        #expect(Self.outputRoles(conversation) == ["assistant"])
        #expect(conversation["finish_reason"] as? String == "stop")
    }

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func openAIChatStreamWithUsage() async throws {
        let run = try await SDKRun.drive("openai_sdk_chat_stream.py", flows: 1)
        // The streamed twin: the same text and usage as the non-streamed fixture.
        let twin = try #require(try Fixture.json("openai/chat-completions")["choices"]?[0]?["message"]?["content"]?.value as? String)
        #expect(run.client["text"] as? String == twin)
        #expect(run.client["chunks"] as? Int == 10, "role chunk, 7 content chunks, finish chunk, usage chunk")
        #expect(run.client["input_tokens"] as? Int == 1117)
        #expect(run.client["output_tokens"] as? Int == 46)
        #expect(run.client["finish_reason"] as? String == "stop")

        let flow = try #require(run.flows.first)
        #expect(run.upstream.map(\.scenario) == ["openai/chat-completions-stream"])
        #expect(flow["provider"] as? String == "openai")
        #expect(flow["endpoint"] as? String == "chat.completions")
        #expect(flow["model"] as? String == "gpt-4o-2024-08-06")
        #expect(flow["stream"] as? Bool == true)
        #expect(flow["input_tokens"] as? Int == 1117)
        #expect(flow["output_tokens"] as? Int == 46)
        #expect(flow["cached_input_tokens"] as? Int == 1024)
        // As the non-streamed twin: (1117 − 1024) × 2.5 + 1024 × 1.25 + 46 × 10 = 1972.5 per million.
        expectCost(flow, 0.0019725)
        // The first chunk only carries the role; the first text comes one event (20 ms) later.
        expectTTFT(flow, atLeast: 15)

        let detail = run.details[0]
        let events = detail["events"] as? [[String: Any]] ?? []
        #expect(events.count == 11, "10 chunks and [DONE]")
        #expect(events.last?["data"] as? String == "[DONE]")
        #expect((detail["response"] as? [String: Any])?["body"] as? String == (try Fixture.text("openai/chat-completions-stream/response.sse")))
        let conversation = try #require(detail["conversation"] as? [String: Any])
        #expect(conversation["system"] as? String == "You are a helpful assistant.")
        #expect(Self.outputText(conversation) == twin)
        #expect(Self.outputRoles(conversation) == ["assistant"])
        #expect(conversation["finish_reason"] as? String == "stop")
        let parameters = conversation["parameters"] as? [String: Any] ?? [:]
        #expect((parameters["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
    }

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func openAIToolCall() async throws {
        let run = try await SDKRun.drive("openai_sdk_tools.py", flows: 1)
        let arguments = "{\n\"location\": \"Boston, MA\"\n}"
        let clientCalls = run.client["tool_calls"] as? [[String: Any]] ?? []
        #expect(clientCalls.count == 1)
        #expect(clientCalls.first?["name"] as? String == "get_current_weather")
        #expect(clientCalls.first?["arguments"] as? String == arguments)

        let flow = try #require(run.flows.first)
        #expect(run.upstream.map(\.scenario) == ["openai/chat-completions-tools"])
        #expect(flow["endpoint"] as? String == "chat.completions")
        #expect(flow["model"] as? String == "gpt-4o-mini-2024-07-18")
        #expect(flow["stream"] as? Bool == false)
        #expect(flow["input_tokens"] as? Int == 82)
        #expect(flow["output_tokens"] as? Int == 17)
        #expect(flow["finish_reason"] as? String == "tool_calls")
        #expect(flow["tool_call_count"] as? Int == 1)
        // gpt-4o-mini: input 0.15, output 0.6. 82 × 0.15 + 17 × 0.6 = 12.3 + 10.2 = 22.5 per million.
        expectCost(flow, 0.0000225)

        let conversation = try #require(run.details[0]["conversation"] as? [String: Any])
        let tools = conversation["tools"] as? [[String: Any]] ?? []
        #expect(tools.map { $0["name"] as? String } == ["get_current_weather"])
        #expect(((tools.first?["schema"] as? [String: Any])?["required"] as? [String]) == ["location"])
        #expect((conversation["messages"] as? [[String: Any]])?.map { $0["role"] as? String } == ["user"])
        let call = try #require(Self.outputParts(conversation).first { $0["type"] as? String == "tool_call" })
        #expect(call["id"] as? String == "call_abc123")
        #expect(call["name"] as? String == "get_current_weather")
        #expect(call["arguments"] as? String == arguments, "the complete arguments JSON, as sent")
        #expect(Self.jsonObject(call["arguments"]) as? [String: String] == ["location": "Boston, MA"])
    }

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func openAIResponses() async throws {
        let run = try await SDKRun.drive("openai_sdk_responses.py", flows: 1)
        let text = "It is 14 °C and cloudy in Paris today."
        #expect(run.client["text"] as? String == text)
        #expect(run.client["reasoning_tokens"] as? Int == 32)

        let flow = try #require(run.flows.first)
        #expect(run.upstream.map(\.scenario) == ["openai/responses"])
        #expect(flow["url"] as? String == "https://api.openai.com/v1/responses")
        #expect(flow["provider"] as? String == "openai")
        #expect(flow["endpoint"] as? String == "responses")
        #expect(flow["model"] as? String == "o4-mini-2025-04-16")
        #expect(flow["stream"] as? Bool == false)
        #expect(flow["input_tokens"] as? Int == 328)
        #expect(flow["output_tokens"] as? Int == 52)
        #expect(flow["cached_input_tokens"] as? Int == 128)
        #expect(flow["reasoning_tokens"] as? Int == 32)
        // o4-mini: input 1.1, cached_input 0.275, output 4.4 (reasoning is part of output).
        // (328 − 128) × 1.1 + 128 × 0.275 + 52 × 4.4 = 220 + 35.2 + 228.8 = 484 per million.
        expectCost(flow, 0.000484)

        let conversation = try #require(run.details[0]["conversation"] as? [String: Any])
        #expect(conversation["system"] as? String == "You are a concise assistant.")
        let messages = conversation["messages"] as? [[String: Any]] ?? []
        #expect(messages.map { $0["role"] as? String } == ["user", "assistant", "tool"])
        let call = (messages.dropFirst().first?["parts"] as? [[String: Any]])?.first
        #expect(call?["type"] as? String == "tool_call")
        #expect(call?["name"] as? String == "get_weather")
        #expect(call?["arguments"] as? String == #"{"location":"Paris, France"}"#)
        let result = (messages.last?["parts"] as? [[String: Any]])?.first
        #expect(result?["type"] as? String == "tool_result")
        #expect(result?["id"] as? String == "call_12345xyz")
        #expect(result?["text"] as? String == #"{"temperature": 14, "conditions": "cloudy"}"#)
        #expect(Self.outputText(conversation) == text)
        #expect(Self.outputParts(conversation).contains { $0["type"] as? String == "reasoning" && $0["text"] as? String == "The tool said 14 degrees and cloudy." })
    }

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func openAIResponsesStream() async throws {
        let run = try await SDKRun.drive("openai_sdk_responses_stream.py", flows: 1)
        let text = "Hello! Let me check Paris."
        #expect(run.client["text"] as? String == text)
        #expect(run.client["events"] as? Int == 20)
        let clientCalls = run.client["tool_calls"] as? [[String: Any]] ?? []
        #expect(clientCalls.first?["arguments"] as? String == #"{"location":"Paris, France"}"#)

        let flow = try #require(run.flows.first)
        #expect(run.upstream.map(\.scenario) == ["openai/responses-stream"])
        #expect(flow["endpoint"] as? String == "responses")
        #expect(flow["model"] as? String == "gpt-4.1-2025-04-14")
        #expect(flow["stream"] as? Bool == true)
        #expect(flow["input_tokens"] as? Int == 61)
        #expect(flow["output_tokens"] as? Int == 29)
        // gpt-4.1: input 2, output 8. 61 × 2 + 29 × 8 = 122 + 232 = 354 per million.
        expectCost(flow, 0.000354)
        // The first text delta is the fifth event: four 20 ms gaps after the first.
        expectTTFT(flow, atLeast: 75)

        let detail = run.details[0]
        #expect((detail["events"] as? [Any])?.count == 20)
        let conversation = try #require(detail["conversation"] as? [String: Any])
        #expect((conversation["messages"] as? [[String: Any]])?.first?["role"] as? String == "user")
        #expect((conversation["tools"] as? [[String: Any]])?.map { $0["name"] as? String } == ["get_weather"])
        // The text reassembled from the deltas equals the text of the final `response.completed`.
        #expect(Self.outputText(conversation) == text)
        let call = try #require(Self.outputParts(conversation).first { $0["type"] as? String == "tool_call" })
        #expect(call["id"] as? String == "call_9GxHnq3XgNkA2Rr1")
        #expect(call["name"] as? String == "get_weather")
        #expect(call["arguments"] as? String == #"{"location":"Paris, France"}"#)
    }

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func openAIEmbeddings() async throws {
        let run = try await SDKRun.drive("openai_sdk_embeddings.py", flows: 1)
        let fixture = try Fixture.json("openai/embeddings")
        let vectors = (fixture["data"]?.value as? [[String: Any]] ?? []).map { $0["embedding"] as? [Double] ?? [] }
        #expect(run.client["vectors"] as? [[Double]] == vectors)

        let flow = try #require(run.flows.first)
        #expect(run.upstream.map(\.scenario) == ["openai/embeddings"])
        #expect(flow["endpoint"] as? String == "embeddings")
        #expect(flow["model"] as? String == "text-embedding-3-small")
        #expect(flow["stream"] as? Bool == false)
        #expect(flow["input_tokens"] as? Int == 14)
        // text-embedding-3-small: input 0.02. 14 × 0.02 = 0.28 per million.
        expectCost(flow, 0.00000028)
        let conversation = try #require(run.details[0]["conversation"] as? [String: Any])
        let inputs = ((conversation["messages"] as? [[String: Any]])?.first?["parts"] as? [[String: Any]])?.map { $0["text"] as? String }
        #expect(inputs == ["The food was delicious and the waiter...", "The service was slow."])
    }

    // MARK: Anthropic

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func anthropicMessages() async throws {
        let run = try await SDKRun.drive("anthropic_messages.py", flows: 1)
        let text = try Self.anthropicText("anthropic/messages")
        #expect(run.client["text"] as? String == text)
        #expect(run.client["input_tokens"] as? Int == 25)

        let flow = try #require(run.flows.first)
        #expect(run.upstream.map(\.scenario) == ["anthropic/messages"])
        #expect(flow["url"] as? String == "https://api.anthropic.com/v1/messages")
        #expect(flow["provider"] as? String == "anthropic")
        #expect(flow["endpoint"] as? String == "messages")
        #expect(flow["model"] as? String == "claude-3-5-haiku-20241022")
        #expect(flow["stream"] as? Bool == false)
        #expect(flow["input_tokens"] as? Int == 25)
        #expect(flow["output_tokens"] as? Int == 18)
        // claude-3-5-haiku: input 0.8, output 4. 25 × 0.8 + 18 × 4 = 20 + 72 = 92 per million.
        expectCost(flow, 0.000092)
        #expect(flow["ttft_ms"] is NSNull)

        let detail = run.details[0]
        // anthropic ≥ 2 sends the key as `Authorization: Bearer`, older ones as `x-api-key`: either way, redacted.
        expectKeyRedacted("sk-ant-test-messages-key-abcd", in: detail)
        let conversation = try #require(detail["conversation"] as? [String: Any])
        #expect(conversation["system"] as? String == "You are a friendly assistant.")
        let messages = conversation["messages"] as? [[String: Any]] ?? []
        #expect(messages.map { $0["role"] as? String } == ["user"])
        #expect((messages.first?["parts"] as? [[String: Any]])?.first?["text"] as? String == "Hello, Claude")
        #expect(Self.outputText(conversation) == text)
        #expect(conversation["finish_reason"] as? String == "end_turn")
    }

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func anthropicStream() async throws {
        let run = try await SDKRun.drive("anthropic_stream.py", flows: 1)
        // The streamed twin of anthropic/messages: the same text and usage.
        let twin = try Self.anthropicText("anthropic/messages")
        #expect(run.client["text"] as? String == twin)
        #expect(run.client["final_text"] as? String == twin)
        #expect(run.client["output_tokens"] as? Int == 18)
        #expect((run.client["arrivals"] as? [Double])?.count == 4)

        let flow = try #require(run.flows.first)
        #expect(run.upstream.map(\.scenario) == ["anthropic/messages-stream"])
        #expect(flow["provider"] as? String == "anthropic")
        #expect(flow["endpoint"] as? String == "messages")
        #expect(flow["model"] as? String == "claude-3-5-haiku-20241022")
        #expect(flow["stream"] as? Bool == true)
        #expect(flow["input_tokens"] as? Int == 25)
        #expect(flow["output_tokens"] as? Int == 18, "message_delta's final count, not message_start's 1")
        // As the twin: 25 × 0.8 + 18 × 4 = 92 per million.
        expectCost(flow, 0.000092)
        // message_start, content_block_start, ping, then the first text_delta: three 20 ms gaps.
        expectTTFT(flow, atLeast: 55)

        let detail = run.details[0]
        let events = detail["events"] as? [[String: Any]] ?? []
        #expect(events.map { $0["event"] as? String }.first == "message_start")
        #expect(events.count == 10)
        let conversation = try #require(detail["conversation"] as? [String: Any])
        #expect(conversation["system"] as? String == "You are a friendly assistant.")
        #expect(Self.outputText(conversation) == twin)
        #expect(conversation["finish_reason"] as? String == "end_turn")
    }

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func anthropicToolUse() async throws {
        let run = try await SDKRun.drive("anthropic_tools.py", flows: 1)
        let uses = run.client["tool_uses"] as? [[String: Any]] ?? []
        #expect(uses.first?["name"] as? String == "get_weather")
        #expect(uses.first?["input"] as? [String: String] == ["location": "San Francisco, CA", "unit": "celsius"])
        #expect(run.client["cache_read_input_tokens"] as? Int == 1800)

        let flow = try #require(run.flows.first)
        #expect(run.upstream.map(\.scenario) == ["anthropic/messages-tool-use"])
        #expect(flow["model"] as? String == "claude-sonnet-4-20250514")
        #expect(flow["input_tokens"] as? Int == 472)
        #expect(flow["output_tokens"] as? Int == 89)
        #expect(flow["cached_input_tokens"] as? Int == 1800)
        #expect(flow["finish_reason"] as? String == "tool_use")
        #expect(flow["tool_call_count"] as? Int == 1)
        // claude-sonnet-4: input 3, cached_input 0.3, cache_write 3.75, output 15; Anthropic's input_tokens
        // excludes cache reads and writes: 472 × 3 + 1800 × 0.3 + 200 × 3.75 + 89 × 15
        // = 1416 + 540 + 750 + 1335 = 4041 per million.
        expectCost(flow, 0.004041)

        let conversation = try #require(run.details[0]["conversation"] as? [String: Any])
        #expect(conversation["system"] as? String == "You are a weather assistant.")
        #expect((conversation["tools"] as? [[String: Any]])?.map { $0["name"] as? String } == ["get_weather"])
        #expect(Self.outputText(conversation) == "I'll check the current weather in San Francisco for you.")
        let call = try #require(Self.outputParts(conversation).first { $0["type"] as? String == "tool_call" })
        #expect(call["id"] as? String == "toolu_01A09q90qw90lq917835lq9")
        #expect(call["name"] as? String == "get_weather")
        #expect(Self.jsonObject(call["arguments"]) as? [String: String] == ["location": "San Francisco, CA", "unit": "celsius"])
    }

    // MARK: Gemini (google-genai)

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func geminiGenerateContent() async throws {
        let run = try await SDKRun.drive("genai_generate.py", flows: 1, environment: ["GEMINI_API_KEY": "AIza-test-genai-key-wxyz"])
        let text = try Self.geminiText("gemini/generate-content-text")
        #expect(run.client["text"] as? String == text)
        #expect(run.client["output_tokens"] as? Int == 40)

        let flow = try #require(run.flows.first)
        #expect(run.upstream.map(\.scenario) == ["gemini/generate-content-text"])
        // The API version in the path is the SDK's choice (`v1` or `v1beta`); the rest is fixed.
        let uri = try #require(run.upstream.first?.head.uri)
        #expect(uri.hasSuffix("/models/gemini-2.0-flash:generateContent"))
        #expect(flow["url"] as? String == "https://generativelanguage.googleapis.com\(uri)")
        #expect(flow["provider"] as? String == "gemini")
        #expect(flow["endpoint"] as? String == "generateContent")
        #expect(flow["model"] as? String == "gemini-2.0-flash")
        #expect(flow["stream"] as? Bool == false)
        #expect(flow["input_tokens"] as? Int == 8)
        #expect(flow["output_tokens"] as? Int == 40)
        // gemini-2.0-flash: input 0.1, output 0.4. 8 × 0.1 + 40 × 0.4 = 0.8 + 16 = 16.8 per million.
        expectCost(flow, 0.0000168)

        let detail = run.details[0]
        #expect(Self.header("x-goog-api-key", in: detail, "request") == "****wxyz")
        expectKeyRedacted("AIza-test-genai-key-wxyz", in: detail)
        let conversation = try #require(detail["conversation"] as? [String: Any])
        let messages = conversation["messages"] as? [[String: Any]] ?? []
        #expect(messages.map { $0["role"] as? String } == ["user"])
        #expect((messages.first?["parts"] as? [[String: Any]])?.first?["text"] as? String == "Write a story about a magic backpack.")
        #expect(Self.outputText(conversation) == text)
        #expect(Self.outputRoles(conversation) == ["assistant"])
        #expect(conversation["finish_reason"] as? String == "STOP")
    }

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func geminiGenerateContentStream() async throws {
        let run = try await SDKRun.drive("genai_stream.py", flows: 1)
        // The streamed twin of gemini/generate-content-text.
        let twin = try Self.geminiText("gemini/generate-content-text")
        #expect(run.client["text"] as? String == twin)
        #expect(run.client["chunks"] as? Int == 3)
        #expect(run.client["output_tokens"] as? Int == 40)

        let flow = try #require(run.flows.first)
        #expect(run.upstream.map(\.scenario) == ["gemini/stream-generate-content-sse"])
        let uri = try #require(run.upstream.first?.head.uri)
        #expect(uri.hasSuffix("/models/gemini-2.0-flash:streamGenerateContent?alt=sse"))
        #expect(flow["url"] as? String == "https://generativelanguage.googleapis.com\(uri)")
        #expect(flow["provider"] as? String == "gemini")
        #expect(flow["endpoint"] as? String == "streamGenerateContent")
        #expect(flow["model"] as? String == "gemini-2.0-flash")
        #expect(flow["stream"] as? Bool == true)
        #expect(flow["input_tokens"] as? Int == 8)
        #expect(flow["output_tokens"] as? Int == 40, "the last event's usage, not the first's")
        // As the twin: 8 × 0.1 + 40 × 0.4 = 16.8 per million.
        expectCost(flow, 0.0000168)
        // Text is in the very first event.
        expectTTFT(flow, atLeast: 0)

        let detail = run.details[0]
        #expect(Self.header("x-goog-api-key", in: detail, "request") == "****wxyz")
        expectKeyRedacted("AIza-test-genai-stream-key-wxyz", in: detail)
        #expect((detail["events"] as? [Any])?.count == 3)
        let conversation = try #require(detail["conversation"] as? [String: Any])
        #expect(Self.outputText(conversation) == twin)
        #expect(Self.outputRoles(conversation) == ["assistant"])
        #expect(conversation["finish_reason"] as? String == "STOP")
    }

    // MARK: Streamed and Gemini tool calls

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func openAIChatStreamToolCall() async throws {
        let run = try await SDKRun.drive("openai_sdk_tools_stream.py", flows: 1)
        let arguments = #"{"location":"Boston, MA"}"#
        #expect(run.client["text"] as? String == "Let me check.")
        let clientCalls = run.client["tool_calls"] as? [[String: Any]] ?? []
        #expect(clientCalls.first?["arguments"] as? String == arguments)
        #expect(run.client["finish_reason"] as? String == "tool_calls")

        let flow = try #require(run.flows.first)
        #expect(run.upstream.map(\.scenario) == ["openai/chat-completions-stream-tools"])
        #expect(flow["model"] as? String == "gpt-4o-mini-2024-07-18")
        #expect(flow["stream"] as? Bool == true)
        #expect(flow["input_tokens"] as? Int == 82)
        #expect(flow["output_tokens"] as? Int == 18)
        #expect(flow["finish_reason"] as? String == "tool_calls")
        #expect(flow["tool_call_count"] as? Int == 1)
        // gpt-4o-mini: 82 × 0.15 + 18 × 0.6 = 12.3 + 10.8 = 23.1 per million.
        expectCost(flow, 0.0000231)
        expectTTFT(flow, atLeast: 0)

        let conversation = try #require(run.details[0]["conversation"] as? [String: Any])
        #expect(conversation["system"] as? String == "Use tools when they help.")
        #expect(Self.outputText(conversation) == "Let me check.")
        let call = try #require(Self.outputParts(conversation).first { $0["type"] as? String == "tool_call" })
        #expect(call["id"] as? String == "call_DdmO9pD3xa9XTPNJ32zg2hcA")
        #expect(call["name"] as? String == "get_current_weather")
        #expect(call["arguments"] as? String == arguments, "fragments joined into the complete arguments")
    }

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func anthropicStreamToolUse() async throws {
        let run = try await SDKRun.drive("anthropic_stream_tools.py", flows: 1)
        let thinking = "The user wants the weather in San Francisco. I should call get_weather."
        #expect(run.client["thinking"] as? String == thinking)
        #expect(run.client["text"] as? String == "Let me look that up for you.")
        let uses = run.client["tool_uses"] as? [[String: Any]] ?? []
        #expect(uses.first?["input"] as? [String: String] == ["location": "San Francisco, CA", "unit": "fahrenheit"])
        #expect(run.client["output_tokens"] as? Int == 120)

        let flow = try #require(run.flows.first)
        #expect(run.upstream.map(\.scenario) == ["anthropic/messages-stream-thinking"])
        #expect(flow["model"] as? String == "claude-sonnet-4-5-20250929")
        #expect(flow["stream"] as? Bool == true)
        #expect(flow["input_tokens"] as? Int == 512)
        #expect(flow["output_tokens"] as? Int == 120)
        #expect(flow["finish_reason"] as? String == "tool_use")
        #expect(flow["tool_call_count"] as? Int == 1)
        // claude-sonnet-4-5: input 3, output 15. 512 × 3 + 120 × 15 = 1536 + 1800 = 3336 per million.
        expectCost(flow, 0.003336)
        // message_start, content_block_start, ping, then the first thinking_delta: three 20 ms gaps.
        expectTTFT(flow, atLeast: 55)

        let conversation = try #require(run.details[0]["conversation"] as? [String: Any])
        #expect(conversation["system"] as? String == "Answer weather questions with the tool.")
        let parts = Self.outputParts(conversation)
        #expect(parts.map { $0["type"] as? String } == ["reasoning", "text", "tool_call"])
        #expect(parts.first?["text"] as? String == thinking)
        #expect(Self.outputText(conversation) == "Let me look that up for you.")
        let call = try #require(parts.last)
        #expect(call["id"] as? String == "toolu_01T1x1fJ34qAmk2tNTrN7Up6")
        #expect(call["name"] as? String == "get_weather")
        #expect(call["arguments"] as? String == #"{"location": "San Francisco, CA", "unit": "fahrenheit"}"#,
                "input_json_delta fragments joined into the complete arguments")
    }

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func geminiFunctionCall() async throws {
        let run = try await SDKRun.drive("genai_tools.py", flows: 1)
        let clientCalls = run.client["function_calls"] as? [[String: Any]] ?? []
        #expect(clientCalls.first?["name"] as? String == "get_current_temperature")
        #expect(clientCalls.first?["args"] as? [String: String] == ["location": "London"])
        #expect(run.client["thoughts_tokens"] as? Int == 50)

        let flow = try #require(run.flows.first)
        #expect(run.upstream.map(\.scenario) == ["gemini/generate-content"])
        #expect(flow["endpoint"] as? String == "generateContent")
        #expect(flow["model"] as? String == "gemini-2.5-flash")
        #expect(flow["input_tokens"] as? Int == 57)
        #expect(flow["output_tokens"] as? Int == 18)
        #expect(flow["reasoning_tokens"] as? Int == 50)
        #expect(flow["tool_call_count"] as? Int == 1)
        // gemini-2.5-flash: input 0.3, output 2.5; Gemini's candidate count excludes the thinking tokens,
        // which are billed as output: 57 × 0.3 + (18 + 50) × 2.5 = 17.1 + 170 = 187.1 per million.
        expectCost(flow, 0.0001871)

        let conversation = try #require(run.details[0]["conversation"] as? [String: Any])
        #expect(conversation["system"] as? String == "You are a weather bot.")
        #expect((conversation["tools"] as? [[String: Any]])?.map { $0["name"] as? String } == ["get_current_temperature"])
        let parts = Self.outputParts(conversation)
        #expect(parts.first?["type"] as? String == "reasoning")
        let call = try #require(parts.first { $0["type"] as? String == "tool_call" })
        #expect(call["name"] as? String == "get_current_temperature")
        #expect(Self.jsonObject(call["arguments"]) as? [String: String] == ["location": "London"])
    }

    // MARK: Amazon Bedrock and Cohere

    static let awsAccessKeyID = "AKIASIGHTLINETEST7890"
    static let awsSessionToken = "IQoJb3JpZ2luX2VjSightlineTestSessionToken0123456789SESSIONtokenWXYZ"

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func bedrockConverseAndConverseStream() async throws {
        let run = try await SDKRun.drive("bedrock_converse.py", flows: 2, environment: [
            "AWS_ACCESS_KEY_ID": Self.awsAccessKeyID,
            "AWS_SECRET_ACCESS_KEY": "sightline-test-secret-access-key-0000000000",
            "AWS_SESSION_TOKEN": Self.awsSessionToken,
            "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
        ])
        let text = "Hello! It's nice to meet you. How can I help you today?"
        let client = run.client["converse"] as? [String: Any] ?? [:]
        #expect(client["text"] as? String == text)
        #expect(client["input_tokens"] as? Int == 25)
        let clientStream = run.client["converse_stream"] as? [String: Any] ?? [:]
        #expect(clientStream["text"] as? String == text)
        #expect((clientStream["events"] as? [String])?.count == 8)
        #expect(clientStream["output_tokens"] as? Int == 18)
        #expect(run.upstream.map(\.scenario) == ["bedrock/converse", "bedrock/converse-stream"])
        try #require(run.flows.count == 2)

        let model = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
        for (flow, endpoint) in zip(run.flows, ["converse", "converse-stream"]) {
            // boto3 percent-encodes the model id's `:` in the URL; the model is read decoded.
            #expect(flow["url"] as? String == "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/\(endpoint)")
            #expect(flow["status"] as? Int == 200)
            #expect(flow["provider"] as? String == "bedrock")
            #expect(flow["endpoint"] as? String == endpoint)
            #expect(flow["model"] as? String == model)
            #expect(flow["input_tokens"] as? Int == 25)
            #expect(flow["output_tokens"] as? Int == 18)
            // claude-3-5-haiku (Bedrock lists Anthropic's price): 25 × 0.8 + 18 × 4 = 20 + 72 = 92 per million.
            expectCost(flow, 0.000092)
            #expect(flow["finish_reason"] as? String == "end_turn")
        }
        #expect(run.flows[0]["stream"] as? Bool == false)
        #expect(run.flows[0]["ttft_ms"] is NSNull, "not a stream: no time to first token")
        #expect(run.flows[1]["stream"] as? Bool == true)
        #expect(run.flows[1]["truncated"] as? Bool == false)
        // messageStart goes at once, the first contentBlockDelta one frame (20 ms) later.
        expectTTFT(run.flows[1], atLeast: 15)

        for detail in run.details {
            let conversation = try #require(detail["conversation"] as? [String: Any])
            #expect(conversation["system"] as? String == "You are a friendly assistant.")
            let messages = conversation["messages"] as? [[String: Any]] ?? []
            #expect(messages.map { $0["role"] as? String } == ["user"])
            #expect((messages.first?["parts"] as? [[String: Any]])?.first?["text"] as? String == "Hello, Claude")
            #expect(Self.outputRoles(conversation) == ["assistant"])
            #expect(Self.outputText(conversation) == text)
            #expect((conversation["parameters"] as? [String: Any])?["maxTokens"] as? Int == 512)

            // SigV4: the key id and signature are gone, the session token is stored nowhere.
            let authorization = try #require(Self.header("authorization", in: detail, "request"))
            #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 ****"), "\(authorization)")
            #expect(!authorization.contains("Credential="))
            #expect(Self.header("x-amz-security-token", in: detail, "request") == "****WXYZ")
            let stored = String(decoding: try JSONSerialization.data(withJSONObject: detail), as: UTF8.self)
            #expect(!stored.contains(Self.awsSessionToken))
            #expect(!stored.contains(Self.awsAccessKeyID))
        }

        let events = run.details[1]["events"] as? [[String: Any]] ?? []
        #expect(events.map { $0["event"] as? String } == ["messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockDelta",
                                                        "contentBlockDelta", "contentBlockStop", "messageStop", "metadata"])
        let firstDelta = Self.jsonObject(events.dropFirst().first?["data"]) as? [String: Any]
        #expect((firstDelta?["delta"] as? [String: Any])?["text"] as? String == "Hello")
        let times = events.compactMap { ($0["t_ms"] as? NSNumber)?.doubleValue }
        #expect(times.count == 8 && times.last! - times.first! >= 100, "frames keep their arrival times (20 ms apart): \(times)")
        #expect(run.details[0]["events"] as? [Any] == nil || (run.details[0]["events"] as? [Any])?.isEmpty == true)
    }

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func cohereChatAndStream() async throws {
        let run = try await SDKRun.drive("cohere_chat.py", flows: 2)
        let text = "Hello! It's nice to meet you. How can I help you today?"
        #expect((run.client["chat"] as? [String: Any])?["text"] as? String == text)
        #expect((run.client["stream"] as? [String: Any])?["text"] as? String == text)
        #expect(run.upstream.map(\.scenario) == ["cohere/chat", "cohere/chat-stream"])
        try #require(run.flows.count == 2)
        for flow in run.flows {
            #expect(flow["provider"] as? String == "cohere")
            #expect(flow["endpoint"] as? String == "chat")
            #expect(flow["model"] as? String == "command-a-03-2025")
            #expect(flow["input_tokens"] as? Int == 9)
            #expect(flow["output_tokens"] as? Int == 16)
            // command-a: 9 × 2.5 + 16 × 10 = 22.5 + 160 = 182.5 per million (billed units, not `tokens`).
            expectCost(flow, 0.0001825)
            #expect(flow["finish_reason"] as? String == "COMPLETE")
        }
        #expect(run.flows[1]["stream"] as? Bool == true)
        expectTTFT(run.flows[1], atLeast: 35)
        #expect((run.details[1]["events"] as? [Any])?.count == 8)
        for detail in run.details {
            expectKeyRedacted("co-test-chat-key-abcd1234", in: detail)
            let conversation = try #require(detail["conversation"] as? [String: Any])
            #expect(conversation["system"] as? String == "You are a friendly assistant.")
            #expect(Self.outputText(conversation) == text)
        }
    }

    // MARK: LangChain

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func langChainToolCallingAgent() async throws {
        let run = try await SDKRun.drive("langchain_tools_agent.py", flows: 2)
        let answer = "It is currently 72 °F and sunny in Boston, MA."
        #expect(run.client["answer"] as? String == answer)
        let clientCalls = run.client["tool_calls"] as? [[String: Any]] ?? []
        #expect(clientCalls.first?["name"] as? String == "get_current_weather")
        #expect(clientCalls.first?["args"] as? [String: String] == ["location": "Boston, MA"])
        #expect(run.client["tool_results"] as? [String] == ["72 F and sunny"])
        #expect(run.upstream.map(\.scenario) == ["openai/chat-completions-tools", "openai/chat-completions-tool-result"])
        try #require(run.flows.count == 2)

        // First call: the tool offered, the model asks for it.
        let first = run.flows[0]
        #expect(first["endpoint"] as? String == "chat.completions")
        #expect(first["finish_reason"] as? String == "tool_calls")
        // 82 × 0.15 + 17 × 0.6 = 22.5 per million (gpt-4o-mini).
        expectCost(first, 0.0000225)
        let firstConversation = try #require(run.details[0]["conversation"] as? [String: Any])
        #expect((firstConversation["tools"] as? [[String: Any]])?.map { $0["name"] as? String } == ["get_current_weather"])
        let call = try #require(Self.outputParts(firstConversation).first { $0["type"] as? String == "tool_call" })
        #expect(call["name"] as? String == "get_current_weather")
        #expect(Self.jsonObject(call["arguments"]) as? [String: String] == ["location": "Boston, MA"])

        // Second call: the tool's result goes back, the model answers in text.
        let second = run.flows[1]
        #expect(second["model"] as? String == "gpt-4o-mini-2024-07-18")
        #expect(second["input_tokens"] as? Int == 121)
        #expect(second["output_tokens"] as? Int == 15)
        #expect(second["finish_reason"] as? String == "stop")
        // 121 × 0.15 + 15 × 0.6 = 18.15 + 9 = 27.15 per million.
        expectCost(second, 0.00002715)
        let conversation = try #require(run.details[1]["conversation"] as? [String: Any])
        let messages = conversation["messages"] as? [[String: Any]] ?? []
        #expect(messages.map { $0["role"] as? String } == ["user", "assistant", "tool"])
        let sentCall = (messages.dropFirst().first?["parts"] as? [[String: Any]])?.first { $0["type"] as? String == "tool_call" }
        #expect(sentCall?["id"] as? String == "call_abc123")
        #expect(sentCall?["name"] as? String == "get_current_weather")
        #expect(Self.jsonObject(sentCall?["arguments"]) as? [String: String] == ["location": "Boston, MA"])
        let result = (messages.last?["parts"] as? [[String: Any]])?.first
        #expect(result?["type"] as? String == "tool_result")
        #expect(result?["id"] as? String == "call_abc123")
        #expect(result?["text"] as? String == "72 F and sunny")
        #expect(Self.outputText(conversation) == answer)
    }

    // MARK: Helpers

    private func expectCost(_ flow: [String: Any], _ expected: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let cost = (flow["cost_usd"] as? NSNumber)?.doubleValue else {
            Issue.record("cost_usd is \(String(describing: flow["cost_usd"])), expected \(expected)", sourceLocation: sourceLocation)
            return
        }
        #expect(abs(cost - expected) <= expected * 1e-9, "cost_usd \(cost) ≠ \(expected)", sourceLocation: sourceLocation)
    }

    /// The key never reaches the store: no stored header value, URL or body holds it, and the header that
    /// carried it keeps only its last four characters.
    private func expectKeyRedacted(_ key: String, in detail: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        let request = detail["request"] as? [String: Any] ?? [:]
        let headers = request["headers"] as? [[String]] ?? []
        #expect(!headers.contains { $0.last?.contains(key) == true }, "\(headers)", sourceLocation: sourceLocation)
        #expect(headers.contains { $0.last?.hasSuffix("****" + key.suffix(4)) == true }, "\(headers)", sourceLocation: sourceLocation)
        #expect((request["url"] as? String)?.contains(key) == false, sourceLocation: sourceLocation)
        #expect((request["body"] as? String)?.contains(key) != true, sourceLocation: sourceLocation)
    }

    /// Present, at least `atLeast` ms (the upstream's pacing before the first output), and within the flow.
    private func expectTTFT(_ flow: [String: Any], atLeast: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let ttft = (flow["ttft_ms"] as? NSNumber)?.doubleValue else {
            Issue.record("ttft_ms is \(String(describing: flow["ttft_ms"]))", sourceLocation: sourceLocation)
            return
        }
        #expect(ttft >= atLeast, "ttft_ms \(ttft) < \(atLeast)", sourceLocation: sourceLocation)
        if let duration = (flow["duration_ms"] as? NSNumber)?.doubleValue {
            #expect(ttft <= duration, "ttft_ms \(ttft) > duration_ms \(duration)", sourceLocation: sourceLocation)
        }
    }

    static func outputParts(_ conversation: [String: Any]) -> [[String: Any]] {
        (conversation["output"] as? [[String: Any]] ?? []).flatMap { $0["parts"] as? [[String: Any]] ?? [] }
    }

    static func outputRoles(_ conversation: [String: Any]) -> [String?] {
        (conversation["output"] as? [[String: Any]] ?? []).map { $0["role"] as? String }
    }

    /// The output's text parts joined, as a user reads the answer.
    static func outputText(_ conversation: [String: Any]) -> String {
        outputParts(conversation).filter { $0["type"] as? String == "text" }.compactMap { $0["text"] as? String }.joined()
    }

    static func header(_ name: String, in detail: [String: Any], _ side: String) -> String? {
        let headers = (detail[side] as? [String: Any])?["headers"] as? [[String]] ?? []
        return headers.first { $0.first?.lowercased() == name }?.last
    }

    static func jsonObject(_ text: Any?) -> Any? {
        guard let text = text as? String else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    static func anthropicText(_ scenario: String) throws -> String {
        let content = try Fixture.json(scenario)["content"]?.value as? [[String: Any]] ?? []
        return content.filter { $0["type"] as? String == "text" }.compactMap { $0["text"] as? String }.joined()
    }

    static func geminiText(_ scenario: String) throws -> String {
        let parts = try Fixture.json(scenario)["candidates"]?[0]?["content"]?["parts"]?.value as? [[String: Any]] ?? []
        return parts.compactMap { $0["text"] as? String }.joined()
    }
}

/// One driver run through a fresh stack: what the client printed, the flows oldest first with their
/// details, and what the upstream received.
struct SDKRun {
    var client: [String: Any]
    var flows: [[String: Any]]
    var details: [[String: Any]]
    var upstream: [FixtureUpstream.Received]
    /// What `inspect` read through the API before the stack stopped, by path.
    var api: [String: Any] = [:]

    static let providerOrigins = ["https://api.openai.com", "https://api.anthropic.com", "https://generativelanguage.googleapis.com",
                                  "https://bedrock-runtime.us-east-1.amazonaws.com", "https://api.cohere.com"]

    /// `inspect` names more API paths to read once the flows are in (it is given them, oldest first).
    static func drive(_ script: String, flows count: Int, environment extra: [String: String] = [:],
                      inspect: ([[String: Any]]) -> [String] = { _ in [] },
                      sourceLocation: SourceLocation = #_sourceLocation) async throws -> SDKRun {
        let python = try #require(TestPython.executable, "no Python with the SDKs: run .ci/run or set SIGHTLINE_TEST_PYTHON",
                                  sourceLocation: sourceLocation)
        let stack = try await FullStack.start(upstreamFactory: { try await FixtureUpstream(directory: $0) }, mapRemote: providerOrigins)
        do {
            var environment = stack.clientEnvironment
            // Only the proxy and its CA: no base-URL overrides, no other trust or proxy settings.
            for key in ["ANTHROPIC_BASE_URL", "GOOGLE_GEMINI_BASE_URL", "GEMINI_API_KEY", "GOOGLE_API_KEY", "AWS_PROFILE",
                        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "CO_API_KEY",
                        "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI",
                        "https_proxy", "http_proxy", "all_proxy", "ALL_PROXY", "no_proxy"] {
                environment.removeValue(forKey: key)
            }
            environment["REQUESTS_CA_BUNDLE"] = stack.caFile.path
            environment["AWS_CA_BUNDLE"] = stack.caFile.path
            environment["CURL_CA_BUNDLE"] = stack.caFile.path
            environment.removeValue(forKey: "SSL_CERT_DIR")
            environment.merge(extra) { _, new in new }
            let result = try await runOffThePool(python, [TestPython.script(script)], environment: environment)
            let received = (stack.extraUpstream as? FixtureUpstream)?.received ?? []
            try #require(result.status == 0, """
                \(script) exited \(result.status); the upstream received \(received.map { "\($0.head.method) \($0.head.uri) → \($0.scenario ?? "404")" }):
                \(result.stderr)
                """, sourceLocation: sourceLocation)
            let client = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
                                      "\(script) printed \(result.stdoutText)", sourceLocation: sourceLocation)
            let flows = Array(try await stack.waitForFlows(count).reversed())
            #expect(flows.count == count, "\(flows.count) flows recorded, expected \(count)", sourceLocation: sourceLocation)
            var details: [[String: Any]] = []
            for flow in flows {
                let id = flow["id"] as? String ?? ""
                details.append(try #require(try await stack.api("/api/flows/\(id)") as? [String: Any], sourceLocation: sourceLocation))
            }
            var api: [String: Any] = [:]
            for path in inspect(flows) { api[path] = try await stack.api(path) }
            let upstream = (stack.extraUpstream as? FixtureUpstream)?.received ?? []
            await stack.stop()
            return SDKRun(client: client, flows: flows, details: details, upstream: upstream, api: api)
        } catch {
            await stack.stop()
            throw error
        }
    }
}

/// The wire-format fixtures under `Tests/Fixtures/<provider>/<scenario>/`.
enum Fixture {
    static func text(_ path: String) throws -> String {
        try String(contentsOf: FixtureUpstream.fixturesDirectory.appendingPathComponent(path), encoding: .utf8)
    }

    /// `response.json` of a scenario, with a subscript that reads through arrays too.
    static func json(_ scenario: String) throws -> JSONTree {
        let data = try Data(contentsOf: FixtureUpstream.fixturesDirectory.appendingPathComponent("\(scenario)/response.json"))
        return JSONTree(try JSONSerialization.jsonObject(with: data))
    }
}

/// A parsed JSON value navigable by key and index (`tree["choices"]?[0]?["message"]`).
struct JSONTree {
    let value: Any
    init(_ value: Any) { self.value = value }

    subscript(key: String) -> JSONTree? {
        ((value as? [String: Any])?[key]).map(JSONTree.init)
    }

    subscript(index: Int) -> JSONTree? {
        guard let array = value as? [Any], array.indices.contains(index) else { return nil }
        return JSONTree(array[index])
    }
}
