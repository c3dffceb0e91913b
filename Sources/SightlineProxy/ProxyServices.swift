import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SightlineCore
import SightlineGateway

/// What every connection handler shares: configuration, TLS material, the upstream pool and
/// the capture sink. Immutable; the parts that reload swap their own state.
struct ProxyServices: Sendable {
    let configuration: ProxyConfiguration
    /// Every upstream connection of an exchange comes from here (new or idle).
    let pool: UpstreamPool
    let leafContexts: LeafContextCache
    let sink: any CaptureSink
    let responseCache: any ResponseCache
    let rateLimiter: RateLimiter
    /// Team mode: admissions and cache misses are asked of the store the instances share (`SharedGatewayCheck`).
    let sharedGatewayState: (any SharedGatewayState)?
    let connectionGate: ClientConnectionGate
    let relayGuard: RelayGuard
    let logger: Logger

    /// Milliseconds between two monotonic instants.
    static func ms(from start: NIODeadline, to end: NIODeadline) -> Double {
        Double((end - start).nanoseconds) / 1_000_000
    }

    /// Checks `Proxy-Authorization: Basic …` when the proxy demands credentials.
    func isAuthorized(_ headers: HTTPHeaders) -> Bool {
        guard let expected = configuration.proxyCredentials else { return true }
        let encoded = Data(expected.utf8).base64EncodedString()
        for (name, value) in headers where name.lowercased() == "proxy-authorization" {
            let parts = value.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "basic", parts[1].trimmingCharacters(in: .whitespaces) == encoded {
                return true
            }
        }
        return false
    }

}

