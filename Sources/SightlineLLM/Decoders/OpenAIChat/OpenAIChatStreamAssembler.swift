import SightlineCore
/// Rebuilds a chat completion from `chat.completion.chunk` deltas: content and reasoning are
/// concatenated per choice, tool-call argument fragments joined by their `index`, usage taken from the
/// final chunk that `stream_options.include_usage` adds.
struct OpenAIChatStreamAssembler: StreamAssembler {
    typealias Part = Conversation.Part

    private struct ToolCall {
        var id: String?
        var name: String?
        var arguments = ""
    }

    private struct Choice {
        var role: String?
        var reasoning = ""
        var text = ""
        var refusal = ""
        var toolCalls: [Int: ToolCall] = [:]
        var toolCallOrder: [Int] = []
        var finishReason: String?
    }

    private var choices: [Int: Choice] = [:]

    mutating func consume(_ event: StreamEvent, into result: inout DecodedExchange) {
        if event.isDone {
            result.sawFinalEvent = true
            return
        }
        guard let chunk = event.json else { return }
        if let error = chunk["error"], error.object != nil {
            result.noteError(ProviderErrorDecoder.describe(json: chunk))
        }
        if let model = chunk["model"]?.nonEmptyString { result.responseModel = model }
        if result.responseID == nil { result.responseID = chunk["id"]?.nonEmptyString }
        // Groq sends the final usage under `x_groq`.
        if let usage = OpenAIUsage.parse(chunk["usage"] ?? chunk["x_groq"]?["usage"]) {
            result.conversation.usage = usage
        }
        for choiceJSON in chunk["choices"].arrayOrEmpty {
            let index = choiceJSON["index"]?.int ?? 0
            var choice = choices[index] ?? Choice()
            if apply(choiceJSON, to: &choice) { result.noteOutput(at: event.tMs) }
            choices[index] = choice
        }
    }

    /// Returns true when the delta carried output.
    private func apply(_ json: JSONValue, to choice: inout Choice) -> Bool {
        if let reason = json["finish_reason"]?.nonEmptyString { choice.finishReason = reason }
        // Legacy completions-style chunks and some servers send `text` or a full `message`.
        guard let delta = json["delta"] ?? json["message"] else { return false }
        var carried = false
        if let role = delta["role"]?.nonEmptyString { choice.role = role }
        if let text = (delta["reasoning_content"] ?? delta["reasoning"])?.nonEmptyString {
            choice.reasoning += text
            carried = true
        }
        if let text = delta["content"]?.nonEmptyString {
            choice.text += text
            carried = true
        }
        if let text = delta["refusal"]?.nonEmptyString {
            choice.refusal += text
            carried = true
        }
        for fragment in delta["tool_calls"].arrayOrEmpty {
            // Without an index (some compatible servers), a fragment with a new id starts a new call.
            let index: Int
            if let given = fragment["index"]?.int {
                index = given
            } else if let id = fragment["id"]?.nonEmptyString, !choice.toolCalls.values.contains(where: { $0.id == id }) {
                index = (choice.toolCallOrder.max() ?? -1) + 1
            } else {
                index = choice.toolCallOrder.last ?? 0
            }
            if choice.toolCalls[index] == nil { choice.toolCallOrder.append(index) }
            var call = choice.toolCalls[index] ?? ToolCall()
            if let id = fragment["id"]?.nonEmptyString { call.id = id }
            if let name = fragment["function"]?["name"]?.nonEmptyString { call.name = name }
            if let arguments = OpenAIChatDecoder.arguments(fragment["function"]?["arguments"]) {
                call.arguments += arguments
            }
            choice.toolCalls[index] = call
            carried = true
        }
        return carried
    }

    func finish(into result: inout DecodedExchange) {
        let ordered = choices.keys.sorted().compactMap { choices[$0] }
        result.conversation.output = ordered.map { choice in
            var parts: [Part] = []
            if !choice.reasoning.isEmpty { parts.append(Part(type: "reasoning", text: choice.reasoning)) }
            if !choice.text.isEmpty { parts.append(.text(choice.text)) }
            if !choice.refusal.isEmpty { parts.append(Part(type: "refusal", text: choice.refusal)) }
            for index in choice.toolCallOrder {
                guard let call = choice.toolCalls[index] else { continue }
                parts.append(Part(type: "tool_call", id: call.id, name: call.name, arguments: call.arguments))
            }
            return Conversation.Message(role: choice.role ?? "assistant", parts: parts)
        }
        result.conversation.finishReason = ordered.first?.finishReason
    }
}
