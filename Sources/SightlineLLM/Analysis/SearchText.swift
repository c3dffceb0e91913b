/// The text a full-text index needs from a conversation: system prompt, every message's readable
/// text, then the output, one piece per line.
enum SearchText {
    static func of(_ conversation: Conversation) -> String {
        var pieces: [String] = []
        if let system = conversation.system, !system.isEmpty { pieces.append(system) }
        for message in conversation.messages + conversation.output {
            for part in message.parts {
                switch part.type {
                case "text", "refusal", "reasoning", "tool_result", "audio":
                    if let text = part.text, !text.isEmpty { pieces.append(text) }
                default:
                    break
                }
            }
        }
        return pieces.joined(separator: "\n")
    }
}
