/// A sliding-window log of units spent (calls or cents): at most `quota` units in any `windowSeconds`.
/// A value: the caller keeps one per segment (in memory now; in the store for team mode).
public struct SlidingWindow: Sendable, Equatable {
    public let quota: Int
    public let windowSeconds: Double
    private var spent: [(time: Double, units: Double)] = []

    public init(quota: Int, windowSeconds: Int) {
        self.quota = quota
        self.windowSeconds = Double(windowSeconds)
    }

    public static func == (a: SlidingWindow, b: SlidingWindow) -> Bool {
        a.quota == b.quota && a.windowSeconds == b.windowSeconds && a.spent.map(\.time) == b.spent.map(\.time)
            && a.spent.map(\.units) == b.spent.map(\.units)
    }

    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        public var remaining: Int
        /// Seconds until the oldest spending leaves the window (what `Retry-After` and `RateLimit-Reset` say).
        public var resetSeconds: Int

        public init(allowed: Bool, remaining: Int, resetSeconds: Int) {
            self.allowed = allowed
            self.remaining = remaining
            self.resetSeconds = resetSeconds
        }
    }

    /// Whether one more request may go now (`units` is what it will cost when known in advance: 1 for
    /// requests, 0 for cents, which are charged after the response with `charge`).
    public mutating func admit(now: Double, units: Double) -> Decision {
        expire(now: now)
        let decision = Self.decide(used: spent.reduce(0) { $0 + $1.units }, oldest: spent.first?.time, quota: quota,
                                   windowSeconds: windowSeconds, units: units, now: now)
        if decision.allowed, units > 0 { spent.append((now, units)) }
        return decision
    }

    /// The rule of one admission, given what the window holds (`used` units, the oldest spent at `oldest`):
    /// shared by this in-memory log and a team store that keeps the log itself (`SharedGatewayState`).
    public static func decide(used: Double, oldest: Double?, quota: Int, windowSeconds: Double, units: Double, now: Double) -> Decision {
        let reset = max(1, oldest.map { Int(($0 + windowSeconds - now).rounded(.up)) } ?? Int(windowSeconds))
        guard used + max(units, 0) <= Double(quota), used < Double(quota) || quota == 0 && units == 0 else {
            return Decision(allowed: false, remaining: 0, resetSeconds: reset)
        }
        let remaining = max(0, Int((Double(quota) - used - max(units, 0)).rounded(.down)))
        return Decision(allowed: true, remaining: remaining, resetSeconds: reset)
    }

    /// Adds units known only after the call (its cost in cents).
    public mutating func charge(now: Double, units: Double) {
        guard units > 0 else { return }
        spent.append((now, units))
    }

    private mutating func expire(now: Double) {
        spent.removeAll { $0.time <= now - windowSeconds }
    }
}
