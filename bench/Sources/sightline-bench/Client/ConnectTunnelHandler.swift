import NIOCore

/// First in a proxied client pipeline: sends `CONNECT host:port` when the TCP connection is up,
/// reads the proxy's answer, and completes `ready` on a 200 (then removes itself so TLS can start
/// on the raw tunnel). Any other answer, or a close, fails `ready`.
///
/// Nothing can follow the 200 before the client speaks (TLS starts with the client's hello), so
/// bytes after the answer's blank line are a protocol error rather than data to pass on.
final class ConnectTunnelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let target: Endpoint
    private let ready: EventLoopPromise<Void>
    private var answer = ByteBuffer()

    init(target: Endpoint, ready: EventLoopPromise<Void>) {
        self.target = target
        self.ready = ready
    }

    func channelActive(context: ChannelHandlerContext) {
        let request = "CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        answer.writeBuffer(&bytes)
        let text = String(buffer: answer)
        guard let end = text.range(of: "\r\n\r\n") else { return }
        let statusLine = text[..<(text.firstIndex(of: "\r") ?? end.lowerBound)]
        if !statusLine.hasPrefix("HTTP/1.1 200") && !statusLine.hasPrefix("HTTP/1.0 200") {
            fail(context: context, BenchError("proxy refused CONNECT \(target): \(statusLine)"))
        } else if end.upperBound != text.endIndex {
            fail(context: context, BenchError("proxy sent bytes after its CONNECT answer for \(target)"))
        } else {
            context.pipeline.syncOperations.removeHandler(self, promise: nil)
            ready.succeed()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        ready.fail(BenchError("proxy closed the connection before answering CONNECT \(target)"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, error)
    }

    private func fail(context: ChannelHandlerContext, _ error: any Error) {
        ready.fail(error)
        context.close(promise: nil)
    }
}
