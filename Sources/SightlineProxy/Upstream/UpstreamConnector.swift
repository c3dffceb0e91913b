import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import SightlineCA
import SightlineCore

/// A live HTTP/1.1 connection to an upstream origin, with the milestones of setting it up.
/// `@unchecked Sendable`: every stored property is a `let`; the one non-Sendable value, `handler`, is only
/// used on `channel.eventLoop`, where the connection is created and consumed.
final class UpstreamConnection: @unchecked Sendable {
    let origin: Origin
    let channel: any Channel
    let handler: UpstreamHandler
    /// Nanoseconds (uptime) when TCP connected and when TLS finished (same as TCP for plain HTTP).
    let connectedAt: NIODeadline
    let tlsDoneAt: NIODeadline?

    init(origin: Origin, channel: any Channel, handler: UpstreamHandler, connectedAt: NIODeadline, tlsDoneAt: NIODeadline?) {
        self.origin = origin
        self.channel = channel
        self.handler = handler
        self.connectedAt = connectedAt
        self.tlsDoneAt = tlsDoneAt
    }

    var isReusable: Bool { channel.isActive && !handler.isClosed }

    func close() { channel.close(promise: nil) }
}

/// Opens upstream connections on the caller's event loop (so both sides of a relay share one loop and
/// can call each other directly), completing only once TLS is established.
struct UpstreamConnector: Sendable {
    let trust: UpstreamTrust
    let connectTimeout: TimeAmount
    let idleTimeout: TimeAmount

    func connect(to origin: Origin, on eventLoop: any EventLoop) -> EventLoopFuture<UpstreamConnection> {
        let handshake = HandshakeOutcome(eventLoop: eventLoop)
        let sslContext = trust.context
        let idleTimeout = self.idleTimeout
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    if origin.isTLS {
                        // An IP literal must not be sent as SNI; verification then matches the IP SAN.
                        let serverName = IPAddressBytes(origin.host) == nil ? origin.host : nil
                        try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: serverName))
                        try sync.addHandler(HandshakeObserver(outcome: handshake))
                    } else {
                        handshake.complete(.success(.now()))
                    }
                    try sync.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try sync.addHTTPClientHandlers(
                        // What a server sends right after a WebSocket `101` reaches the relay that replaces the codec.
                        leftOverBytesStrategy: .forwardBytes,
                        enableOutboundHeaderValidation: false,
                        encoderConfiguration: Self.faithfulEncoder
                    )
                    try sync.addHandler(UpstreamHandler())
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        let target = origin.description
        let timeout = connectTimeout
        return bootstrap.connect(host: origin.host, port: origin.port).flatMap { channel in
            let connectedAt = NIODeadline.now()
            // A TLS failure closes the channel; the observer fails the promise with the reason.
            channel.closeFuture.whenComplete { _ in
                handshake.complete(.failure(ProxyError.upstreamReset(target, afterResponseStarted: false)))
            }
            return handshake.future.flatMapThrowing { tlsDone in
                let handler = try channel.pipeline.syncOperations.handler(type: UpstreamHandler.self)
                return UpstreamConnection(origin: origin, channel: channel, handler: handler, connectedAt: connectedAt,
                                          tlsDoneAt: origin.isTLS ? tlsDone : nil)
            }.flatMapError { error in
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(error)
            }
        }.flatMapErrorThrowing { error in
            // The channel may never have existed: settle the handshake so its promise is not leaked.
            handshake.complete(.failure(error))
            throw ProxyError.connecting(to: target, error: error, timeout: timeout)
        }
    }

    /// The encoder sends the client's framing headers as they are, adding nothing.
    static let faithfulEncoder: HTTPRequestEncoder.Configuration = {
        var configuration = HTTPRequestEncoder.Configuration()
        configuration.automaticallySetFramingHeaders = false
        return configuration
    }()
}

/// The end of one connection's TLS handshake, settled exactly once whichever of handshake, TLS error,
/// close or connect failure comes first.
/// `@unchecked Sendable`: `settled` is only read and written on `eventLoop` (every caller runs there:
/// the channel's handlers, its close future, and the bootstrap's futures on the same loop).
private final class HandshakeOutcome: @unchecked Sendable {
    private let promise: EventLoopPromise<NIODeadline>
    private let eventLoop: any EventLoop
    private var settled = false

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.promise = eventLoop.makePromise()
    }

    var future: EventLoopFuture<NIODeadline> { promise.futureResult }

    func complete(_ result: Result<NIODeadline, any Error>) {
        eventLoop.preconditionInEventLoop()
        guard !settled else { return }
        settled = true
        promise.completeWith(result)
    }
}

/// Settles the handshake outcome when the TLS handshake finishes, or with the TLS error.
private final class HandshakeObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let outcome: HandshakeOutcome

    init(outcome: HandshakeOutcome) { self.outcome = outcome }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            outcome.complete(.success(.now()))
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        outcome.complete(.failure(error))
        context.fireErrorCaught(error)
    }
}
