import Foundation
import SightlineCore

/// One instance's calls of one session (`Sightline-Session-Id`), summed as they are recorded: the sessions view
/// reads these rows instead of every flow. A session whose calls went through two instances has a row from each;
/// `merge` adds them up.
public struct SessionTotals: Sendable, Equatable {
    public struct Key: Hashable, Comparable, Sendable {
        public var id: String
        public var instance: String

        public init(id: String, instance: String) {
            self.id = id
            self.instance = instance
        }

        public static func < (lhs: Key, rhs: Key) -> Bool { (lhs.id, lhs.instance) < (rhs.id, rhs.instance) }
    }

    public var key: Key
    public var name: String?
    public var calls = 0
    public var errors = 0
    /// Unix milliseconds. A change that only takes calls out leaves these three at their extremes (`Int64.max`,
    /// `.min`, `-infinity`), so merging it moves none: a flow recorded again starts when it started the first time.
    public var firstStartedAt = Int64.max
    public var lastStartedAt = Int64.min
    /// Fractional: a session's duration keeps its calls' sub-millisecond durations.
    public var lastEndedAt = -Double.infinity
    public var inputTokens = 0
    public var outputTokens = 0
    public var costUSD: Decimal = 0
    /// Models and users seen, sorted (the order flows are folded in is not the order they were made). A flow
    /// recorded again under another model leaves the first one listed.
    public var models: [String] = []
    public var users: [String] = []

    public init(key: Key) { self.key = key }

    static func key(of call: CallFacts) -> Key? {
        guard let id = call.sessionID, !id.isEmpty else { return nil }
        return Key(id: id, instance: call.instance ?? "")
    }

    mutating func change(_ call: CallFacts, sign: Int) {
        calls += sign
        if call.failed { errors += sign }
        inputTokens += sign * (call.inputTokens ?? 0)
        outputTokens += sign * (call.outputTokens ?? 0)
        if let cost = call.costUSD { costUSD += sign == 1 ? cost : -cost }
        guard sign == 1 else { return }
        let start = RFC3339.milliseconds(call.startedAt)
        firstStartedAt = min(firstStartedAt, start)
        lastStartedAt = max(lastStartedAt, start)
        lastEndedAt = max(lastEndedAt, Double(start) + (call.durationMs ?? 0))
        if name == nil { name = call.sessionName }
        if let model = call.model { Self.insert(model, into: &models) }
        if let user = call.userID { Self.insert(user, into: &users) }
    }

    private static func insert(_ value: String, into list: inout [String]) {
        // A session has a handful of models and users: a linear walk is all it needs.
        let index = list.firstIndex { $0 >= value } ?? list.endIndex
        if index == list.endIndex || list[index] != value { list.insert(value, at: index) }
    }

    public mutating func merge(_ other: SessionTotals) {
        if name == nil { name = other.name }
        calls += other.calls
        errors += other.errors
        firstStartedAt = min(firstStartedAt, other.firstStartedAt)
        lastStartedAt = max(lastStartedAt, other.lastStartedAt)
        lastEndedAt = max(lastEndedAt, other.lastEndedAt)
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        costUSD += other.costUSD
        for model in other.models { Self.insert(model, into: &models) }
        for user in other.users { Self.insert(user, into: &users) }
    }

    var isEmpty: Bool { calls <= 0 }
}
