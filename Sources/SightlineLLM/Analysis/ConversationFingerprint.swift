import Crypto
import SightlineCore

/// Hashes of a conversation's prefixes, equal whenever two calls hold the same conversation up to that point
/// however their SDKs serialised it. The hashes are chained (each one covers the one before and the next
/// message), so every prefix of a conversation costs one more hash step, not a rehash from the start.
///
/// What counts as "the same" is decided on the decoded conversation, not the JSON: `content: null`, a `refusal`
/// field, key order, a tool call's `type` or `id` spelling never reach the common model or are left out here:
/// - reasoning and refusal parts are left out (clients drop or keep thinking blocks as they like);
/// - a message's texts are joined and trimmed, empty texts left out, and a message left empty is dropped;
/// - tool-call arguments compare as canonical JSON (Anthropic and Gemini send objects, OpenAI strings);
/// - ids (tool-call and tool-result ids) are left out: `fc_…` and `call_…` name the same call in the Responses API;
/// - consecutive messages of one role are one message (the Responses API sends each item as its own message);
/// - Gemini's `model` is the assistant.
struct ConversationFingerprint {
    private(set) var hash: SHA256.Digest
    private var pending: NormalizedMessage?

    /// A conversation of `scope` (provider, endpoint kind) under `system`.
    init(scope: String, system: String?) {
        var hasher = SHA256()
        hasher.update(data: Array("sightline-thread-v1".utf8))
        Self.feed(&hasher, scope)
        Self.feed(&hasher, system ?? "")
        hash = hasher.finalize()
    }

    /// The key of the conversation so far (every message appended and closed).
    var key: String {
        var copy = self
        copy.close()
        return "c:" + copy.hash.prefix(16).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The role of the message being appended to (consecutive messages of one role are one).
    var pendingRole: String? { pending?.role }

    mutating func append(_ normalized: NormalizedMessage) {
        if pending?.role == normalized.role {
            pending?.items += normalized.items
        } else {
            close()
            pending = normalized
        }
    }

    /// Folds the pending message into the hash: a prefix ends here.
    mutating func close() {
        guard let message = pending else { return }
        var hasher = SHA256()
        hasher.update(data: Array(hash))
        Self.feed(&hasher, message.role)
        for item in message.items { Self.feed(&hasher, item) }
        hash = hasher.finalize()
        pending = nil
    }

    /// Length-prefixed, so that no two sequences of strings feed the same bytes.
    private static func feed(_ hasher: inout SHA256, _ text: String) {
        hasher.update(data: Array("\(text.utf8.count):".utf8))
        hasher.update(data: Array(text.utf8))
    }
}

/// A message reduced to what a resend keeps: its role and what each part says; nil when nothing is left.
struct NormalizedMessage {
    var role: String
    var items: [String]

    init?(_ message: Conversation.Message) {
        role = message.role == "model" ? "assistant" : message.role
        var text = ""
        var others: [String] = []
        for part in message.parts {
            switch part.type {
            case "text":
                text += part.text ?? ""
            case "reasoning", "refusal":
                continue
            case "tool_call":
                let arguments = part.arguments.map { JSONValue.parse($0)?.canonicalText ?? $0 } ?? ""
                others.append("tool_call\u{1F}\(part.name ?? "")\u{1F}\(arguments)")
            case "tool_result":
                others.append("tool_result\u{1F}\((part.text ?? "").trimmingWhitespace)")
            default:
                others.append("\(part.type)\u{1F}\(part.url ?? "")\u{1F}\(part.text ?? "")")
            }
        }
        let trimmed = text.trimmingWhitespace
        items = (trimmed.isEmpty ? [] : ["text\u{1F}" + trimmed]) + others
        if items.isEmpty { return nil }
    }
}
