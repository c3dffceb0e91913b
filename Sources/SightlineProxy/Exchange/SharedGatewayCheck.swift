import Foundation
import NIOCore
import SightlineCore
import SightlineGateway

/// Team mode's gateway check: the admission is decided by the shared store (one round trip, so that a quota
/// holds across instances), and a cache miss in memory is looked up there too (another instance may have
/// stored the answer). Off the event loop; the answer comes back to it. A store that fails or does not answer
/// within `sharedCheckTimeout` leaves the decision to this instance's memory, said in the log once a minute:
/// calls go on, counted here only, rather than being refused for the store's sake.
extension HTTPExchangeHandler {
    static let sharedCheckTimeout = TimeAmount.seconds(2)

    func checkShared(_ check: GatewayCheck, on loop: any EventLoop) {
        let services = services
        let promise = loop.makePromise(of: GatewayCheckResult.self)
        promise.completeWithTask { await services.sharedGatewayCheck(check) }
        let timeout = loop.assumeIsolated().scheduleTask(in: Self.sharedCheckTimeout) { [weak self] in
            guard let self else { return }
            services.warnSharedStateUnavailable("no answer in \(Self.sharedCheckTimeout.nanoseconds / 1_000_000_000) s")
            run(machine.gatewayChecked(services.gatewayCheck(check), now: .now()))
        }
        // Whichever comes first is taken: the machine ignores a second answer (it is no longer checking).
        promise.futureResult.assumeIsolated().whenSuccess { [weak self] result in
            timeout.cancel()
            guard let self else { return }
            run(machine.gatewayChecked(result, now: .now()))
        }
    }
}

extension ProxyServices {
    static let sharedStateWarnings = LogThrottle()

    func sharedGatewayCheck(_ check: GatewayCheck) async -> GatewayCheckResult {
        guard let shared = sharedGatewayState else { return gatewayCheck(check) }
        var result = GatewayCheckResult()
        let now = Date()
        if let (policy, segment) = check.rateLimit {
            do {
                result.rateLimit = try await shared.admit(
                    windowKey: RateLimiter.windowKey(policy: policy, segment: segment), quota: policy.quota,
                    windowSeconds: policy.windowSeconds, units: policy.unit == .request ? 1 : 0, now: now.timeIntervalSince1970)
            } catch {
                warnSharedStateUnavailable("\(error)")
                result.rateLimit = rateLimiter.admit(policy: policy, segment: segment, now: now.timeIntervalSince1970)
            }
            if result.rateLimit?.allowed == false { return result }
        }
        if let (key, bucketSize) = check.cacheKey {
            result.cacheHit = responseCache.lookup(key: key, bucketSize: bucketSize, now: now)
            if result.cacheHit == nil {
                do {
                    responseCache.adopt(key: key, responses: try await shared.cachedResponses(key: key, now: now))
                    result.cacheHit = responseCache.lookup(key: key, bucketSize: bucketSize, now: now)
                } catch {
                    warnSharedStateUnavailable("\(error)")
                }
            }
        }
        return result
    }

    func warnSharedStateUnavailable(_ reason: String) {
        guard let occurrences = Self.sharedStateWarnings.pass() else { return }
        logger.warning("shared gateway state unavailable: rate limits count this instance's calls only, the cache answers from memory",
                       metadata: ["error": "\(reason)", "occurrences": "\(occurrences)"])
    }
}
