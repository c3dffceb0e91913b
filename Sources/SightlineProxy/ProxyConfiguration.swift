import Foundation
import SightlineCore

/// Everything the data plane needs to know, validated once at start.
public struct ProxyConfiguration: Sendable {
    public var listenHost: String = "127.0.0.1"
    public var listenPort: Int = 9020
    public var interceptPolicy = InterceptPolicy()
    public var mapRemote: [MapRemoteRule] = []
    public var setHeaders: [SetHeaderRule] = []
    /// Extra roots trusted for upstream TLS, on top of the system's.
    public var upstreamCAFiles: [String] = []
    public var insecureUpstream = false
    public var bodyCapBytes: Int = 32 * 1024 * 1024
    public var connectTimeout: TimeAmount = .seconds(10)
    /// Whether an intercepted CONNECT is answered after its upstream is reached, or at once.
    public var connectStrategy = ConnectStrategy.eager
    /// How long an upstream may stay silent (no byte) while a response is awaited or streaming.
    public var upstreamIdleTimeout: TimeAmount = .seconds(600)
    /// Where origin-form (base-URL) requests go when no header or prefix names a target.
    public var gatewayTarget = Origin(scheme: "https", host: "api.openai.com", port: 443)
    /// When set (listening beyond loopback), gateway requests may only target these hosts (GATEWAY.md).
    public var gatewayAllowList: [HostPattern]?
    /// Whether `Sightline-Fault` is honoured; off beyond loopback unless `--allow-faults`.
    public var allowFaults = true
    /// `user:password` that clients must send as `Proxy-Authorization: Basic …`; nil = no auth (loopback).
    public var proxyCredentials: String?
    /// Client connections open at once; more are answered 503.
    public var maxClientConnections = ClientConnectionGate.Limits.standard.maxConnections
    /// Connections still sending their first request head; past this the longest-waiting one is closed.
    public var maxPendingRequestHeads = ClientConnectionGate.Limits.standard.maxPendingHeads
    /// How long a new connection may take to send its first request head before a 408.
    public var requestHeadTimeout = ClientConnectionGate.Limits.standard.headTimeout
    /// Whether clients on other machines may reach loopback and link-local targets through the proxy.
    public var allowLocalTargetsFromRemoteClients = false

    public init() {}

    /// The origin a request for `origin` is really sent to, after `--map-remote`.
    public func mapped(_ origin: Origin) -> Origin {
        mapRemote.first { $0.from == origin }?.to ?? origin
    }
}

import NIOCore
