import SightlineCore
import Testing
@testable import SightlineLLM

/// A call continues an earlier one when its input is that call's input and output, compared on the decoded
/// conversation: the keys one call leaves must be among those the next one looks up, whatever the SDK's JSON.
@Suite("thread keys")
struct ThreadKeysTests {
    static let analyzer = LLMAnalyzer(prices: PriceTable())

    static func keys(_ url: String, request: String, response: String, headers: [HeaderField] = []) throws -> ThreadKeys {
        let analysis = try #require(analyzer.analyze(LLMExchange(
            method: "POST", url: url, requestHeaders: headers + [HeaderField("Content-Type", "application/json")],
            requestBody: Array(request.utf8), status: 200, responseHeaders: [HeaderField("Content-Type", "application/json")],
            responseBody: Array(response.utf8), events: [], requestSentMs: 1, firstByteMs: 2, lastByteMs: 3)))
        return try #require(ThreadKeys.of(analysis))
    }

    static func continues(_ later: ThreadKeys, _ earlier: ThreadKeys) -> Bool {
        later.candidates.first.map(earlier.continuations.contains) ?? false
    }

    static let chat = "https://api.openai.com/v1/chat/completions"

    @Test("an OpenAI tool loop: the second call sends the SDK's own dump of the tool call (content null, refusal, other whitespace in the arguments) and a tool result")
    func openAIToolLoop() throws {
        let first = try Self.keys(Self.chat, request: Fixture.string("openai/chat-completions-tools/request.json"),
                                  response: Fixture.string("openai/chat-completions-tools/response.json"))
        #expect(first.candidates.isEmpty, "a first turn continues nothing")
        let second = try Self.keys(Self.chat, request: Fixture.string("openai/chat-completions-tool-result/request.json"),
                                   response: Fixture.string("openai/chat-completions-tool-result/response.json"))
        #expect(Self.continues(second, first))

        // `message.model_dump()` as the openai SDK writes it: every optional field, the arguments as the model sent them.
        let dumped = """
            {"model":"gpt-4o-mini","messages":[{"role":"user","content":"What's the weather like in Boston today?"},
            {"content":null,"refusal":null,"role":"assistant","annotations":[],"audio":null,"function_call":null,
             "tool_calls":[{"id":"call_abc123","function":{"arguments":"{\\n\\"location\\": \\"Boston, MA\\"\\n}","name":"get_current_weather"},"type":"function"}]},
            {"role":"tool","tool_call_id":"call_abc123","content":"72 F and sunny"}]}
            """
        #expect(Self.continues(try Self.keys(Self.chat, request: dumped, response: #"{"choices":[]}"#), first))
    }

    @Test("a different system prompt, another provider or an unrelated question starts its own conversation")
    func unrelated() throws {
        let first = try Self.keys(Self.chat, request: #"{"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]}"#,
                                  response: #"{"choices":[{"message":{"role":"assistant","content":"hello"}}]}"#)
        let turn = #"{"role":"user","content":"hi"},{"role":"assistant","content":"hello"},{"role":"user","content":"more"}"#
        let continued = try Self.keys(Self.chat, request: #"{"model":"m","messages":[{"role":"system","content":"be brief"},\#(turn)]}"#,
                                      response: "{}")
        #expect(Self.continues(continued, first))
        let otherSystem = try Self.keys(Self.chat, request: #"{"model":"m","messages":[{"role":"system","content":"be long"},\#(turn)]}"#,
                                        response: "{}")
        #expect(!otherSystem.candidates.contains { first.continuations.contains($0) })
        let otherProvider = try Self.keys("https://api.groq.com/openai/v1/chat/completions",
                                          request: #"{"model":"m","messages":[{"role":"system","content":"be brief"},\#(turn)]}"#, response: "{}")
        #expect(!otherProvider.candidates.contains { first.continuations.contains($0) })
        let unrelated = try Self.keys(Self.chat, request: #"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#, response: "{}")
        #expect(unrelated.candidates.isEmpty)
    }

    @Test("the longest earlier conversation comes first: a third turn continues the second, not the first")
    func longestFirst() throws {
        let messages = [#"{"role":"user","content":"a"}"#, #"{"role":"assistant","content":"b"}"#, #"{"role":"user","content":"c"}"#,
                        #"{"role":"assistant","content":"d"}"#, #"{"role":"user","content":"e"}"#]
        let second = try Self.keys(Self.chat, request: #"{"messages":[\#(messages[0...2].joined(separator: ","))]}"#,
                                   response: #"{"choices":[{"message":{"role":"assistant","content":"d"}}]}"#)
        let third = try Self.keys(Self.chat, request: #"{"messages":[\#(messages.joined(separator: ","))]}"#, response: "{}")
        #expect(third.candidates.count == 2)
        #expect(Self.continues(third, second))
    }

    @Test("Anthropic: a two-turn chat, and a tool loop whose resend keeps or drops the thinking block and reorders the input's keys")
    func anthropic() throws {
        let url = "https://api.anthropic.com/v1/messages"
        let first = try Self.keys(url, request: Fixture.string("anthropic/messages-tool-use/request.json"),
                                  response: Fixture.string("anthropic/messages-tool-use/response.json"))
        let question = try #require(JSONValue.parse(Fixture.string("anthropic/messages-tool-use/request.json"))?["messages"]?.array?.first?.jsonText)
        let system = JSONValue.parse(Fixture.string("anthropic/messages-tool-use/request.json"))?["system"]?.jsonText ?? "null"
        for thinking in ["", #"{"type":"thinking","thinking":"Let me look.","signature":"abc"},"#] {
            let resend = """
                {"model":"claude-sonnet-4-20250514","max_tokens":1024,"system":\(system),"messages":[\(question),
                {"role":"assistant","content":[\(thinking){"type":"text","text":"I'll check the current weather in San Francisco for you."},
                 {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"unit":"celsius","location":"San Francisco, CA"}}]},
                {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A09q90qw90lq917835lq9","content":"15 °C"}]}]}
                """
            #expect(Self.continues(try Self.keys(url, request: resend, response: "{}"), first), "thinking: \(!thinking.isEmpty)")
        }
    }

    @Test("Responses: a call naming `previous_response_id` continues the call that answered with that id, before any conversation match")
    func previousResponseID() throws {
        let url = "https://api.openai.com/v1/responses"
        let first = try Self.keys(url, request: #"{"model":"gpt-4o","input":"tell me a joke"}"#,
                                  response: #"{"id":"resp_1","output":[{"type":"message","role":"assistant","content":[{"type":"output_text","text":"A joke."}]}]}"#)
        #expect(first.continuations.contains("r:resp_1"))
        let second = try Self.keys(url, request: #"{"model":"gpt-4o","previous_response_id":"resp_1","input":"another"}"#,
                                   response: #"{"id":"resp_2","output":[]}"#)
        #expect(second.candidates.first == "r:resp_1")
        // Without the id, a client that sends the whole history back (store: false) continues by conversation.
        let stateless = try Self.keys(url, request: """
            {"model":"gpt-4o","input":[{"role":"user","content":"tell me a joke"},
             {"type":"message","role":"assistant","content":[{"type":"output_text","text":"A joke.","annotations":[]}]},
             {"role":"user","content":"another"}]}
            """, response: "{}")
        #expect(Self.continues(stateless, first))
    }

    @Test("Gemini: a streamed turn continues a turn that was not streamed (the model's `model` role is the assistant)")
    func gemini() throws {
        let base = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash"
        let first = try Self.keys(base + ":generateContent", request: #"{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}"#,
                                  response: #"{"candidates":[{"content":{"role":"model","parts":[{"text":"hello"}]}}]}"#)
        let second = try Self.keys(base + ":streamGenerateContent?alt=sse", request: """
            {"contents":[{"role":"user","parts":[{"text":"hi"}]},{"role":"model","parts":[{"text":"hello"}]},{"role":"user","parts":[{"text":"more"}]}]}
            """, response: "[]")
        #expect(Self.continues(second, first))
    }

    @Test("calls that hold no conversation have no keys; an MCP session's calls share one key")
    func noConversation() throws {
        let embeddings = try #require(Self.analyzer.analyze(LLMExchange(
            method: "POST", url: "https://api.openai.com/v1/embeddings", requestHeaders: [], requestBody: Array(#"{"input":"x","model":"m"}"#.utf8),
            status: 200, responseHeaders: [], responseBody: Array(#"{"data":[]}"#.utf8), events: [], requestSentMs: nil, firstByteMs: nil, lastByteMs: nil)))
        #expect(ThreadKeys.of(embeddings) == nil)
        #expect(ThreadKeys.mcp(sessionID: "abc") == ThreadKeys(candidates: ["m:abc"], continuations: ["m:abc"]))
    }
}
