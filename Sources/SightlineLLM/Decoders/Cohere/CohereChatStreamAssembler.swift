import SightlineCore
/// Rebuilds a Cohere v2 chat message from its stream: `message-start` (id, role), `content-start` /
/// `content-delta` / `content-end` per content index (`delta.message.content.text` or `.thinking`),
/// `tool-plan-delta`, `tool-call-start` / `-delta` / `-end` per tool call index, and `message-end`
/// (`delta.finish_reason`, `delta.usage`), the final event. Content and tool calls count their indexes apart.
struct CohereChatStreamAssembler: StreamAssembler {
    private struct Content {
        var isThinking = false
        var text = ""
    }

    private struct ToolCall {
        var id: String?
        var name: String?
        var arguments = ""
    }

    private var role = "assistant"
    private var toolPlan = ""
    private var contents: [Int: Content] = [:]
    private var contentOrder: [Int] = []
    private var calls: [Int: ToolCall] = [:]
    private var callOrder: [Int] = []

    mutating func consume(_ event: StreamEvent, into result: inout DecodedExchange) {
        guard let json = event.json else { return }
        let message = json["delta"]?["message"]
        let index = json["index"]?.int
        switch json["type"]?.string ?? event.event ?? "" {
        case "message-start":
            if let id = json["id"]?.nonEmptyString { result.responseID = id }
            if let role = message?["role"]?.nonEmptyString { self.role = role }
        case "content-start":
            let i = contentIndex(index)
            let content = message?["content"]
            contents[i]?.isThinking = content?["type"]?.string == "thinking"
            let text = content?["text"]?.string ?? content?["thinking"]?.string ?? ""
            contents[i]?.text += text
            if !text.isEmpty { result.noteOutput(at: event.tMs) }
        case "content-delta":
            let i = contentIndex(index)
            let content = message?["content"]
            if let thinking = content?["thinking"]?.string {
                contents[i]?.isThinking = true
                contents[i]?.text += thinking
            } else {
                contents[i]?.text += content?["text"]?.string ?? ""
            }
            result.noteOutput(at: event.tMs)
        case "tool-plan-delta":
            toolPlan += message?["tool_plan"]?.string ?? ""
            result.noteOutput(at: event.tMs)
        case "tool-call-start":
            let i = callIndex(index)
            let call = message?["tool_calls"]
            calls[i]?.id = call?["id"]?.string
            calls[i]?.name = call?["function"]?["name"]?.string
            calls[i]?.arguments += call?["function"]?["arguments"]?.string ?? ""
            result.noteOutput(at: event.tMs)
        case "tool-call-delta":
            let i = callIndex(index)
            calls[i]?.arguments += message?["tool_calls"]?["function"]?["arguments"]?.string ?? ""
            result.noteOutput(at: event.tMs)
        case "message-end":
            let delta = json["delta"]
            if let reason = delta?["finish_reason"]?.nonEmptyString { result.conversation.finishReason = reason }
            if let usage = delta?["usage"] { result.conversation.usage = CohereChatDecoder.usage(usage) }
            if let error = delta?["error"]?.nonEmptyString { result.noteError(error) }
            result.sawFinalEvent = true
        default:
            break // content-end, tool-call-end, citation-start/-end
        }
    }

    private mutating func contentIndex(_ index: Int?) -> Int {
        let i = index ?? contentOrder.last ?? 0
        if contents[i] == nil {
            contentOrder.append(i)
            contents[i] = Content()
        }
        return i
    }

    private mutating func callIndex(_ index: Int?) -> Int {
        let i = index ?? callOrder.last ?? 0
        if calls[i] == nil {
            callOrder.append(i)
            calls[i] = ToolCall()
        }
        return i
    }

    func finish(into result: inout DecodedExchange) {
        var parts: [Conversation.Part] = []
        if !toolPlan.isEmpty { parts.append(Conversation.Part(type: "reasoning", text: toolPlan)) }
        for i in contentOrder {
            guard let content = contents[i] else { continue }
            if content.isThinking {
                parts.append(Conversation.Part(type: "reasoning", text: content.text))
            } else if !content.text.isEmpty {
                parts.append(.text(content.text))
            }
        }
        for i in callOrder {
            guard let call = calls[i] else { continue }
            parts.append(Conversation.Part(type: "tool_call", id: call.id, name: call.name, arguments: call.arguments))
        }
        result.conversation.output = [Conversation.Message(role: role, parts: parts)]
    }
}
