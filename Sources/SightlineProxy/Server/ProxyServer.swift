import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import SightlineCA
import SightlineCore
import SightlineGateway

/// The proxy listener: one port for forward-proxy (absolute-form and CONNECT) and gateway (origin-form) traffic.
public final class ProxyServer: Sendable {
    private let services: ProxyServices
    private let group: any EventLoopGroup
    private let channel: any Channel
    private let trust: UpstreamTrust

    /// The address actually bound (the OS's choice when the configured port was 0).
    public var localAddress: SocketAddress? { channel.localAddress }
    public var port: Int { channel.localAddress?.port ?? 0 }
    public var leafMintCount: Int { services.leafContexts.mintCount }

    private init(services: ProxyServices, group: any EventLoopGroup, channel: any Channel, trust: UpstreamTrust) {
        self.services = services
        self.group = group
        self.channel = channel
        self.trust = trust
    }

    /// Binds the listener and starts accepting connections.
    public static func start(
        configuration: ProxyConfiguration,
        authority: CertificateAuthority,
        sink: any CaptureSink,
        responseCache: any ResponseCache = MemoryResponseCache(),
        rateLimiter: RateLimiter = RateLimiter(),
        sharedGatewayState: (any SharedGatewayState)? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) async throws -> ProxyServer {
        let trust = try UpstreamTrust(caFiles: configuration.upstreamCAFiles, insecure: configuration.insecureUpstream)
        let connector = UpstreamConnector(trust: trust, connectTimeout: configuration.connectTimeout,
                                          idleTimeout: configuration.upstreamIdleTimeout)
        let services = ProxyServices(
            configuration: configuration,
            pool: UpstreamPool(connector: connector),
            leafContexts: LeafContextCache(issuer: LeafCertificateIssuer(authority: authority)),
            sink: sink,
            responseCache: responseCache,
            rateLimiter: rateLimiter,
            sharedGatewayState: sharedGatewayState,
            connectionGate: ClientConnectionGate(limits: .init(
                maxConnections: configuration.maxClientConnections, maxPendingHeads: configuration.maxPendingRequestHeads,
                headTimeout: configuration.requestHeadTimeout)),
            relayGuard: RelayGuard(allowLocalTargetsFromRemoteClients: configuration.allowLocalTargetsFromRemoteClients),
            logger: logger)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.configureClientPipeline(channel, services: services)
                }
            }
            .bind(host: configuration.listenHost, port: configuration.listenPort)
            .get()
        if let port = channel.localAddress?.port { services.relayGuard.protect(port: port) }
        return ProxyServer(services: services, group: group, channel: channel, trust: trust)
    }

    static func configureClientPipeline(_ channel: any Channel, services: ProxyServices) throws {
        let sync = channel.pipeline.syncOperations
        let encoder = HTTPResponseEncoder()
        let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes))
        try sync.addHandler(encoder)
        try sync.addHandler(decoder)
        try sync.addHandler(ProxyFrontHandler(services: services, requestDecoder: decoder, responseEncoder: encoder))
    }

    /// Client connections open, waiting for their first request head, refused (over the limit) and
    /// closed to make room for prompt clients.
    var connectionCounts: ClientConnectionGate.Counts { services.connectionGate.counts }

    /// Another port of this Sightline (the UI's) that the proxy must never relay to.
    public func protect(port: Int) {
        services.relayGuard.protect(port: port)
    }

    /// Forgets every cached gateway response (`DELETE /api/cache`).
    public func clearResponseCache() {
        services.responseCache.removeAll()
    }

    /// Re-reads the upstream CA files and forgets every minted leaf (seed 001's "clear the SSL cache").
    public func reload() throws {
        try trust.reload()
        services.leafContexts.clear()
        services.logger.info("reloaded upstream trust and cleared the leaf certificate cache")
    }

    /// Until cancelled: every `interval`, once no client connection is open after traffic, returns the heap's
    /// free pages to the system (`IdleMemoryTrimmer`). Runs on a task of its own, never on an event loop.
    public func trimMemoryWhenIdle(every interval: Duration = .seconds(1)) async {
        var trimmer = IdleMemoryTrimmer(admittedAtStart: connectionCounts.admitted)
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            let counts = connectionCounts
            if trimmer.shouldTrim(open: counts.open, admitted: counts.admitted) { IdleMemoryTrimmer.trim() }
        }
    }

    /// Stops accepting connections. Connections in flight finish on their own.
    public func close() async {
        try? await channel.close()
    }
}
