/// Where the gateway's state goes besides this process's memory: every cache entry stored and every
/// rate-limit spending, so that a restart keeps them (and a shared store can later serve a team).
/// It is called on the data path, so an implementation only queues what it is told, never waits.
public protocol GatewayStateJournal: Sendable {
    func cacheStored(key: String, response: CachedResponse)
    func cacheCleared()
    /// `windowKey` is the rate limiter's key for one policy and segment (`RateLimiter.windowKey`).
    func rateLimitSpent(windowKey: String, at: Double, units: Double, windowSeconds: Double)
}
