import NIOCore
import NIOTLS

/// Right after `NIOSSLClientHandler`: completes `done` with the monotonic time at which the TLS
/// handshake finished (then removes itself), or fails it with the TLS error.
final class HandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let done: EventLoopPromise<UInt64>

    init(done: EventLoopPromise<UInt64>) { self.done = done }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            done.succeed(MonotonicClock.now())
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        done.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(BenchError("connection closed during the TLS handshake"))
        context.fireChannelInactive()
    }
}
