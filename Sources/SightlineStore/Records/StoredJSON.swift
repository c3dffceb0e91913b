import SightlineCore
import SightlineLLM

/// The JSON text of the values a flow row keeps as JSON (headers, properties, SSE events, the
/// conversation), written directly: through Foundation's `JSONEncoder` these cost a third of recording
/// a flow. It is read back with `JSONDecoder` and the types' `Codable` conformances, so it spells
/// exactly their keys, leaving out what is nil as synthesized `Codable` does; the tests hold the two
/// to each other.
enum StoredJSON {
    /// `[["name","value"],…]`, the `HeaderField` shape.
    static func headers(_ headers: [HeaderField]) -> String {
        var out = "["
        for (index, field) in headers.enumerated() {
            if index > 0 { out += "," }
            out += "["
            JSONText.appendString(field.name, to: &out)
            out += ","
            JSONText.appendString(field.value, to: &out)
            out += "]"
        }
        return out + "]"
    }

    static func properties(_ properties: [String: String]) -> String {
        var out = "{"
        var members = Members()
        for key in properties.keys.sorted() { members.string(key, properties[key], &out) }
        return out + "}"
    }

    static func events(_ events: [TimedSSEEvent]) -> String {
        var out = "["
        out.reserveCapacity(events.reduce(2) { $0 + $1.data.utf8.count + 40 })
        for (index, event) in events.enumerated() {
            if index > 0 { out += "," }
            out += "{"
            var members = Members()
            members.string("data", event.data, &out)
            members.string("event", event.event, &out)
            members.string("id", event.id, &out)
            members.key("t_ms", &out)
            JSONText.appendNumber(event.tMs, to: &out)
            out += "}"
        }
        return out + "]"
    }

    static func conversation(_ conversation: Conversation) -> String {
        var out = "{"
        var members = Members()
        members.string("error", conversation.error, &out)
        members.string("finish_reason", conversation.finishReason, &out)
        members.array("messages", conversation.messages, &out, message)
        members.array("output", conversation.output, &out, message)
        members.key("parameters", &out)
        JSONValue.object(conversation.parameters).write(to: &out)
        members.string("system", conversation.system, &out)
        members.array("tools", conversation.tools, &out) { out, tool in
            out += "{"
            var members = Members()
            members.string("description", tool.description, &out)
            members.string("name", tool.name, &out)
            if let schema = tool.schema {
                members.key("schema", &out)
                schema.write(to: &out)
            }
            out += "}"
        }
        members.key("usage", &out)
        usage(conversation.usage, &out)
        return out + "}"
    }

    private static func message(_ out: inout String, _ message: Conversation.Message) {
        out += "{"
        var members = Members()
        members.array("parts", message.parts, &out) { out, part in
            out += "{"
            var members = Members()
            members.string("arguments", part.arguments, &out)
            if let duration = part.durationMs {
                members.key("duration_ms", &out)
                JSONText.appendNumber(duration, to: &out)
            }
            members.string("id", part.id, &out)
            if let isError = part.isError {
                members.key("is_error", &out)
                out += isError ? "true" : "false"
            }
            members.string("media_type", part.mediaType, &out)
            members.string("name", part.name, &out)
            members.string("text", part.text, &out)
            members.string("type", part.type, &out)
            members.string("url", part.url, &out)
            out += "}"
        }
        members.string("role", message.role, &out)
        out += "}"
    }

    private static func usage(_ usage: LLMUsage, _ out: inout String) {
        out += "{"
        var members = Members()
        members.integer("cache_write_tokens", usage.cacheWriteTokens, &out)
        members.integer("cached_input_tokens", usage.cachedInputTokens, &out)
        members.integer("input_tokens", usage.inputTokens, &out)
        members.integer("output_tokens", usage.outputTokens, &out)
        members.integer("reasoning_tokens", usage.reasoningTokens, &out)
        out += "}"
    }

    /// The members of one object: a comma before each but the first, nil values left out.
    private struct Members {
        private var first = true

        mutating func key(_ name: String, _ out: inout String) {
            if !first { out += "," }
            first = false
            JSONText.appendString(name, to: &out)
            out += ":"
        }

        mutating func string(_ name: String, _ value: String?, _ out: inout String) {
            guard let value else { return }
            key(name, &out)
            JSONText.appendString(value, to: &out)
        }

        mutating func integer(_ name: String, _ value: Int?, _ out: inout String) {
            guard let value else { return }
            key(name, &out)
            JSONText.appendNumber(value, to: &out)
        }

        mutating func array<Element>(_ name: String, _ elements: [Element], _ out: inout String,
                                     _ write: (inout String, Element) -> Void) {
            key(name, &out)
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                write(&out, element)
            }
            out += "]"
        }
    }
}
