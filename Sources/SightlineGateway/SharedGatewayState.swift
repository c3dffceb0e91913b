import Foundation

/// The gateway's state when several Sightline instances share it (team mode, a PostgreSQL store): rate-limit
/// admissions are decided by the store in one atomic step, so that a quota holds across instances, and cache
/// entries stored by any instance can be read. Writes (entries stored, costs charged) go through the journal's
/// non-blocking queue as for the embedded store; only these two reads wait, and only for a held gateway request.
public protocol SharedGatewayState: GatewayStateJournal {
    /// Admits one call against the window `windowKey` (`RateLimiter.windowKey`), counting `units` when admitted:
    /// the same rule as `SlidingWindow.admit`, over the spendings of every instance.
    func admit(windowKey: String, quota: Int, windowSeconds: Int, units: Double, now: Double) async throws -> SlidingWindow.Decision
    /// The fresh entries stored under `key` by any instance, oldest first.
    func cachedResponses(key: String, now: Date) async throws -> [CachedResponse]
}
