import SightlineCore
import SightlineLLM

/// A conversation in the JSON shapes the GenAI conventions give `gen_ai.input.messages`,
/// `gen_ai.output.messages`, `gen_ai.system_instructions` and `gen_ai.tool.definitions` (their input-,
/// output-messages and system-instructions schemas): role and parts, a part typed `text`, `tool_call`,
/// `tool_call_response`, `reasoning`, `uri`, or — for what the schemas have no type for — Sightline's own
/// type name, as the schemas' generic part allows. Exported only when content capture is opted in.
enum GenAIContent {
    static func attributes(of conversation: Conversation) -> [String: String] {
        var out: [String: String] = [:]
        if let system = conversation.system, !system.isEmpty {
            out[GenAI.Attribute.systemInstructions] = JSONValue.array([textPart(system)]).jsonText
        }
        if !conversation.messages.isEmpty {
            out[GenAI.Attribute.inputMessages] = JSONValue.array(conversation.messages.map { message($0) }).jsonText
        }
        if !conversation.output.isEmpty {
            out[GenAI.Attribute.outputMessages] = JSONValue.array(conversation.output.map {
                message($0, finishReason: conversation.finishReason)
            }).jsonText
        }
        if !conversation.tools.isEmpty {
            out[GenAI.Attribute.toolDefinitions] = JSONValue.array(conversation.tools.map(tool)).jsonText
        }
        return out
    }

    static func message(_ message: Conversation.Message, finishReason: String? = nil) -> JSONValue {
        var object: [String: JSONValue] = ["role": .string(message.role), "parts": .array(message.parts.map(part))]
        if let finishReason { object["finish_reason"] = .string(finishReason) }
        return .object(object)
    }

    static func part(_ part: Conversation.Part) -> JSONValue {
        var object: [String: JSONValue]
        switch part.type {
        case "text":
            return textPart(part.text ?? "")
        case "tool_call":
            object = ["type": .string("tool_call")]
            object["id"] = part.id.map(JSONValue.string)
            object["name"] = part.name.map(JSONValue.string)
            // The conventions want the arguments as an object; a provider's unparsable string stays a string.
            object["arguments"] = part.arguments.map { JSONValue.parse($0) ?? .string($0) }
        case "tool_result":
            object = ["type": .string("tool_call_response")]
            object["id"] = part.id.map(JSONValue.string)
            object["response"] = .string(part.text ?? "")
        case "reasoning":
            object = ["type": .string("reasoning"), "content": .string(part.text ?? "")]
        case "image", "audio", "file":
            // A `data:` URL is the bytes themselves, which are not exported.
            guard let url = part.url, !url.hasPrefix("data:") else { return generic(part) }
            object = ["type": .string("uri"), "modality": .string(part.type), "uri": .string(url)]
            object["mime_type"] = part.mediaType.map(JSONValue.string)
        default:
            return generic(part)
        }
        return .object(object)
    }

    /// What the schemas have no type for: media without a URL (its bytes are not exported), `refusal`,
    /// and any type a later decoder adds.
    private static func generic(_ part: Conversation.Part) -> JSONValue {
        var object: [String: JSONValue] = ["type": .string(part.type)]
        object["content"] = part.text.map(JSONValue.string)
        object["mime_type"] = part.mediaType.map(JSONValue.string)
        object["name"] = part.name.map(JSONValue.string)
        object["duration_ms"] = part.durationMs.map(JSONValue.number)
        return .object(object)
    }

    static func tool(_ tool: Conversation.Tool) -> JSONValue {
        var object: [String: JSONValue] = ["type": .string("function"), "name": .string(tool.name)]
        object["description"] = tool.description.map(JSONValue.string)
        object["parameters"] = tool.schema
        return .object(object)
    }

    private static func textPart(_ text: String) -> JSONValue {
        .object(["type": .string("text"), "content": .string(text)])
    }
}
