import Foundation
import SightlineCore

/// What the gateway did over a set of flows: cache hits and the cost they saved, calls refused by a
/// rate limit, calls that needed retries or a fallback. `sightline stats` and `/api/dashboard` show it.
public struct GatewayTotals: Sendable, Equatable, Codable {
    public var cacheHits = 0
    public var cacheMisses = 0
    /// What the cache hits would have cost upstream (hits of unpriced models add nothing).
    public var savedCostUSD: Decimal = 0
    public var rateLimited = 0
    /// Calls that took more than one attempt, and the extra attempts they took.
    public var retriedCalls = 0
    public var retries = 0
    public var fallbacksUsed = 0
    public var faultsInjected = 0

    public init() {}

    public init(_ flows: some Sequence<FlowSummary>) {
        for flow in flows {
            if let gateway = flow.gateway { add(gateway) }
        }
    }

    /// Counts a flow's gateway record in (`sign` 1) or back out (-1, a flow recorded again).
    mutating func add(_ gateway: GatewayRecord, sign: Int = 1) {
        if gateway.cache == "HIT" { cacheHits += sign }
        if gateway.cache == "MISS" { cacheMisses += sign }
        let saved = gateway.savedCostUSD ?? 0
        savedCostUSD += sign == 1 ? saved : -saved
        if gateway.rateLimited { rateLimited += sign }
        if gateway.attempts.count > 1 {
            retriedCalls += sign
            retries += sign * (gateway.attempts.count - 1)
        }
        if (gateway.fallbackIndex ?? 0) > 0 { fallbacksUsed += sign }
        if gateway.injectedFault != nil { faultsInjected += sign }
    }

    public mutating func merge(_ other: GatewayTotals) {
        cacheHits += other.cacheHits
        cacheMisses += other.cacheMisses
        savedCostUSD += other.savedCostUSD
        rateLimited += other.rateLimited
        retriedCalls += other.retriedCalls
        retries += other.retries
        fallbacksUsed += other.fallbacksUsed
        faultsInjected += other.faultsInjected
    }

    enum CodingKeys: String, CodingKey {
        case cacheHits = "cache_hits", cacheMisses = "cache_misses", savedCostUSD = "saved_cost_usd", rateLimited = "rate_limited"
        case retriedCalls = "retried_calls", retries, fallbacksUsed = "fallbacks_used", faultsInjected = "faults_injected"
    }
}
