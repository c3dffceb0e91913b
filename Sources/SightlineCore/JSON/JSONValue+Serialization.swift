/// Compact JSON text for values the common model keeps as strings (tool-call arguments that arrive as
/// objects in Anthropic, Gemini and Ollama; tool results that are objects). Keys are sorted so the same
/// value always reads the same.
extension JSONValue {
    public var jsonText: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// Appends the compact, key-sorted text of the value.
    public func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): JSONText.appendNumber(n, to: &out)
        case .string(let s): JSONText.appendString(s, to: &out)
        case .array(let a):
            out += "["
            for (i, v) in a.enumerated() {
                if i > 0 { out += "," }
                v.write(to: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, key) in o.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                JSONText.appendString(key, to: &out)
                out += ":"
                o[key]?.write(to: &out)
            }
            out += "}"
        }
    }
}

extension JSONValue {
    /// Compact text with object keys sorted: equal values always serialize to equal bytes (cache keys).
    public var canonicalText: String { jsonText }
}
