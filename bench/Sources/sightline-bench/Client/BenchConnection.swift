import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One client connection to the upstream, TLS established and the HTTP/1.1 codec in place, ready
/// for a workload handler. Through a proxy it is one CONNECT tunnel, reused for every request.
struct BenchConnection: Sendable {
    let channel: any Channel
    let target: Endpoint
    /// Monotonic nanoseconds when dialing began and when the TLS handshake with the origin (or,
    /// proxied, with the proxy's minted leaf) finished: the cost of a first connection.
    let startedAt: UInt64
    let tlsReadyAt: UInt64

    var setupNanoseconds: UInt64 { tlsReadyAt - startedAt }

    static let setupTimeout = TimeAmount.seconds(10)

    /// Adds the HTTP/1.1 client codec on top of TLS: what every plain HTTP scenario speaks.
    static let plainHTTP: @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void = { try $0.addHTTPClientHandlers() }

    /// Dials (the proxy, or the target), tunnels with CONNECT when proxied, then handshakes TLS and
    /// adds `httpHandlers` (a WebSocket session adds the codec with its upgrader instead). Every step
    /// runs chained on the channel's event loop, so no task hop is timed.
    static func open(to target: Endpoint, via route: Route, on eventLoop: any EventLoop,
                     httpHandlers: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void = plainHTTP)
        -> EventLoopFuture<BenchConnection> {
        let startedAt = MonotonicClock.now()
        let tunnelReady = eventLoop.makePromise(of: Void.self)
        let tlsReady = eventLoop.makePromise(of: UInt64.self)
        let dialed = route.proxy ?? target
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(10))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if route.proxy != nil {
                        try channel.pipeline.syncOperations.addHandler(ConnectTunnelHandler(target: target, ready: tunnelReady))
                    } else {
                        tunnelReady.succeed()
                    }
                }
            }
        return bootstrap.connect(host: dialed.host, port: dialed.port).flatMap { channel in
            channel.closeFuture.whenComplete { _ in
                tunnelReady.fail(BenchError("connection to \(dialed) closed while setting up"))
            }
            tunnelReady.futureResult.cascadeFailure(to: tlsReady)
            tlsReady.fail(after: setupTimeout, closing: channel, reason: "no TLS session with \(target) via \(dialed)")
            return tunnelReady.futureResult.flatMapThrowing {
                let sync = channel.pipeline.syncOperations
                try sync.addHandler(NIOSSLClientHandler(context: route.tls, serverHostname: target.serverNameIndication))
                try sync.addHandler(HandshakeWaiter(done: tlsReady))
            }.flatMap {
                tlsReady.futureResult
            }.flatMapThrowing { tlsReadyAt in
                try httpHandlers(channel.pipeline.syncOperations)
                return BenchConnection(channel: channel, target: target, startedAt: startedAt, tlsReadyAt: tlsReadyAt)
            }.flatMapErrorThrowing { error in
                channel.close(promise: nil)
                throw error
            }
        }.flatMapErrorThrowing { error in
            throw BenchError("\(route.name): setting up a connection to \(target) failed: \(error)")
        }
    }

    /// Adds a workload handler at the end of the pipeline; it starts on being added.
    func start(_ makeHandler: @escaping @Sendable () -> any ChannelHandler) -> EventLoopFuture<Void> {
        let channel = self.channel
        return channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(makeHandler())
        }
    }

    func close() async {
        try? await channel.close()
    }
}
