import Foundation
import SightlineCore

/// What one written batch changes in the rollups: its calls counted in, and the calls of flows it replaced
/// (recorded again under the same id) counted out. A store applies it in the batch's own transaction
/// (`applied(to:)`), so rollups and flows never disagree.
public struct RollupChange: Sendable {
    public private(set) var minutes: [CallMinute.Key: CallMinute] = [:]
    public private(set) var sessions: [SessionTotals.Key: SessionTotals] = [:]

    public init() {}

    public mutating func add(_ call: CallFacts) { change(call, sign: 1) }

    /// A stored flow being replaced or deleted.
    public mutating func remove(_ call: CallFacts) { change(call, sign: -1) }

    private mutating func change(_ call: CallFacts, sign: Int) {
        if call.mode != .tunnel {
            let key = CallMinute.key(of: call)
            minutes[key, default: CallMinute(key: key)].change(call, sign: sign)
        }
        if let key = SessionTotals.key(of: call) {
            sessions[key, default: SessionTotals(key: key)].change(call, sign: sign)
        }
    }

    /// The stored minute after this change, or nil when no call is left in it (delete the row).
    public static func applied(_ delta: CallMinute, to stored: CallMinute?) -> CallMinute? {
        var result = stored ?? CallMinute(key: delta.key)
        result.merge(delta)
        return result.isEmpty ? nil : result
    }

    public static func applied(_ delta: SessionTotals, to stored: SessionTotals?) -> SessionTotals? {
        var result = stored ?? SessionTotals(key: delta.key)
        result.merge(delta)
        return result.isEmpty ? nil : result
    }
}

/// Folding every stored flow into a change builds the rollups from nothing (a store migrated to them).
extension RollupChange: FlowAccumulator {}
