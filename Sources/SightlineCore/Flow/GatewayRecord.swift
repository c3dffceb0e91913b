import Foundation

/// What the gateway did for one flow beyond forwarding: attempts, cache, rate limit, injected faults.
/// Stored with the flow and shown in the API (`gateway`), so retries and hits are visible, not claimed.
public struct GatewayRecord: Sendable, Hashable, Codable {
    public struct Attempt: Sendable, Hashable, Codable {
        public var target: String
        public var status: Int?
        public var error: String?
        public var tMs: Double

        public init(target: String, status: Int?, error: String?, tMs: Double) {
            self.target = target
            self.status = status
            self.error = error
            self.tMs = tMs
        }

        enum CodingKeys: String, CodingKey { case target, status, error, tMs = "t_ms" }
    }

    public var attempts: [Attempt] = []
    /// `HIT` or `MISS` when caching was asked for.
    public var cache: String?
    public var cacheKey: String?
    public var cacheBucketIndex: Int?
    /// For a cache hit: what the call would have cost upstream.
    public var savedCostUSD: Decimal?
    public var rateLimited = false
    public var rateLimitPolicy: String?
    /// Which window the call counted against (a user id, a property value, or a credential hash).
    public var rateLimitSegment: String?
    /// The `Sightline-Fault` the client asked for, when one was applied.
    public var injectedFault: String?
    public var fallbackIndex: Int?
    /// Time spent inside Sightline (queueing, back-off and local answers included), not upstream.
    public var gatewayMs: Double?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case attempts, cache, rateLimited = "rate_limited", rateLimitPolicy = "rate_limit_policy", rateLimitSegment = "rate_limit_segment"
        case cacheKey = "cache_key", savedCostUSD = "saved_cost_usd", cacheBucketIndex = "cache_bucket_index", injectedFault = "injected_fault"
        case fallbackIndex = "fallback_index", gatewayMs = "gateway_ms"
    }
}
