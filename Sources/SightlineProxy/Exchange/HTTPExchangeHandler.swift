import Foundation
import NIOCore
import NIOHTTP1
import SightlineCore

/// The HTTP relay of one client connection, last in its pipeline (after the HTTP server codec, and after
/// TLS termination when intercepting). It turns channel events into `HTTPExchangeStateMachine` events and
/// performs the actions the machine answers with: connect, send, write, record. Everything it decides
/// itself is about I/O: which connection, which write, when to read.
final class HTTPExchangeHandler: ChannelDuplexHandler, RemovableChannelHandler, UpstreamDelegate {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let services: ProxyServices
    private let interceptedOrigin: Origin?
    var machine: HTTPExchangeStateMachine
    private(set) var admission: RequestAdmission?
    var context: ChannelHandlerContext?
    /// The upstream connection lent to the exchange in flight (or, on an intercepted connection before its first
    /// request, the one the CONNECT opened). Between exchanges it is back in the pool.
    var upstream: UpstreamConnection?
    /// Pipelined requests wait here while an exchange is in flight.
    var queued = CircularBuffer<HTTPServerRequestPart>()
    private var pendingRead = false
    /// Between a client read and its read-complete: upstream writes made meanwhile wait for the flush at the
    /// read's end, so a request that arrived in one read leaves in one write (head, body and end together).
    private(set) var inClientRead = false

    init(services: ProxyServices, interceptedOrigin: Origin?, upstream: UpstreamConnection?) {
        self.services = services
        self.interceptedOrigin = interceptedOrigin
        self.upstream = upstream
        self.machine = HTTPExchangeStateMachine(configuration: services.configuration)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let remote = context.channel.remoteAddress
        admission = RequestAdmission(services: services, interceptedOrigin: interceptedOrigin,
                                     clientAddress: remote.map(Self.describe), remoteAddress: remote)
        upstream?.handler.delegate = self
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    // MARK: Client events

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        inClientRead = true
        if !queued.isEmpty || (!machine.isIdle && Self.isHead(part)) {
            queued.append(part)
            return
        }
        handle(part)
    }

    private func handle(_ part: HTTPServerRequestPart) {
        switch part {
        case .head(let head):
            guard let admission else { return }
            switch admission.decide(head, now: .now(), date: Date()) {
            case .refuse(let answer, let capture, let closeAfter):
                run(machine.requestRefused(answer, record: capture, closeAfter: closeAfter))
            case .admit(let exchange, let answersContinue):
                if answersContinue {
                    context?.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
                }
                run(machine.requestAdmitted(exchange))
            }
        case .body(let buffer):
            run(machine.requestBodyReceived(buffer))
        case .end(let trailers):
            run(machine.requestEndReceived(trailers, now: .now()))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inClientRead = false
        upstream?.channel.flush()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        run(machine.clientClosed(now: .now()))
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The listener allows half-closure (for CONNECT tunnels). An HTTP/1.1 client's FIN, or a TLS
        // close_notify, means it has gone (nginx and mitmproxy treat it so): nothing will read a response.
        if let event = event as? ChannelEvent, case .inputClosed = event {
            run(machine.clientClosed(now: .now()))
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        upstream?.handler.setReadsPaused(!context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let client = admission?.clientAddress ?? "?"
        if let parserError = error as? HTTPParserError {
            services.logger.info("malformed request", metadata: ["client": "\(client)", "error": "\(parserError)"])
            run(machine.requestMalformed("\(parserError)", now: .now()))
            return
        }
        services.logger.debug("client connection error", metadata: ["error": "\(error)", "client": "\(client)"])
        run(machine.clientClosed(now: .now()))
    }

    /// Reads from the client wait while the upstream cannot take more, or a request is held or queued.
    func read(context: ChannelHandlerContext) {
        if readsShouldWait {
            pendingRead = true
        } else {
            context.read()
        }
    }

    private var readsShouldWait: Bool {
        !queued.isEmpty || machine.clientReadsShouldWait(upstreamWritable: upstream?.handler.isWritable ?? true)
    }

    func resumeReadsIfPossible() {
        guard pendingRead, !readsShouldWait, let context else { return }
        pendingRead = false
        context.read()
    }

    func drainQueue() {
        // A queued head waits for the machine to be idle; the parts after it belong to it and follow it in.
        while let part = queued.first, !machine.isClosed, machine.isIdle || !Self.isHead(part) {
            queued.removeFirst()
            handle(part)
        }
        resumeReadsIfPossible()
    }

    // MARK: Upstream events

    func upstreamReceived(_ part: HTTPClientResponsePart) {
        switch part {
        case .head(let head): run(machine.responseHeadReceived(head, now: .now(), jitter: Self.jitter()))
        case .body(let buffer): run(machine.responseBodyReceived(buffer, now: .now()))
        case .end(let trailers): run(machine.responseEndReceived(trailers, now: .now()))
        }
    }

    func upstreamReadComplete() {
        context?.flush()
    }

    func upstreamWritabilityChanged(isWritable: Bool) {
        if isWritable { resumeReadsIfPossible() }
    }

    func upstreamIdleTimeout() {
        run(machine.upstreamIdleTimedOut(now: .now(), jitter: Self.jitter()))
    }

    func upstreamClosed(error: (any Error)?) {
        upstream?.handler.delegate = nil
        upstream = nil
        run(machine.upstreamClosed(error: error, now: .now(), jitter: Self.jitter()))
    }

    static func isHead(_ part: HTTPServerRequestPart) -> Bool {
        if case .head = part { true } else { false }
    }

    static func jitter() -> Double { Double.random(in: -0.2...0.2) }

    static func describe(_ address: SocketAddress) -> String {
        if let ip = address.ipAddress, let port = address.port {
            return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        }
        return "\(address)"
    }
}
