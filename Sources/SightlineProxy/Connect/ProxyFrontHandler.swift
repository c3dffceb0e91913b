import Foundation
import NIOCore
import NIOHTTP1
import SightlineCore

/// First handler to see a new client connection: admits it (connection limit, head timeout), and lets its
/// first head decide what it becomes (`ConnectStateMachine`): an HTTP relay (`HTTPExchangeHandler`), an
/// intercepted TLS session, or a byte tunnel. The upstream of a CONNECT is reached before `200` is
/// answered, so an unreachable host is a clear 502 rather than a tunnel that breaks later.
final class ProxyFrontHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = NIOAny
    typealias OutboundOut = ByteBuffer

    let services: ProxyServices
    let requestDecoder: ByteToMessageHandler<HTTPRequestDecoder>
    let responseEncoder: HTTPResponseEncoder
    private var machine: ConnectStateMachine?
    /// Raw bytes (a ClientHello, often in the same packet as the CONNECT) that arrive before hand-over.
    private var heldBytes: [NIOAny] = []
    private var pendingRead = false
    private var headTimeout: Scheduled<Void>?
    private(set) var clientAddress: String?

    init(services: ProxyServices, requestDecoder: ByteToMessageHandler<HTTPRequestDecoder>, responseEncoder: HTTPResponseEncoder) {
        self.services = services
        self.requestDecoder = requestDecoder
        self.responseEncoder = responseEncoder
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let remote = context.channel.remoteAddress
        clientAddress = remote.map(HTTPExchangeHandler.describe)
        let services = self.services
        let rules = ConnectStateMachine.Rules(
            isAuthorized: { headers in services.isAuthorized(headers) },
            refusal: { [clientAddress] host, port in
                guard let refusal = services.relayGuard.refusal(host: host, port: port, client: remote) else { return nil }
                services.logger.warning("relay refused", metadata: ["client": "\(clientAddress ?? "?")", "reason": "\(refusal)"])
                return refusal
            },
            intercepts: { host in services.configuration.interceptPolicy.shouldIntercept(host: host) })
        machine = ConnectStateMachine(rules: rules, clientAddress: clientAddress)
    }

    func channelActive(context: ChannelHandlerContext) {
        let gate = services.connectionGate
        guard gate.admit(context.channel) else {
            services.logger.warning("connection refused: too many client connections",
                                    metadata: ["client": "\(clientAddress ?? "?")", "limit": "\(gate.limits.maxConnections)"])
            reject(.plainError(.serviceUnavailable, kind: .tooManyConnections, close: true,
                               reason: "Sightline has \(gate.limits.maxConnections) client connections open; try again shortly"),
                   context: context)
            return
        }
        headTimeout = context.eventLoop.assumeIsolated().scheduleTask(in: gate.limits.headTimeout) { [self] in
            guard let action = machine?.headTimedOut(after: gate.limits.headTimeout.nanoseconds / 1_000_000_000) else { return }
            if case .reject = action { services.logger.info("request head timeout", metadata: ["client": "\(clientAddress ?? "?")"]) }
            run(action, data: nil, context: context)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        headTimeout?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard var machine else { return }
        let action: ConnectStateMachine.Action
        if machine.isConnecting {
            action = machine.bytesReceived()
        } else {
            let part = unwrapInboundIn(data)
            if machine.isWaitingForHead, case .head = part {
                headTimeout?.cancel()
                services.connectionGate.headReceived(context.channel)
            }
            action = machine.partReceived(part, now: .now(), date: Date())
        }
        self.machine = machine
        run(action, data: data, context: context)
    }

    private func run(_ action: ConnectStateMachine.Action, data: NIOAny?, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .passOn:
            if let data { context.fireChannelRead(data) }
        case .hold:
            if let data { heldBytes.append(data) }
        case .handOverToExchange:
            handOverToExchange(context: context, firstPart: data)
        case .reject(let answer, let record):
            if let record { services.sink.record(record) }
            reject(answer, context: context)
        case .connect(let request):
            // From here on the client speaks TLS (or anything): no more HTTP parsing on this connection.
            context.pipeline.syncOperations.removeHandler(requestDecoder, promise: nil)
            if request.intercept {
                connectIntercepted(request, context: context)
            } else {
                connectTunnel(request, context: context)
            }
        }
    }

    func read(context: ChannelHandlerContext) {
        if machine?.isConnecting == true {
            pendingRead = true
        } else {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Half-closure is allowed on the listener for tunnels; before hand-over a FIN means the client left
        // (a port scan, a health check, a client that gave up while the upstream was being reached).
        if let event = event as? ChannelEvent, case .inputClosed = event, machine.map({ if case .handedOver = $0.state { false } else { true } }) ?? true {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError, let action = machine?.malformed("\(parserError)"), case .reject = action {
            services.logger.info("malformed request", metadata: ["client": "\(clientAddress ?? "?")", "error": "\(parserError)"])
            run(action, data: nil, context: context)
            return
        }
        services.logger.debug("client connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// The CONNECT's upstream is there: hand the connection over (`handOver` has done the pipeline surgery).
    func upstreamReady(context: ChannelHandlerContext) {
        machine?.upstreamReady()
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

    func upstreamFailed(_ error: ProxyError, context: ChannelHandlerContext) {
        services.logger.warning("upstream failed", metadata: ["error": "\(error.reason)"])
        guard let action = machine?.upstreamFailed(error) else { return }
        run(action, data: nil, context: context)
    }

    /// Writes a complete answer as raw bytes and closes the connection.
    private func reject(_ answer: LocalAnswer, context: ChannelHandlerContext) {
        let bytes = answer.serialized(allocator: context.channel.allocator)
        // The encoder may still be in the pipeline; write below it so the bytes go out as they are.
        let written: EventLoopFuture<Void>
        if let encoderContext = try? context.pipeline.syncOperations.context(handler: responseEncoder) {
            written = encoderContext.writeAndFlush(NIOAny(IOData.byteBuffer(bytes)))
        } else {
            written = context.writeAndFlush(wrapOutboundOut(bytes))
        }
        written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private func handOverToExchange(context: ChannelHandlerContext, firstPart: NIOAny?) {
        let exchange = HTTPExchangeHandler(services: services, interceptedOrigin: nil, upstream: nil)
        do {
            try context.pipeline.syncOperations.addHandler(exchange, position: .after(self))
        } catch {
            context.close(promise: nil)
            return
        }
        if let firstPart { context.fireChannelRead(firstPart) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func writeConnectEstablished(context: ChannelHandlerContext) {
        // Written raw: through HTTPResponseEncoder a 200 to CONNECT would gain chunked framing and corrupt TLS.
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeString("HTTP/1.1 200 Connection established\r\n\r\n")
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}
