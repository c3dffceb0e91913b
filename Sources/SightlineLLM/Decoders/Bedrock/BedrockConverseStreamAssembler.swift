import SightlineCore
/// Rebuilds a Converse message from ConverseStream's events: `messageStart` (role),
/// `contentBlockStart` (a tool call's id and name), `contentBlockDelta` (text, tool input fragments,
/// reasoning) and `contentBlockStop` per `contentBlockIndex`, `messageStop` (stop reason), `metadata`
/// (usage). Each event is named by its frame's `:event-type`; Nova's InvokeModelWithResponseStream sends
/// the same events as `chunk`s wrapping `{"<eventType>": {…}}`, which are unwrapped.
struct BedrockConverseStreamAssembler: StreamAssembler {
    private enum Kind { case text, toolUse, reasoning }

    private struct Block {
        var kind = Kind.text
        var text = ""
        var toolUseID: String?
        var name: String?
        var input = ""
    }

    private static let eventTypes: Set<String> = [
        "messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata",
    ]

    private var role = "assistant"
    private var blocks: [Int: Block] = [:]
    private var order: [Int] = []

    mutating func consume(_ event: StreamEvent, into result: inout DecodedExchange) {
        guard let (type, body) = Self.typeAndBody(event) else { return }
        switch type {
        case "messageStart":
            if let role = body["role"]?.nonEmptyString { self.role = role }
        case "contentBlockStart":
            let index = block(at: body["contentBlockIndex"]?.int)
            if let use = body["start"]?["toolUse"] {
                blocks[index]?.kind = .toolUse
                blocks[index]?.toolUseID = use["toolUseId"]?.string
                blocks[index]?.name = use["name"]?.string
            }
        case "contentBlockDelta":
            let index = block(at: body["contentBlockIndex"]?.int)
            if apply(body["delta"], to: index) { result.noteOutput(at: event.tMs) }
        case "messageStop":
            result.conversation.finishReason = body["stopReason"]?.nonEmptyString
            result.sawFinalEvent = true
        case "metadata":
            result.conversation.usage = BedrockContentBlocks.usage(body["usage"])
        default:
            // `throttlingException`, `modelStreamErrorException`, …: `{"message": …}`.
            if type.hasSuffix("Exception") || type == "error" {
                let message = body["message"]?.nonEmptyString ?? body["Message"]?.nonEmptyString
                result.noteError(message.map { "\(type): \($0)" } ?? type)
            }
        }
    }

    /// The event's type and body: by the frame's name, or from Nova's one-key wrapper in a `chunk`.
    private static func typeAndBody(_ event: StreamEvent) -> (String, JSONValue)? {
        guard let json = event.json else { return nil }
        if let name = event.event, name != "chunk" { return (name, json) }
        // The last chunk also carries `amazon-bedrock-invocationMetrics` beside the event.
        guard let object = json.object, let key = object.keys.first(where: eventTypes.contains), let body = object[key] else {
            return nil
        }
        return (key, body)
    }

    /// The index of the block an event names (the last one when it names none), created when new.
    private mutating func block(at index: Int?) -> Int {
        let index = index ?? order.last ?? 0
        if blocks[index] == nil {
            order.append(index)
            blocks[index] = Block()
        }
        return index
    }

    /// Returns true when the delta carried output.
    private mutating func apply(_ delta: JSONValue?, to index: Int) -> Bool {
        guard let delta, var block = blocks[index] else { return false }
        defer { blocks[index] = block }
        if let text = delta["text"]?.string {
            block.text += text
            return true
        }
        if let input = delta["toolUse"]?["input"]?.string {
            block.kind = .toolUse
            block.input += input
            return true
        }
        if let reasoning = delta["reasoningContent"] {
            block.kind = .reasoning
            if let text = reasoning["text"]?.string {
                block.text += text
                return true
            }
            return reasoning["redactedContent"] != nil
        }
        return false
    }

    func finish(into result: inout DecodedExchange) {
        let parts = order.compactMap { index -> Conversation.Part? in
            guard let block = blocks[index] else { return nil }
            switch block.kind {
            case .text:
                return block.text.isEmpty ? nil : .text(block.text)
            case .toolUse:
                return Conversation.Part(type: "tool_call", id: block.toolUseID, name: block.name, arguments: block.input)
            case .reasoning:
                return Conversation.Part(type: "reasoning", text: block.text.isEmpty ? nil : block.text)
            }
        }
        result.conversation.output = [Conversation.Message(role: role, parts: parts)]
    }
}
