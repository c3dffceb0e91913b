import NIOCore
import NIOHTTP1

/// What the client side of a relay hears from its upstream connection. Called on the shared event loop.
protocol UpstreamDelegate: AnyObject {
    func upstreamReceived(_ part: HTTPClientResponsePart)
    func upstreamReadComplete()
    func upstreamWritabilityChanged(isWritable: Bool)
    func upstreamIdleTimeout()
    func upstreamClosed(error: (any Error)?)
}

/// Last handler of an upstream pipeline (`[TLS] → HTTPRequestEncoder → HTTPResponseDecoder → this`).
/// Passes response parts to its delegate and holds reads while the delegate's client cannot take more
/// (back-pressure, as NIO's GlueHandler does).
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    weak var delegate: (any UpstreamDelegate)?
    private var context: ChannelHandlerContext?
    private var readsPaused = false
    private var pendingRead = false
    private var closeError: (any Error)?
    private(set) var isClosed = false
    /// A request has gone out on this connection (it is no longer fresh for a WebSocket handshake).
    private(set) var hasCarriedRequest = false

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        delegate?.upstreamReceived(unwrapInboundIn(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        delegate?.upstreamWritabilityChanged(isWritable: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if closeError == nil { closeError = error }
        // Tell the client side now: closing a TLS connection waits for the server's close_notify (NIOSSL's
        // shutdownTimeout, 5 s) before channelInactive, and the client must not wait with it.
        isClosed = true
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamClosed(error: error)
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            if let delegate { delegate.upstreamIdleTimeout() } else { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isClosed = true
        delegate?.upstreamClosed(error: closeError)
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        if readsPaused {
            pendingRead = true
        } else {
            context.read()
        }
    }

    /// Pauses or resumes reading from upstream; the client side calls this as its writability changes.
    func setReadsPaused(_ paused: Bool) {
        readsPaused = paused
        if !paused, pendingRead, let context {
            pendingRead = false
            context.read()
        }
    }

    func send(_ part: HTTPClientRequestPart, flush: Bool) {
        guard let context else { return }
        if case .head = part { hasCarriedRequest = true }
        context.write(wrapOutboundOut(part), promise: nil)
        if flush { context.flush() }
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    func close() {
        context?.close(promise: nil)
    }
}
