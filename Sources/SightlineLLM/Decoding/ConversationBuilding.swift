import SightlineCore
/// Small pieces every decoder needs to build the common model the same way.
enum ConversationBuilding {
    /// Texts of text-like parts, joined by newlines; nil when there are none.
    static func text(of parts: [Conversation.Part]) -> String? {
        let texts = parts.compactMap { part -> String? in
            switch part.type {
            case "text", "refusal", "tool_result": part.text
            default: nil
            }
        }
        return texts.isEmpty ? nil : texts.joined(separator: "\n")
    }

    /// An image part: a `data:` URL keeps only its media type, since the bytes are already in the
    /// recorded body and would bloat every stored conversation.
    static func image(url: String?, mediaType: String? = nil) -> Conversation.Part {
        guard let url else { return Conversation.Part(type: "image", mediaType: mediaType) }
        if url.hasPrefix("data:") {
            let header = url.dropFirst(5).prefix { $0 != ";" && $0 != "," }
            return Conversation.Part(type: "image", mediaType: header.isEmpty ? mediaType : String(header))
        }
        return Conversation.Part(type: "image", url: url, mediaType: mediaType)
    }

    /// Top-level request fields that are not the conversation itself: temperature, max tokens, tool
    /// choice, stream, reasoning effort… kept as they came.
    static func parameters(of body: JSONValue, excluding keys: Set<String>) -> [String: JSONValue] {
        (body.object ?? [:]).filter { !keys.contains($0.key) }
    }

    /// A function tool as OpenAI-shaped formats declare it (`{"type":"function","function":{…}}`, the
    /// flat Responses/legacy `functions` shape, or a built-in tool known only by its type).
    static func openAITool(_ json: JSONValue) -> Conversation.Tool? {
        let function = json["function"] ?? json["custom"] ?? json
        if let name = function["name"]?.nonEmptyString {
            return Conversation.Tool(name: name, description: function["description"]?.string,
                                     schema: function["parameters"] ?? function["format"])
        }
        return json["type"]?.nonEmptyString.map { Conversation.Tool(name: $0) }
    }
}

extension Conversation {
    /// Moves the leading system/developer messages into `system`, where every format keeps its system
    /// prompt; later ones stay in place because their position matters.
    mutating func liftLeadingSystemMessages() {
        var texts: [String] = system.map { [$0] } ?? []
        while let first = messages.first, first.role == "system" || first.role == "developer" {
            if let text = ConversationBuilding.text(of: first.parts) { texts.append(text) }
            messages.removeFirst()
        }
        system = texts.isEmpty ? nil : texts.joined(separator: "\n\n")
    }
}
