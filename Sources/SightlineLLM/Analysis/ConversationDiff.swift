import SightlineCore

/// What one call's request changed against another's, on their decoded conversations (so SDK re-serialisation
/// that decodes the same does not count): `GET /api/flows/{id}/diff` and `sightline replay`/`diff`.
/// `added` are the messages this request has beyond the other's (a tool loop's next turn: the assistant's tool call
/// and the tool's result); a message that differs at the same position is `changed`; the other's messages past
/// this one's end are `removed`.
public struct ConversationDiff: Sendable, Equatable {
    public struct Change: Sendable, Equatable {
        public var index: Int
        public var before: Conversation.Message
        public var after: Conversation.Message
    }

    public var added: [Conversation.Message] = []
    public var removed: [Conversation.Message] = []
    public var changed: [Change] = []
    public var systemChanged = false
    public var toolsAdded: [String] = []
    public var toolsRemoved: [String] = []
    /// Request parameters (and the model) that differ: name → (before, after); absent on one side is nil.
    public var parameters: [String: (before: JSONValue?, after: JSONValue?)] = [:]

    public init(from other: Conversation, otherModel: String? = nil, to this: Conversation, model: String? = nil) {
        let before = other.messages, after = this.messages
        let common = min(before.count, after.count)
        for index in 0..<common where before[index] != after[index] {
            changed.append(Change(index: index, before: before[index], after: after[index]))
        }
        if after.count > before.count { added = Array(after[before.count...]) }
        if before.count > after.count { removed = Array(before[after.count...]) }
        systemChanged = other.system != this.system
        let beforeTools = Set(other.tools.map(\.name)), afterTools = Set(this.tools.map(\.name))
        toolsAdded = this.tools.map(\.name).filter { !beforeTools.contains($0) }
        toolsRemoved = other.tools.map(\.name).filter { !afterTools.contains($0) }
        for name in Set(other.parameters.keys).union(this.parameters.keys) where other.parameters[name] != this.parameters[name] {
            parameters[name] = (other.parameters[name], this.parameters[name])
        }
        if otherModel != model { parameters["model"] = (otherModel.map(JSONValue.string), model.map(JSONValue.string)) }
    }

    public static func == (lhs: ConversationDiff, rhs: ConversationDiff) -> Bool {
        lhs.added == rhs.added && lhs.removed == rhs.removed && lhs.changed == rhs.changed && lhs.systemChanged == rhs.systemChanged
            && lhs.toolsAdded == rhs.toolsAdded && lhs.toolsRemoved == rhs.toolsRemoved
            && lhs.parameters.mapValues { [$0.before, $0.after] } == rhs.parameters.mapValues { [$0.before, $0.after] }
    }

    /// Nothing differs.
    public var isEmpty: Bool {
        added.isEmpty && removed.isEmpty && changed.isEmpty && !systemChanged && toolsAdded.isEmpty && toolsRemoved.isEmpty && parameters.isEmpty
    }
}
