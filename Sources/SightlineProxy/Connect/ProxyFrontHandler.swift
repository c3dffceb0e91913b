import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SightlineCore

/// First handler to see a new client connection's request. A `CONNECT` becomes an intercepted TLS
/// session (when the host is on the intercept list) or a byte tunnel; anything else hands the
/// connection to an `HTTPExchangeHandler`. The upstream is connected before `200` is answered, so an
/// unreachable host is a clear 502 rather than a tunnel that breaks later.
final class ProxyFrontHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = NIOAny
    typealias OutboundOut = ByteBuffer

    private enum State {
        case awaitingRequest
        case awaitingConnectEnd(HTTPRequestHead)
        /// CONNECT's head and end are in; the upstream is being reached. Raw bytes are held.
        case connecting(host: String, port: Int)
        case handedOver
    }

    private let services: ProxyServices
    private let requestDecoder: ByteToMessageHandler<HTTPRequestDecoder>
    private let responseEncoder: HTTPResponseEncoder
    private var state = State.awaitingRequest
    /// Raw bytes (a ClientHello, often in the same packet as the CONNECT) that arrive before hand-over.
    private var heldBytes: [NIOAny] = []
    private var pendingRead = false
    private var clientAddress: String?
    private var headTimeout: Scheduled<Void>?

    init(services: ProxyServices, requestDecoder: ByteToMessageHandler<HTTPRequestDecoder>, responseEncoder: HTTPResponseEncoder) {
        self.services = services
        self.requestDecoder = requestDecoder
        self.responseEncoder = responseEncoder
    }

    func handlerAdded(context: ChannelHandlerContext) {
        clientAddress = context.channel.remoteAddress.map(HTTPExchangeHandler.describe)
    }

    func channelActive(context: ChannelHandlerContext) {
        let gate = services.connectionGate
        guard gate.admit(context.channel) else {
            services.logger.warning("connection refused: too many client connections",
                                    metadata: ["client": "\(clientAddress ?? "?")", "limit": "\(gate.limits.maxConnections)"])
            writeRaw(context: context, status: "503 Service Unavailable", kind: "too_many_connections",
                     reason: "Sightline has \(gate.limits.maxConnections) client connections open; try again shortly")
            return
        }
        headTimeout = context.eventLoop.assumeIsolated().scheduleTask(in: gate.limits.headTimeout) { [self] in
            guard case .awaitingRequest = state else { return }
            services.logger.info("request head timeout", metadata: ["client": "\(clientAddress ?? "?")"])
            writeRaw(context: context, status: "408 Request Timeout", kind: "request_timeout",
                     reason: "no complete request head within \(gate.limits.headTimeout.nanoseconds / 1_000_000_000) s")
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        headTimeout?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .awaitingRequest:
            guard case .head(let head) = unwrapInboundIn(data) else { return }
            headTimeout?.cancel()
            services.connectionGate.headReceived(context.channel)
            if head.method == .CONNECT {
                state = .awaitingConnectEnd(head)
            } else {
                handOverToExchange(context: context, firstPart: data)
            }
        case .awaitingConnectEnd(let head):
            if case .end = unwrapInboundIn(data) { connectReceived(head, context: context) }
        case .connecting:
            heldBytes.append(data)
        case .handedOver:
            context.fireChannelRead(data)
        }
    }

    func read(context: ChannelHandlerContext) {
        if case .connecting = state {
            pendingRead = true
        } else {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Half-closure is allowed on the listener for tunnels; before hand-over a FIN means the client left
        // (a port scan, a health check, a client that gave up while the upstream was being reached).
        if let event = event as? ChannelEvent, case .inputClosed = event {
            if case .handedOver = state {} else {
                context.close(promise: nil)
                return
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .awaitingRequest = state, let parserError = error as? HTTPParserError {
            services.logger.info("malformed request", metadata: ["client": "\(clientAddress ?? "?")", "error": "\(parserError)"])
            writeRaw(context: context, status: "400 Bad Request", kind: "bad_request",
                     reason: "malformed HTTP request (\(parserError)); Sightline expects HTTP/1.1 proxy, CONNECT or gateway requests")
            return
        }
        services.logger.debug("client connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: Plain HTTP

    private func handOverToExchange(context: ChannelHandlerContext, firstPart: NIOAny) {
        state = .handedOver
        let exchange = HTTPExchangeHandler(services: services, interceptedOrigin: nil, upstream: nil)
        do {
            try context.pipeline.syncOperations.addHandler(exchange, position: .after(self))
        } catch {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(firstPart)
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    // MARK: CONNECT

    private func connectReceived(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard let (host, port) = Origin.splitAuthority(head.uri, defaultPort: 443) else {
            rejectConnect(context: context, status: "400 Bad Request", kind: "bad_request",
                          reason: "CONNECT target \"\(head.uri)\" is not host:port", head: head)
            return
        }
        guard services.isAuthorized(head.headers.map { ($0.name, $0.value) }) else {
            rejectConnect(context: context, status: "407 Proxy Authentication Required", kind: "proxy_auth",
                          reason: "proxy authentication required", head: head,
                          extraHeaders: "Proxy-Authenticate: Basic realm=\"sightline\"\r\n")
            return
        }
        if let refusal = services.relayGuard.refusal(host: host, port: port, client: context.channel.remoteAddress) {
            services.logger.warning("relay refused", metadata: ["client": "\(clientAddress ?? "?")", "reason": "\(refusal)"])
            rejectConnect(context: context, status: "403 Forbidden", kind: "forbidden", reason: refusal, head: head)
            return
        }
        state = .connecting(host: host, port: port)
        // From here on the client speaks TLS (or anything): no more HTTP parsing on this connection.
        context.pipeline.syncOperations.removeHandler(requestDecoder, promise: nil)

        let start = NIODeadline.now()
        let startDate = Date()
        if services.configuration.interceptPolicy.shouldIntercept(host: host) {
            let origin = Origin(scheme: "https", host: host, port: port)
            let upstreamOrigin = services.configuration.mapped(origin)
            services.connector.connect(to: upstreamOrigin, on: context.eventLoop).assumeIsolated().whenComplete { [self] result in
                switch result {
                case .success(let upstream):
                    intercept(origin: origin, upstream: upstream, context: context)
                case .failure(let error):
                    let proxyError = error as? ProxyError
                        ?? .connecting(to: upstreamOrigin.description, error: error, timeout: services.configuration.connectTimeout)
                    services.logger.warning("upstream failed", metadata: ["target": "\(upstreamOrigin)", "error": "\(proxyError.reason)"])
                    rejectConnect(context: context, status: "\(proxyError.httpStatus.code) \(proxyError.httpStatus.reasonPhrase)",
                                  kind: proxyError.kind, reason: proxyError.reason, head: head, start: startDate)
                }
            }
        } else {
            ClientBootstrap(group: context.eventLoop)
                .connectTimeout(services.configuration.connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port)
                .assumeIsolated()
                .whenComplete { [self] result in
                    switch result {
                    case .success(let upstream):
                        tunnel(to: upstream, host: host, port: port, head: head, start: start, startDate: startDate, context: context)
                    case .failure(let error):
                        let proxyError = ProxyError.connecting(to: "\(host):\(port)", error: error, timeout: services.configuration.connectTimeout)
                        services.logger.warning("tunnel failed", metadata: ["target": "\(host):\(port)", "error": "\(proxyError.reason)"])
                        rejectConnect(context: context, status: "\(proxyError.httpStatus.code) \(proxyError.httpStatus.reasonPhrase)",
                                      kind: proxyError.kind, reason: proxyError.reason, head: head, start: startDate, mode: .tunnel)
                    }
                }
        }
    }

    /// Answers 200 and terminates the client's TLS with a leaf for `origin.host`, then relays HTTP.
    private func intercept(origin: Origin, upstream: UpstreamConnection, context: ChannelHandlerContext) {
        guard context.channel.isActive else {
            upstream.close()
            return
        }
        do {
            let tlsContext = try services.leafContexts.context(for: origin.host)
            let sync = context.pipeline.syncOperations
            sync.removeHandler(responseEncoder, promise: nil)
            writeConnectEstablished(context: context)
            let tls = NIOSSLServerHandler(context: tlsContext)
            try sync.addHandler(tls, position: .after(self))
            // Added last, after this handler leaves: TLS → HTTP codec (HEAD-aware) → relay.
            try sync.configureHTTPServerPipeline(position: .after(tls), withPipeliningAssistance: false, withErrorHandling: false)
            try sync.addHandler(HTTPExchangeHandler(services: services, interceptedOrigin: origin, upstream: upstream))
        } catch {
            services.logger.warning("cannot intercept", metadata: ["host": "\(origin.host)", "error": "\(error)"])
            upstream.close()
            context.close(promise: nil)
            return
        }
        finishHandOver(context: context)
    }

    /// Answers 200 and glues the client to `upstream`, recording a tunnel flow when both sides close.
    private func tunnel(to upstream: any Channel, host: String, port: Int, head: HTTPRequestHead, start: NIODeadline, startDate: Date,
                        context: ChannelHandlerContext) {
        guard context.channel.isActive else {
            upstream.close(promise: nil)
            return
        }
        let services = self.services
        let clientAddress = self.clientAddress
        let connectedMs = ProxyServices.ms(from: start, to: .now())
        var closed = 0
        let (clientSide, upstreamSide) = TunnelRelayHandler.matchedPair { _ in }
        let recordOnce: () -> Void = {
            closed += 1
            guard closed == 2 else { return }
            var capture = FlowCapture(
                id: FlowID.make(at: startDate), mode: .tunnel, clientAddress: clientAddress,
                request: CapturedRequest(method: "CONNECT", url: "https://\(Origin(scheme: "https", host: host, port: port).authority)",
                                         httpVersion: head.version.text, headers: head.headers.fields, body: CapturedBody(capBytes: 0)),
                timings: FlowTimings(start: startDate))
            capture.request.body.count(clientSide.bytesRead)
            var response = CapturedResponse(status: 200, reason: "Connection established", httpVersion: "HTTP/1.1", headers: [],
                                            body: CapturedBody(capBytes: 0))
            response.body.count(upstreamSide.bytesRead)
            capture.response = response
            capture.timings.upstreamConnectedMs = connectedMs
            capture.timings.lastByteMs = ProxyServices.ms(from: start, to: .now())
            services.sink.record(capture)
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
        finishHandOver(context: context)
    }

    private func writeConnectEstablished(context: ChannelHandlerContext) {
        // Written raw: through HTTPResponseEncoder a 200 to CONNECT would gain chunked framing and corrupt TLS.
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeString("HTTP/1.1 200 Connection established\r\n\r\n")
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// Replays bytes that arrived with or after the CONNECT into the new handlers, then leaves.
    private func finishHandOver(context: ChannelHandlerContext) {
        state = .handedOver
        let held = heldBytes
        heldBytes.removeAll()
        for bytes in held { context.fireChannelRead(bytes) }
        if !held.isEmpty { context.fireChannelReadComplete() }
        // A read swallowed while connecting must be re-issued, or the connection never reads again.
        if pendingRead {
            pendingRead = false
            context.read()
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func rejectConnect(context: ChannelHandlerContext, status: String, kind: String, reason: String, head: HTTPRequestHead,
                               start: Date = Date(), mode: FlowMode = .proxy, extraHeaders: String = "") {
        var capture = FlowCapture(
            id: FlowID.make(at: start), mode: mode, clientAddress: clientAddress,
            request: CapturedRequest(method: "CONNECT", url: "https://\(head.uri)", httpVersion: head.version.text,
                                     headers: head.headers.fields, body: CapturedBody(capBytes: 0)),
            timings: FlowTimings(start: start))
        capture.error = reason
        services.sink.record(capture)
        writeRaw(context: context, status: status, kind: kind, reason: reason, extraHeaders: extraHeaders)
    }

    /// Writes a complete plain-text error response as raw bytes and closes the connection.
    private func writeRaw(context: ChannelHandlerContext, status: String, kind: String, reason: String, extraHeaders: String = "") {
        let body = reason + "\n"
        var buffer = context.channel.allocator.buffer(capacity: 256)
        buffer.writeString("HTTP/1.1 \(status)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\n")
        buffer.writeString("Sightline-Error: \(kind)\r\n\(extraHeaders)Connection: close\r\n\r\n\(body)")
        state = .handedOver
        // The encoder may still be in the pipeline; write below it so the bytes go out as they are.
        if let encoderContext = try? context.pipeline.syncOperations.context(handler: responseEncoder) {
            encoderContext.writeAndFlush(NIOAny(IOData.byteBuffer(buffer))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else {
            context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
