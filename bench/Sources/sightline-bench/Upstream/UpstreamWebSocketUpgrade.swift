import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The upstream's WebSocket route: `GET /ws?events=N&gap_ms=G` with `Upgrade: websocket` is answered
/// with a 101, then the connection carries one `UpstreamWebSocketHandler` session.
///
/// Taken by `BenchUpstreamHandler` on any request of a connection, not only the first: a proxy may
/// send the upgrade on a keep-alive upstream connection it already used (Sightline takes one from its
/// pool), and NIO's `HTTPServerUpgradeHandler` only considers a connection's first request. So the
/// pipeline is switched here, the way that handler does it: NIO's `NIOWebSocketServerUpgrader`
/// checks the request and makes the `Sec-WebSocket-Accept`, the HTTP handlers leave, the 101 goes out
/// through the HTTP encoder as it leaves, then NIO's frame codec comes in.
enum UpstreamWebSocketUpgrade {
    /// `events` and `gap_ms` of an upgrade request to `/ws`; nil for any other request.
    static func parameters(of head: HTTPRequestHead) -> StreamParameters? {
        guard head.method == .GET, head.headers[canonicalForm: "upgrade"].contains(where: { $0.lowercased() == "websocket" }) else {
            return nil
        }
        let parts = head.uri.split(separator: "?", maxSplits: 1)
        guard parts.count == 2, parts[0] == BenchPayloads.webSocketRoute else { return nil }
        return StreamParameters(query: parts[1])
    }

    private static let upgrader = NIOWebSocketServerUpgrader(
        shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
        upgradePipelineHandler: { channel, _ in channel.eventLoop.makeSucceededVoidFuture() })

    /// Answers `head` with a 101 and turns the connection into a WebSocket session sending `parameters`'
    /// messages; `httpHandler`, the handler that read the request, leaves the pipeline. A request
    /// without a valid key or version closes the connection (only the bench's own clients come here).
    static func upgrade(_ head: HTTPRequestHead, sending parameters: StreamParameters,
                        context: ChannelHandlerContext, httpHandler: BenchUpstreamHandler) {
        let channel = context.channel
        upgrader.buildUpgradeResponse(channel: channel, upgradeRequest: head, initialResponseHeaders: HTTPHeaders())
            .assumeIsolated()
            .whenComplete { result in
                do {
                    let headers = try result.get()
                    let sync = channel.pipeline.syncOperations
                    // Everything HTTP but the encoder goes first, so that nothing parses or answers more.
                    remove(ByteToMessageHandler<HTTPRequestDecoder>.self, from: sync)
                    remove(HTTPServerPipelineHandler.self, from: sync)
                    remove(HTTPServerProtocolErrorHandler.self, from: sync)
                    remove(NIOHTTPResponseHeadersValidator.self, from: sync)
                    let response = HTTPResponseHead(version: .http1_1, status: .switchingProtocols, headers: headers)
                    context.writeAndFlush(httpHandler.wrapOutboundOut(.head(response)), promise: nil)
                    remove(HTTPResponseEncoder.self, from: sync)
                    sync.removeHandler(httpHandler, promise: nil)
                    try sync.addHandlers([
                        WebSocketFrameEncoder(),
                        ByteToMessageHandler(WebSocketFrameDecoder()),
                        WebSocketProtocolErrorHandler(),
                        UpstreamWebSocketHandler(messages: parameters.events, gap: parameters.gap),
                    ])
                } catch {
                    channel.close(promise: nil)
                }
            }
    }

    /// Removes the pipeline's handler of `type`, if it has one. The request decoder, whose read this
    /// is, leaves once that read is over; its leftovers are dropped, and there are none: a client
    /// sends no frame before it has the 101.
    private static func remove<Handler: RemovableChannelHandler>(_ type: Handler.Type,
                                                                from sync: ChannelPipeline.SynchronousOperations) {
        if let handler = try? sync.handler(type: type) { sync.removeHandler(handler, promise: nil) }
    }
}
