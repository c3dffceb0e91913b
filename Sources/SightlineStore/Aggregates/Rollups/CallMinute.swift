import Foundation
import SightlineCore

/// One minute of one instance's calls to one model (or one host, for calls without a model): the row the
/// dashboard sums instead of reading every flow of its window. Kept per instance so that two Sightlines recording
/// into one PostgreSQL never write the same row. Tunnels are not calls and are not counted.
public struct CallMinute: Sendable, Equatable {
    public struct Key: Hashable, Comparable, Sendable {
        /// Minutes since 1970 (UTC).
        public var minute: Int64
        public var instance: String
        /// The model, or `(host)` for a call without one: the dashboard's "by model" key.
        public var group: String

        public init(minute: Int64, instance: String, group: String) {
            self.minute = minute
            self.instance = instance
            self.group = group
        }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.minute, lhs.instance, lhs.group) < (rhs.minute, rhs.instance, rhs.group)
        }
    }

    public var key: Key
    public var totals = CallTotals()
    public var gateway = GatewayTotals()

    public init(key: Key, totals: CallTotals = CallTotals(), gateway: GatewayTotals = GatewayTotals()) {
        self.key = key
        self.totals = totals
        self.gateway = gateway
    }

    public static func key(of call: CallFacts) -> Key {
        Key(minute: minute(of: call.startedAt), instance: call.instance ?? "", group: call.model ?? "(\(call.host))")
    }

    public static func minute(of date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / 60).rounded(.down))
    }

    /// `sign` 1 counts the call in, -1 takes it back out.
    mutating func change(_ call: CallFacts, sign: Int) {
        if sign == 1 { totals.add(call) } else { totals.remove(call) }
        if let record = call.gateway { gateway.add(record, sign: sign) }
    }

    mutating func merge(_ other: CallMinute) {
        totals.merge(other.totals)
        gateway.merge(other.gateway)
    }

    /// No call left in it: the row is deleted rather than kept at zero.
    var isEmpty: Bool { totals.calls == 0 }
}
