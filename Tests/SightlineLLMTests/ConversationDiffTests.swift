import SightlineCore
import Testing
@testable import SightlineLLM

@Suite("what a call changed against another")
struct ConversationDiffTests {
    static func text(_ role: String, _ text: String) -> Conversation.Message { .init(role: role, parts: [.text(text)]) }

    @Test("a tool loop's second turn adds the assistant's tool call and the tool's result, nothing else")
    func toolLoop() {
        let question = Self.text("user", "Weather in Paris?")
        var call = Conversation.Part(type: "tool_call")
        call.id = "call_1"
        call.name = "get_weather"
        call.arguments = #"{"city":"Paris"}"#
        var result = Conversation.Part(type: "tool_result")
        result.id = "call_1"
        result.text = "18 °C"
        let weather = Conversation.Tool(name: "get_weather")
        let first = Conversation(system: "be brief", messages: [question], tools: [weather], parameters: ["temperature": .number(0)])
        let second = Conversation(system: "be brief", messages: [question, .init(role: "assistant", parts: [call]), .init(role: "tool", parts: [result])],
                                  tools: [weather], parameters: ["temperature": .number(0)])
        let diff = ConversationDiff(from: first, otherModel: "gpt-4o", to: second, model: "gpt-4o")
        #expect(diff.added.map(\.role) == ["assistant", "tool"] && diff.added[0].parts == [call])
        #expect(diff.removed.isEmpty && diff.changed.isEmpty && !diff.systemChanged && diff.parameters.isEmpty)
        #expect(ConversationDiff(from: second, to: second).isEmpty)
    }

    @Test("an edited replay: a changed message, the system prompt, tools and parameters, and the model")
    func editedReplay() {
        let before = Conversation(system: "be brief", messages: [Self.text("user", "hi"), Self.text("assistant", "hello")],
                                  tools: [.init(name: "search"), .init(name: "fetch")], parameters: ["temperature": .number(1), "seed": .number(7)])
        let after = Conversation(system: "be thorough", messages: [Self.text("user", "hey")],
                                 tools: [.init(name: "search"), .init(name: "browse")], parameters: ["temperature": .number(0), "seed": .number(7), "top_p": .number(0.5)])
        let diff = ConversationDiff(from: before, otherModel: "gpt-4o-mini", to: after, model: "gpt-4o")
        #expect(diff.changed == [.init(index: 0, before: Self.text("user", "hi"), after: Self.text("user", "hey"))])
        #expect(diff.removed == [Self.text("assistant", "hello")] && diff.added.isEmpty)
        #expect(diff.systemChanged && diff.toolsAdded == ["browse"] && diff.toolsRemoved == ["fetch"])
        #expect(diff.parameters.mapValues { [$0.before, $0.after] } == [
            "temperature": [.number(1), .number(0)], "top_p": [nil, .number(0.5)], "model": [.string("gpt-4o-mini"), .string("gpt-4o")],
        ])
    }
}
