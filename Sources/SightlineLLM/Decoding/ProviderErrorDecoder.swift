import SightlineCore
/// Turns a provider's error body into one readable line: `rate_limit_error: Number of requests…`.
enum ProviderErrorDecoder {
    /// The longest plain-text body kept when the error is not JSON (an HTML page from a load balancer).
    static let maxPlainTextLength = 500

    static func describe(body: [UInt8], status: Int?) -> String? {
        if let json = JSONValue.parse(body), let text = describe(json: json) { return text }
        let text = String(decoding: body.prefix(maxPlainTextLength * 4), as: UTF8.self).trimmingWhitespace
        if !text.isEmpty { return String(text.prefix(maxPlainTextLength)) }
        return status.map { "HTTP \($0)" }
    }

    static func describe(json: JSONValue) -> String? {
        // Gemini's non-SSE stream wraps the error in an array.
        if let first = json.array?.first { return describe(json: first) }
        if let error = json["error"] {
            if let text = error.nonEmptyString { return text } // Ollama, llama.cpp: {"error":"…"}
            return describe(openAIError: error)
        }
        // vLLM and other compatible servers: {"object":"error","message":…,"type":…}
        if let message = json["message"]?.nonEmptyString {
            return label(json["code"]?.string ?? json["type"]?.string, message)
        }
        if let detail = json["detail"] {
            return detail.string ?? detail.jsonText // FastAPI-based servers
        }
        return nil
    }

    /// The `error` object of OpenAI (`code`, `type`), Anthropic (`type`) and Gemini (`status`).
    static func describe(openAIError error: JSONValue) -> String? {
        let message = error["message"]?.nonEmptyString
        let kind = error["code"]?.nonEmptyString ?? error["status"]?.nonEmptyString ?? error["type"]?.nonEmptyString
            ?? error["code"]?.int.map(String.init)
        guard message != nil || kind != nil else { return nil }
        return label(kind, message ?? "")
    }

    private static func label(_ kind: String?, _ message: String) -> String {
        guard let kind, !kind.isEmpty else { return message }
        return message.isEmpty ? kind : "\(kind): \(message)"
    }
}
