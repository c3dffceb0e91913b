import SightlineCore
/// Rebuilds a message from Anthropic's stream: `message_start` (model, input usage),
/// `content_block_start`/`_delta`/`_stop` per block index, `message_delta` (stop reason, output usage),
/// `message_stop` (the final event).
struct AnthropicStreamAssembler: StreamAssembler {
    private struct Block {
        var start: JSONValue
        var text = ""
        var json = ""
        var sawJSONDelta = false
        var signature = ""
    }

    private var role = "assistant"
    private var blocks: [Int: Block] = [:]
    private var order: [Int] = []

    mutating func consume(_ event: StreamEvent, into result: inout DecodedExchange) {
        guard let json = event.json else { return }
        switch json["type"]?.string ?? event.event ?? "" {
        case "message_start":
            let message = json["message"]
            if let model = message?["model"]?.nonEmptyString { result.responseModel = model }
            if let id = message?["id"]?.nonEmptyString { result.responseID = id }
            if let role = message?["role"]?.nonEmptyString { self.role = role }
            result.conversation.usage = AnthropicContentBlocks.usage(message?["usage"])
        case "content_block_start":
            let index = json["index"]?.int ?? order.count
            let start = json["content_block"] ?? .object([:])
            if blocks[index] == nil { order.append(index) }
            var block = Block(start: start)
            // Text and thinking blocks may start with content already in them.
            block.text = start["text"]?.string ?? start["thinking"]?.string ?? ""
            blocks[index] = block
            if !block.text.isEmpty || start["type"]?.string?.hasSuffix("tool_use") == true {
                result.noteOutput(at: event.tMs)
            }
        case "content_block_delta":
            let index = json["index"]?.int ?? order.last ?? 0
            if blocks[index] == nil {
                order.append(index)
                blocks[index] = Block(start: .object([:]))
            }
            if apply(json["delta"], to: index) { result.noteOutput(at: event.tMs) }
        case "message_delta":
            if let reason = json["delta"]?["stop_reason"]?.nonEmptyString { result.conversation.finishReason = reason }
            result.conversation.usage = AnthropicContentBlocks.usage(json["usage"], over: result.conversation.usage)
        case "message_stop":
            result.sawFinalEvent = true
        case "error":
            result.noteError(ProviderErrorDecoder.describe(json: json))
        default:
            break // ping, content_block_stop
        }
    }

    /// Returns true when the delta carried output.
    private mutating func apply(_ delta: JSONValue?, to index: Int) -> Bool {
        guard let delta, var block = blocks[index] else { return false }
        defer { blocks[index] = block }
        switch delta["type"]?.string {
        case "text_delta":
            block.text += delta["text"]?.string ?? ""
            return true
        case "thinking_delta":
            block.text += delta["thinking"]?.string ?? ""
            return true
        case "input_json_delta":
            block.json += delta["partial_json"]?.string ?? ""
            block.sawJSONDelta = true
            return true
        case "signature_delta":
            block.signature += delta["signature"]?.string ?? ""
            return false
        default:
            return false
        }
    }

    func finish(into result: inout DecodedExchange) {
        let parts = order.compactMap { index -> Conversation.Part? in
            guard let block = blocks[index] else { return nil }
            var full = block.start.object ?? [:]
            switch block.start["type"]?.string {
            case "text": full["text"] = .string(block.text)
            case "thinking": full["thinking"] = .string(block.text)
            default: break
            }
            guard var part = AnthropicContentBlocks.part(.object(full)) else {
                return block.text.isEmpty ? nil : .text(block.text)
            }
            // Tool input arrives as JSON fragments; the start block's `input` is an empty placeholder.
            if part.type == "tool_call", block.sawJSONDelta {
                part.arguments = block.json
            }
            return part
        }
        result.conversation.output = [Conversation.Message(role: role, parts: parts)]
    }
}
