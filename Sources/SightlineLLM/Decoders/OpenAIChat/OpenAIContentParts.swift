import SightlineCore
/// Content as OpenAI's chat and Responses formats spell it: a string, or an array of typed parts.
enum OpenAIContentParts {
    typealias Part = Conversation.Part

    static func parts(_ content: JSONValue?) -> [Part] {
        guard let content else { return [] }
        if let text = content.string { return text.isEmpty ? [] : [.text(text)] }
        return content.arrayOrEmpty.compactMap(part)
    }

    static func part(_ json: JSONValue) -> Part? {
        if let text = json.string { return .text(text) }
        switch json["type"]?.string {
        case "text", "input_text", "output_text":
            return json["text"]?.string.map(Part.text)
        case "image_url":
            // Chat nests the URL (`{"image_url":{"url":…}}`); some clients send it flat.
            let url = json["image_url"]?["url"]?.string ?? json["image_url"]?.string
            return ConversationBuilding.image(url: url)
        case "input_image":
            return ConversationBuilding.image(url: json["image_url"]?.string ?? json["file_id"]?.string)
        case "input_audio":
            let format = json["input_audio"]?["format"]?.string
            return Part(type: "audio", mediaType: format.map { "audio/\($0)" })
        case "file", "input_file":
            let name = json["file"]?["filename"]?.string ?? json["filename"]?.string
                ?? json["file"]?["file_id"]?.string ?? json["file_id"]?.string
            return Part(type: "file", name: name)
        case "refusal":
            return Part(type: "refusal", text: json["refusal"]?.string)
        default:
            return nil
        }
    }
}
