import NIOCore

/// One half of a byte tunnel between two channels on the same event loop (NIO's GlueHandler pattern):
/// what one side reads the other writes, reads stop while the partner cannot take more, and a
/// half-close or close on one side is passed to the other.
final class TunnelRelayHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: TunnelRelayHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    /// Bytes this side has read (and handed to its partner).
    private(set) var bytesRead = 0
    /// Sees each read before it goes on (a WebSocket relay reads its frames here); never changes it.
    var observe: ((ByteBuffer) -> Void)?
    private let onClose: (TunnelRelayHandler) -> Void

    private init(onClose: @escaping (TunnelRelayHandler) -> Void) {
        self.onClose = onClose
    }

    /// A connected pair; `onClose` runs once for each side as its channel goes inactive.
    static func matchedPair(onClose: @escaping (TunnelRelayHandler) -> Void) -> (TunnelRelayHandler, TunnelRelayHandler) {
        let first = TunnelRelayHandler(onClose: onClose)
        let second = TunnelRelayHandler(onClose: onClose)
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    private func partnerWrite(_ data: NIOAny) { context?.write(data, promise: nil) }
    private func partnerFlush() { context?.flush() }
    private func partnerWriteEOF() { context?.close(mode: .output, promise: nil) }
    private func partnerCloseFull() { context?.close(promise: nil) }
    private var partnerIsWritable: Bool { context?.channel.isWritable ?? false }

    private func partnerBecameWritable() {
        if pendingRead {
            pendingRead = false
            context?.read()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        bytesRead += buffer.readableBytes
        observe?(buffer)
        partner?.partnerWrite(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        onClose(self)
        partner?.partnerCloseFull()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            partner?.partnerWriteEOF()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        partner?.partnerCloseFull()
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if let partner, partner.partnerIsWritable {
            context.read()
        } else {
            pendingRead = true
        }
    }
}
