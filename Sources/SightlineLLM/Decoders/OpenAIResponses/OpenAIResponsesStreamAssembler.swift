import SightlineCore
/// Rebuilds a response from Responses API stream events. The terminal event
/// (`response.completed`, `.incomplete`, `.failed`) carries the whole response and wins; the deltas
/// are kept so that a stream cut short still shows what had arrived.
struct OpenAIResponsesStreamAssembler {
    private struct Item {
        var skeleton: JSONValue = .object([:])
        var done: JSONValue?
        var text = ""
        var refusal = ""
        var arguments = ""
        var reasoning = ""
    }

    private var items: [Int: Item] = [:]
    private var sawTerminalResponse = false

    private static let terminalEvents: Set<String> = ["response.completed", "response.incomplete", "response.failed"]

    mutating func consume(_ event: StreamEvent, into result: inout DecodedExchange, decoder: OpenAIResponsesDecoder) {
        guard let json = event.json else { return }
        let type = json["type"]?.string ?? event.event ?? ""
        let index = json["output_index"]?.int ?? 0
        let delta = json["delta"]?.string ?? ""

        switch type {
        case _ where Self.terminalEvents.contains(type):
            if let response = json["response"] {
                decoder.decodeResponse(response, into: &result)
                sawTerminalResponse = true
            }
            result.sawFinalEvent = true
        case "response.created", "response.in_progress":
            if let model = json["response"]?["model"]?.nonEmptyString { result.responseModel = model }
            if let id = json["response"]?["id"]?.nonEmptyString { result.responseID = id }
        case "response.output_item.added":
            items[index, default: Item()].skeleton = json["item"] ?? .object([:])
        case "response.output_item.done":
            items[index, default: Item()].done = json["item"]
        case "response.output_text.delta":
            items[index, default: Item()].text += delta
        case "response.refusal.delta":
            items[index, default: Item()].refusal += delta
        case "response.function_call_arguments.delta", "response.custom_tool_call_input.delta":
            items[index, default: Item()].arguments += delta
        case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
            items[index, default: Item()].reasoning += delta
        case "error":
            result.noteError(ProviderErrorDecoder.describe(openAIError: json["error"] ?? json))
        default:
            break
        }
        if type.hasSuffix(".delta"), !delta.isEmpty { result.noteOutput(at: event.tMs) }
    }

    func finish(into result: inout DecodedExchange) {
        guard !sawTerminalResponse else { return }
        let parts = items.keys.sorted().flatMap { index -> [Conversation.Part] in
            guard let item = items[index] else { return [] }
            if let done = item.done { return OpenAIResponsesItems.outputParts(done) }
            return partialParts(item)
        }
        result.conversation.output = parts.isEmpty ? [] : [Conversation.Message(role: "assistant", parts: parts)]
    }

    private func partialParts(_ item: Item) -> [Conversation.Part] {
        let skeleton = item.skeleton
        switch skeleton["type"]?.string {
        case "function_call", "custom_tool_call":
            return [Conversation.Part(type: "tool_call", id: skeleton["call_id"]?.string,
                                      name: skeleton["name"]?.string, arguments: item.arguments)]
        case "reasoning":
            return item.reasoning.isEmpty ? [] : [Conversation.Part(type: "reasoning", text: item.reasoning)]
        default:
            var parts: [Conversation.Part] = []
            if !item.text.isEmpty { parts.append(.text(item.text)) }
            if !item.refusal.isEmpty { parts.append(Conversation.Part(type: "refusal", text: item.refusal)) }
            return parts
        }
    }
}
