import SightlineCore
/// One unit of a streamed response, whatever framed it: an SSE event, an NDJSON line (Ollama), or an
/// element of Gemini's non-SSE JSON array stream. `tMs` is nil when arrival times are unknown.
struct StreamEvent {
    var tMs: Double?
    var event: String?
    var data: String
    /// `data` parsed as JSON, once, for every decoder.
    var json: JSONValue?

    init(tMs: Double?, event: String?, data: String) {
        self.tMs = tMs
        self.event = event
        self.data = data
        self.json = JSONValue.parse(data)
    }

    init(tMs: Double?, json: JSONValue) {
        self.tMs = tMs
        self.event = nil
        self.data = ""
        self.json = json
    }

    /// OpenAI's end-of-stream sentinel.
    var isDone: Bool {
        data.utf8.count < 16 && data.trimmingWhitespace == "[DONE]"
    }
}

extension String {
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
