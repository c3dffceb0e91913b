/// Decides, attempt by attempt, what a gateway-managed exchange does next: retry, fall back to the
/// next target, or let the response through. Values in, actions out; the handler performs them.
public struct GatewayAttempts: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Send the request (again) to target `targetIndex` (0 = primary, then the fallbacks), after a delay.
        case send(targetIndex: Int, afterMs: Int)
        /// The response (or failure) in hand is the answer: pass it to the client as it is.
        case deliver
    }

    public let retry: RetryPolicy?
    public let fallbacks: [FallbackTarget]
    public private(set) var targetIndex = 0
    public private(set) var attemptsOnTarget = 0
    /// Every attempt so far, on every target (what `Sightline-Attempts` reports).
    public private(set) var totalAttempts = 0

    public init(retry: RetryPolicy?, fallbacks: [FallbackTarget]) {
        self.retry = retry
        self.fallbacks = fallbacks
    }

    /// The first attempt goes to the primary target at once.
    public mutating func start() -> Action {
        totalAttempts = 1
        attemptsOnTarget = 1
        return .send(targetIndex: 0, afterMs: 0)
    }

    /// An attempt answered with `status` (nil: it failed before any response, e.g. refused or reset).
    /// Only called while nothing of the response has reached the client.
    public mutating func attemptEnded(status: Int?, retryAfterSeconds: Double?, jitter: Double) -> Action {
        let retryable = status.map { RetryPolicy.retryableStatuses.contains($0) } ?? true
        if retryable, let retry, attemptsOnTarget <= retry.retries {
            let delay = retry.delayMs(beforeRetry: attemptsOnTarget, retryAfterSeconds: retryAfterSeconds, jitter: jitter)
            attemptsOnTarget += 1
            totalAttempts += 1
            return .send(targetIndex: targetIndex, afterMs: delay)
        }
        if targetIndex < fallbacks.count, fallbacks[targetIndex].applies(afterStatus: status) {
            targetIndex += 1
            attemptsOnTarget = 1
            totalAttempts += 1
            return .send(targetIndex: targetIndex, afterMs: 0)
        }
        return .deliver
    }
}
