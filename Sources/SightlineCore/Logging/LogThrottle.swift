import Foundation
import Synchronization

/// Lets a repeated warning through at most once per interval, counting what it held back, so that a problem
/// that lasts (a store away for an hour) is said every minute with how often it happened, not once per call.
public final class LogThrottle: Sendable {
    private struct State {
        var lastPassed: Date?
        var held = 0
    }

    private let state = Mutex(State())
    public let interval: TimeInterval

    public init(interval: TimeInterval = 60) {
        self.interval = interval
    }

    /// The number of occurrences to report (this one and those held back since the last) when it is time to
    /// log again; nil when this one is held back.
    public func pass(now: Date = Date()) -> Int? {
        state.withLock { state in
            state.held += 1
            if let last = state.lastPassed, now.timeIntervalSince(last) < interval { return nil }
            state.lastPassed = now
            defer { state.held = 0 }
            return state.held
        }
    }
}
