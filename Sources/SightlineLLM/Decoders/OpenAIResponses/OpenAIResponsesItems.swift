import SightlineCore
/// The typed items of the Responses API, shared by `input` and `output`.
enum OpenAIResponsesItems {
    typealias Part = Conversation.Part
    typealias Message = Conversation.Message

    /// An input item as a message of the conversation.
    static func message(_ item: JSONValue) -> Message? {
        if let role = item["role"]?.nonEmptyString, item["type"]?.string ?? "message" == "message" {
            return Message(role: role, parts: OpenAIContentParts.parts(item["content"]))
        }
        switch item["type"]?.string {
        case "function_call_output", "custom_tool_call_output":
            let output = item["output"]
            let text = output?.string
                ?? output?.array.flatMap { ConversationBuilding.text(of: OpenAIContentParts.parts(.array($0))) }
                ?? output.map(\.jsonText)
            return Message(role: "tool", parts: [Part(type: "tool_result", text: text, id: item["call_id"]?.string)])
        default:
            let parts = outputParts(item)
            return parts.isEmpty ? nil : Message(role: "assistant", parts: parts)
        }
    }

    /// The parts an output item (or an assistant-side input item) contributes.
    static func outputParts(_ item: JSONValue) -> [Part] {
        switch item["type"]?.string {
        case "message":
            return OpenAIContentParts.parts(item["content"])
        case "function_call":
            return [Part(type: "tool_call", id: item["call_id"]?.string ?? item["id"]?.string,
                         name: item["name"]?.string, arguments: item["arguments"]?.string)]
        case "custom_tool_call":
            return [Part(type: "tool_call", id: item["call_id"]?.string, name: item["name"]?.string,
                         arguments: item["input"]?.string)]
        case "reasoning":
            return [Part(type: "reasoning", text: reasoningText(item))]
        default:
            return []
        }
    }

    /// Reasoning is shown as its summary (what OpenAI returns); raw reasoning text where a provider
    /// returns it; nil text when only encrypted content came back.
    static func reasoningText(_ item: JSONValue) -> String? {
        let texts = (item["summary"].arrayOrEmpty + item["content"].arrayOrEmpty).compactMap { $0["text"]?.string }
        return texts.isEmpty ? nil : texts.joined(separator: "\n\n")
    }
}
