import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SightlineCore

/// The pipeline surgery of a CONNECT: TLS termination with a minted leaf, or a byte tunnel.
extension ProxyFrontHandler {
    /// Reaches the intercepted origin (a pooled connection when one is idle), then answers 200 and
    /// terminates the client's TLS with a leaf for the host: TLS → HTTP codec (HEAD-aware) → relay.
    func connectIntercepted(_ request: ConnectStateMachine.ConnectRequest, context: ChannelHandlerContext) {
        let origin = Origin(scheme: "https", host: request.host, port: request.port)
        let upstreamOrigin = services.configuration.mapped(origin)
        if services.configuration.connectStrategy == .lazy {
            services.pool.prepare(upstreamOrigin, on: context.eventLoop)
            intercept(origin: origin, upstream: nil, context: context)
            return
        }
        let checkout: EventLoopFuture<UpstreamConnection>
        switch services.pool.checkout(upstreamOrigin, on: context.eventLoop) {
        case .ready(let connection): checkout = context.eventLoop.makeSucceededFuture(connection)
        case .connecting(let future): checkout = future
        }
        checkout.assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(let upstream):
                intercept(origin: origin, upstream: upstream, context: context)
            case .failure(let error):
                upstreamFailed(error as? ProxyError
                               ?? .connecting(to: upstreamOrigin.description, error: error, timeout: services.configuration.connectTimeout),
                               context: context)
            }
        }
    }

    /// `upstream` nil (the lazy strategy): the first request checks one out of the pool.
    private func intercept(origin: Origin, upstream: UpstreamConnection?, context: ChannelHandlerContext) {
        guard context.channel.isActive else {
            if let upstream { services.pool.release(upstream) }
            return
        }
        do {
            let tlsContext = try services.leafContexts.context(for: origin.host)
            let sync = context.pipeline.syncOperations
            sync.removeHandler(responseEncoder, promise: nil)
            writeConnectEstablished(context: context)
            let tls = NIOSSLServerHandler(context: tlsContext)
            try sync.addHandler(tls, position: .after(self))
            try sync.configureHTTPServerPipeline(position: .after(tls), withPipeliningAssistance: false, withErrorHandling: false)
            try sync.addHandler(HTTPExchangeHandler(services: services, interceptedOrigin: origin, upstream: upstream))
        } catch {
            services.logger.warning("cannot intercept", metadata: ["host": "\(origin.host)", "error": "\(error)"])
            upstream?.close()
            context.close(promise: nil)
            return
        }
        upstreamReady(context: context)
    }

    /// Connects TCP to the CONNECT target, then answers 200 and glues the two channels together,
    /// recording a tunnel flow (host, bytes each way, duration) when both sides have closed.
    func connectTunnel(_ request: ConnectStateMachine.ConnectRequest, context: ChannelHandlerContext) {
        let target = "\(request.host):\(request.port)"
        ClientBootstrap(group: context.eventLoop)
            .connectTimeout(services.configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: request.host, port: request.port)
            .assumeIsolated()
            .whenComplete { [self] result in
                switch result {
                case .success(let upstream):
                    tunnel(request, to: upstream, context: context)
                case .failure(let error):
                    upstreamFailed(.connecting(to: target, error: error, timeout: services.configuration.connectTimeout), context: context)
                }
            }
    }

    private func tunnel(_ request: ConnectStateMachine.ConnectRequest, to upstream: any Channel, context: ChannelHandlerContext) {
        guard context.channel.isActive else {
            upstream.close(promise: nil)
            return
        }
        let (clientSide, upstreamSide) = TunnelRelayHandler.matchedPair { _ in }
        var flow = TunnelFlow(request: request, clientAddress: clientAddress, connectedAt: .now())
        let sink = services.sink
        let recordOnce: () -> Void = {
            flow.sidesClosed += 1
            guard flow.sidesClosed == 2 else { return }
            sink.record(flow.capture(bytesFromClient: clientSide.bytesRead, bytesFromUpstream: upstreamSide.bytesRead, endedAt: .now()))
        }
        do {
            let sync = context.pipeline.syncOperations
            sync.removeHandler(responseEncoder, promise: nil)
            writeConnectEstablished(context: context)
            try sync.addHandler(clientSide, position: .after(self))
            try upstream.pipeline.syncOperations.addHandler(upstreamSide)
        } catch {
            upstream.close(promise: nil)
            context.close(promise: nil)
            return
        }
        context.channel.closeFuture.assumeIsolated().whenComplete { _ in recordOnce() }
        upstream.closeFuture.assumeIsolated().whenComplete { _ in recordOnce() }
        upstreamReady(context: context)
    }
}

/// A CONNECT tunnel that was not intercepted, as a flow: only host, bytes and duration are known.
struct TunnelFlow {
    let request: ConnectStateMachine.ConnectRequest
    let clientAddress: String?
    let connectedAt: NIODeadline
    var sidesClosed = 0

    func capture(bytesFromClient: Int, bytesFromUpstream: Int, endedAt: NIODeadline) -> FlowCapture {
        let authority = Origin(scheme: "https", host: request.host, port: request.port).authority
        var capture = FlowCapture(
            id: FlowID.make(at: request.date), mode: .tunnel, clientAddress: clientAddress,
            request: CapturedRequest(method: "CONNECT", url: "https://\(authority)", httpVersion: request.head.version.text,
                                     headers: request.head.headers.fields, body: CapturedBody(capBytes: 0)),
            timings: FlowTimings(start: request.date))
        capture.request.body.count(bytesFromClient)
        var response = CapturedResponse(status: 200, reason: "Connection established", httpVersion: "HTTP/1.1", headers: [],
                                        body: CapturedBody(capBytes: 0))
        response.body.count(bytesFromUpstream)
        capture.response = response
        capture.timings.upstreamConnectedMs = ProxyServices.ms(from: request.start, to: connectedAt)
        capture.timings.lastByteMs = ProxyServices.ms(from: request.start, to: endedAt)
        return capture
    }
}
