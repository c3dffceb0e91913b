/// How the recorder threads a call into its conversation without reading other flows: each call leaves keys
/// for the calls that may continue it, and looks up the keys an earlier call would have left. A call continues
/// an earlier one when its input is that call's input followed by that call's output (same provider, endpoint
/// kind and system prompt), when it names the earlier response (`previous_response_id`), or when both are
/// calls of one MCP session.
public struct ThreadKeys: Sendable, Hashable, Codable {
    /// Keys the call this one continues would have left, most specific (the longest conversation) first.
    public var candidates: [String]
    /// Keys this call leaves for the calls that continue it.
    public var continuations: [String]

    public init(candidates: [String], continuations: [String]) {
        self.candidates = candidates
        self.continuations = continuations
    }

    /// A call's keys, or nil for calls that hold no conversation (embeddings, token counts, realtime sessions).
    public static func of(_ analysis: LLMAnalysis) -> ThreadKeys? {
        guard let kind = conversationKind(analysis.endpoint) else { return nil }
        let conversation = analysis.conversation
        guard !conversation.messages.isEmpty || analysis.previousResponseID != nil else { return nil }

        var fingerprint = ConversationFingerprint(scope: analysis.provider + "\u{1F}" + kind, system: conversation.system)
        var candidates: [String] = []
        // A prefix that ends with an assistant message may be an earlier call's input and output.
        for message in conversation.messages.compactMap(NormalizedMessage.init) {
            if fingerprint.pendingRole == "assistant", message.role != "assistant" { candidates.append(fingerprint.key) }
            fingerprint.append(message)
        }
        if fingerprint.pendingRole == "assistant" { candidates.append(fingerprint.key) }
        candidates.reverse()
        if let previous = analysis.previousResponseID { candidates.insert(responseKey(previous), at: 0) }

        var continuations: [String] = []
        if !conversation.output.isEmpty {
            for message in conversation.output.compactMap(NormalizedMessage.init) { fingerprint.append(message) }
            continuations.append(fingerprint.key)
        }
        if let id = analysis.responseID, analysis.endpoint == "responses" { continuations.append(responseKey(id)) }
        return ThreadKeys(candidates: candidates, continuations: continuations)
    }

    /// The calls of one MCP session (`Mcp-Session-Id`) make one thread, each continuing the one before.
    public static func mcp(sessionID: String) -> ThreadKeys {
        let key = "m:" + sessionID
        return ThreadKeys(candidates: [key], continuations: [key])
    }

    private static func responseKey(_ id: String) -> String { "r:" + id }

    /// The endpoint kinds whose calls hold a conversation; a streamed variant is the same kind, since a
    /// conversation may stream one turn and not the next.
    private static func conversationKind(_ endpoint: String?) -> String? {
        switch endpoint {
        case "chat.completions", "responses", "messages", "generateContent", "ollama.chat", "chat", "converse", "invoke":
            endpoint
        case "streamGenerateContent": "generateContent"
        case "converse-stream": "converse"
        case "invoke-with-response-stream": "invoke"
        default: nil
        }
    }
}
