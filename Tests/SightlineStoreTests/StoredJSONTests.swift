import Foundation
import SightlineCore
import SightlineLLM
import Testing
@testable import SightlineStore

@Suite("Stored JSON")
struct StoredJSONTests {
    static let awkward = "quote \" backslash \\ slash / newline \n tab \t cr \r nul \u{0} bell \u{7} del \u{7F} é 漢字 😀 \u{2028}"

    @Test("a conversation written as stored JSON reads back equal through its Codable conformance")
    func conversationRoundTrip() throws {
        let full = Conversation(
            system: Self.awkward,
            messages: [
                .init(role: "user", parts: [.text("hi " + Self.awkward),
                                            .init(type: "image", url: "https://x.example/a.png", mediaType: "image/png")]),
                .init(role: "assistant", parts: [.init(type: "tool_call", id: "call_1", name: "lookup", arguments: #"{"q":"\"x\""}"#)]),
                .init(role: "tool", parts: [.init(type: "tool_result", text: "42", id: "call_1", isError: false)]),
            ],
            tools: [.init(name: "lookup", description: "Finds things",
                          schema: .object(["type": .string("object"), "properties": .object(["q": .object(["type": .string("string")])]),
                                           "required": .array([.string("q")]), "nullable": .null, "strict": .bool(true)])),
                    .init(name: "bare")],
            parameters: ["temperature": .number(0.2), "max_tokens": .number(64), "top_p": .number(-1e-7),
                         "big": .number(1e20), "stop": .array([.string("\n\n")]), "stream": .bool(true)],
            output: [.init(role: "assistant", parts: [.init(type: "reasoning"), .text("an answer"),
                                                      .init(type: "refusal", text: "no", isError: true)])],
            finishReason: "tool_calls",
            usage: LLMUsage(inputTokens: 12, outputTokens: 34, cachedInputTokens: 5, cacheWriteTokens: 3, reasoningTokens: 7),
            error: "rate_limit_exceeded: slow down")
        for conversation in [full, Conversation()] {
            let text = StoredJSON.conversation(conversation)
            let decoded = try JSONDecoder().decode(Conversation.self, from: Data(text.utf8))
            #expect(decoded == conversation)
            // And it says what Foundation's encoder would have said.
            let viaEncoder = try JSONDecoder().decode(Conversation.self, from: JSONEncoder().encode(conversation))
            #expect(decoded == viaEncoder)
            #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any])
        }
    }

    @Test("headers, properties and SSE events read back equal")
    func otherColumnsRoundTrip() throws {
        let headers = [HeaderField("Content-Type", "application/json"), HeaderField("X-Odd", Self.awkward), HeaderField("Empty", "")]
        #expect(try JSONDecoder().decode([HeaderField].self, from: Data(StoredJSON.headers(headers).utf8)) == headers)
        #expect(StoredJSON.headers([]) == "[]")

        let properties = ["team": "search", Self.awkward: Self.awkward, "": "empty name"]
        #expect(try JSONDecoder().decode([String: String].self, from: Data(StoredJSON.properties(properties).utf8)) == properties)
        #expect(StoredJSON.properties([:]) == "{}")

        let events = [TimedSSEEvent(tMs: 120.5, event: nil, data: #"{"choices":[{"delta":{"content":"hi"}}]}"#),
                      TimedSSEEvent(tMs: 121, event: "message_delta", data: Self.awkward, id: "7"),
                      TimedSSEEvent(tMs: 0.000125, event: "", data: "")]
        #expect(try JSONDecoder().decode([TimedSSEEvent].self, from: Data(StoredJSON.events(events).utf8)) == events)
        #expect(StoredJSON.events([]) == "[]")
    }

    @Test("JSONValue text is unchanged by the shared writer: cache keys stay the same")
    func canonicalTextIsStable() {
        let value = JSONValue.object(["b": .array([.number(1), .number(2.5), .null, .bool(false)]), "a": .string("x\"y\\z\n\u{1}")])
        #expect(value.canonicalText == #"{"a":"x\"y\\z\n\u0001","b":[1,2.5,null,false]}"#)
    }
}
