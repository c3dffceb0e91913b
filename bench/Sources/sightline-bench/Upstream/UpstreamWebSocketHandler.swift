import NIOCore
import NIOWebSocket

/// One upgraded WebSocket session on the upstream, last in its pipeline (after TLS and NIO's frame
/// codec): sends `messages` text messages `gap` apart, each stamped with its send time, then a close
/// frame. Answers pings; answers a client's close frame with its own and then closes the connection
/// (the server closes TCP first, as RFC 6455 asks), which is how the bench ends sessions early.
final class UpstreamWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let messages: Int
    private let gap: TimeAmount
    private var sentClose = false

    init(messages: Int, gap: TimeAmount) {
        self.messages = messages
        self.gap = gap
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // The first message a gap after the 101, so that no sample includes the client's upgrade work.
        let loop = context.eventLoop.assumeIsolated()
        func send(_ index: Int) {
            guard context.channel.isActive, !sentClose else { return }
            guard index < messages else {
                sendClose(context: context, code: .normalClosure)
                return
            }
            // Stamped as late as possible: the delay measured is the path after the origin's write.
            let message = BenchPayloads.webSocketMessage(index: index, sentNanoseconds: MonotonicClock.now())
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: message)), promise: nil)
            loop.scheduleTask(in: gap) { send(index + 1) }
        }
        loop.scheduleTask(in: gap) { send(0) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            if sentClose {
                // The client answered our close: the handshake is done.
                context.close(promise: nil)
            } else {
                var data = frame.unmaskedData
                let code = data.readWebSocketErrorCode() ?? .normalClosure
                sendClose(context: context, code: code)
                context.close(promise: nil)
            }
        default:
            break // The bench's clients send nothing else that needs an answer.
        }
    }

    private func sendClose(context: ChannelHandlerContext, code: WebSocketErrorCode) {
        sentClose = true
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
    }
}
