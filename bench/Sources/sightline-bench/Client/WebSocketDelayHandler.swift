import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// What one WebSocket session delivered: per stamped message, receive time minus the upstream's
/// `sent_ns`, and how it ended.
struct WebSocketSessionResult: Sendable {
    var delays: [Int64] = []
    /// A close frame came from the server (its own when it finished, or its answer to ours) before
    /// the connection ended.
    var closedCleanly = false
}

/// Asks a session's `WebSocketDelayHandler` to start the close handshake (sent with
/// `triggerUserOutboundEvent`, so any task can end a session without touching the handler).
struct WebSocketCloseRequest: Sendable {}

/// Last in an upgraded client pipeline (after NIO's frame codec): records each text message's delay,
/// taking the receive time as the frame arrives, before looking into it; answers pings; answers the
/// server's close frame with its own, or sends the first one on a `WebSocketCloseRequest`. The
/// server then closes the connection, which completes `ended`.
final class WebSocketDelayHandler: ChannelDuplexHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// How long a closing session waits for the server to end the connection before the client does.
    static let closeTimeout = TimeAmount.seconds(5)

    private let ended: EventLoopPromise<WebSocketSessionResult>
    private let messageCounter: NIOLockedValueBox<Int>?
    private var result = WebSocketSessionResult()
    private var sentClose = false

    /// `messageCounter`, shared by many sessions, counts messages as they arrive.
    init(ended: EventLoopPromise<WebSocketSessionResult>, messageCounter: NIOLockedValueBox<Int>? = nil) {
        self.ended = ended
        self.messageCounter = messageCounter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let receivedAt = Int64(MonotonicClock.now())
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            if let sentAt = SentStamp.find(in: frame.unmaskedData.readableBytesView) {
                result.delays.append(receivedAt - sentAt)
                messageCounter?.withLockedValue { $0 += 1 }
            }
        case .ping:
            send(.pong, data: frame.unmaskedData, context: context)
        case .connectionClose:
            result.closedCleanly = true
            if !sentClose { sendClose(context: context) }
        default:
            break
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is WebSocketCloseRequest else {
            return context.triggerUserOutboundEvent(event, promise: promise)
        }
        if !sentClose { sendClose(context: context) }
        promise?.succeed()
    }

    func channelInactive(context: ChannelHandlerContext) {
        ended.succeed(result)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // After the close handshake, an error (a TCP close without TLS close_notify, say) spoils nothing
        // that was measured.
        if result.closedCleanly { ended.succeed(result) } else { ended.fail(error) }
        context.close(promise: nil)
    }

    private func sendClose(context: ChannelHandlerContext) {
        sentClose = true
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: .normalClosure)
        send(.connectionClose, data: data, context: context)
        // The server closes TCP after the close handshake; one that never does is not waited for forever.
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.closeTimeout) { channel.close(promise: nil) }
    }

    /// Client frames are masked (RFC 6455); NIO's encoder applies the key.
    private func send(_ opcode: WebSocketOpcode, data: ByteBuffer, context: ChannelHandlerContext) {
        let frame = WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: data)
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
    }
}
