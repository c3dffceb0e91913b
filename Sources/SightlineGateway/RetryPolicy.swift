/// `Retry-Enabled: true` and its bounds (GATEWAY.md "Retries").
public struct RetryPolicy: Sendable, Equatable {
    public var retries: Int
    public var factor: Double
    public var minTimeoutMs: Int
    public var maxTimeoutMs: Int

    public static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504, 522]

    public static func parse(_ headers: GatewayHeaders) throws(GatewayHeaderError) -> RetryPolicy? {
        guard headers.flag("retry-enabled") else { return nil }
        func number(_ name: String, _ fallback: Double, _ range: ClosedRange<Double>) throws(GatewayHeaderError) -> Double {
            guard let text = headers[name] else { return fallback }
            guard let value = Double(text), range.contains(value) else {
                throw GatewayHeaderError(header: "Retry-\(name.dropFirst("retry-".count))", reason: "must be a number in \(range), got \"\(text)\"")
            }
            return value
        }
        let policy = RetryPolicy(
            retries: Int(try number("retry-num", 5, 0...10)),
            factor: try number("retry-factor", 2, 1...10),
            minTimeoutMs: Int(try number("retry-min-timeout", 1000, 0...600_000)),
            maxTimeoutMs: Int(try number("retry-max-timeout", 10_000, 0...600_000)))
        guard policy.minTimeoutMs <= policy.maxTimeoutMs else {
            throw GatewayHeaderError(header: "Retry-Min-Timeout", reason: "must not exceed Retry-Max-Timeout")
        }
        return policy
    }

    /// Delay before retry `n` (n ≥ 1): min(max, min × factor^(n−1)) ± 20% jitter, and an upstream
    /// `Retry-After` when it is larger, capped by the max.
    public func delayMs(beforeRetry n: Int, retryAfterSeconds: Double?, jitter: Double) -> Int {
        let base = min(Double(maxTimeoutMs), Double(minTimeoutMs) * pow(factor, Double(max(0, n - 1))))
        var delay = base * (1 + max(-0.2, min(0.2, jitter)))
        if let retryAfterSeconds, retryAfterSeconds * 1000 > delay { delay = retryAfterSeconds * 1000 }
        return Int(min(Double(maxTimeoutMs), max(0, delay)).rounded())
    }
}

import Foundation
