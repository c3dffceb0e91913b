import NIOCore
import NIOHTTP1

/// Last in a WebSocket client's pipeline until the upgrade: sends `GET path` when added (TLS is up
/// by then), which NIO's `NIOHTTPClientUpgradeHandler` turns into the upgrade request. It is removed
/// when the 101 is accepted, so whatever reaches it means the upgrade did not happen: another status,
/// a refused 101, or the connection closing.
final class WebSocketUpgradeRequester: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let host: String
    private let path: String
    private let upgraded: EventLoopPromise<Void>

    init(host: String, path: String, upgraded: EventLoopPromise<Void>) {
        self.host = host
        self.path = path
        self.upgraded = upgraded
    }

    func handlerAdded(context: ChannelHandlerContext) {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: host)
        head.headers.add(name: "Content-Length", value: "0")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            fail(context: context, BenchError("WebSocket upgrade of \(path) answered \(head.status.code) \(head.status.reasonPhrase)"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        upgraded.fail(BenchError("connection closed before the WebSocket upgrade of \(path)"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, BenchError("WebSocket upgrade of \(path) failed: \(error)"))
    }

    private func fail(context: ChannelHandlerContext, _ error: any Error) {
        upgraded.fail(error)
        context.close(promise: nil)
    }
}
