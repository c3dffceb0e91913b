import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// A TLS WebSocket server (RFC 6455, NIO's upgrader) that behaves like a realtime API: it speaks first
/// (`{"type":"session.created"}` in the same write as nothing else can, right after the 101), echoes text
/// and binary messages, answers pings, and on the text `close` closes with code 4001 and reason `bye`.
/// A handshake to `/refuse` is answered `400` with the body `refused`. It keeps each handshake's headers.
public final class WebSocketTestUpstream: Sendable {
    public let port: Int
    public let caFile: URL
    private let channel: any Channel
    private let handshakes = NIOLockedValueBox<[HTTPRequestHead]>([])

    public init(directory: URL) async throws {
        let identity = try TestServerIdentity(commonName: "Sightline WebSocket Test CA", hosts: ["localhost", "127.0.0.1"],
                                              caFile: directory.appendingPathComponent("websocket-ca.pem"))
        let tls = identity.context
        let handshakes = self.handshakes
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: 1 << 24,
                    shouldUpgrade: { channel, head in
                        handshakes.withLockedValue { $0.append(head) }
                        return channel.eventLoop.makeSucceededFuture(head.uri.hasPrefix("/refuse") ? nil : HTTPHeaders())
                    },
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            // Fragmented messages arrive whole, as an app's server library would hand them over.
                            try channel.pipeline.syncOperations.addHandler(NIOWebSocketFrameAggregator(
                                minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 64, maxAccumulatedFrameSize: 1 << 24))
                            try channel.pipeline.syncOperations.addHandler(EchoHandler())
                        }
                    })
                return channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(NIOSSLServerHandler(context: tls))
                    let refusal = RefusalHandler()
                    try sync.configureHTTPServerPipeline(withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                        context.pipeline.syncOperations.removeHandler(refusal, promise: nil)
                    }))
                    try sync.addHandler(refusal)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
        caFile = identity.caFile
    }

    /// The heads of the handshakes received, oldest first.
    public var handshakeHeads: [HTTPRequestHead] { handshakes.withLockedValue { $0 } }

    public func close() async {
        try? await channel.close()
    }
}

/// Answers a handshake the upgrader declined.
private final class RefusalHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        let body = context.channel.allocator.buffer(string: "refused")
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        headers.add(name: "Content-Type", value: "text/plain")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// The realtime-like behaviour, message by message.
private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    func handlerAdded(context: ChannelHandlerContext) {
        send(.text, context.channel.allocator.buffer(string: #"{"type":"session.created"}"#), context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        var payload = frame.unmaskedData
        switch frame.opcode {
        case .text where String(buffer: payload) == "close":
            var reason = context.channel.allocator.buffer(capacity: 5)
            reason.write(webSocketErrorCode: .unknown(4001))
            reason.writeString("bye")
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reason)))
                .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        case .text, .binary:
            send(frame.opcode, payload, context: context)
        case .ping:
            send(.pong, payload, context: context)
        case .connectionClose:
            // Echo the client's close (code and reason) and end, as RFC 6455 §5.5.1 asks.
            let code = payload.readWebSocketErrorCode() ?? .normalClosure
            var reply = context.channel.allocator.buffer(capacity: 2)
            reply.write(webSocketErrorCode: code)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)))
                .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }

    private func send(_ opcode: WebSocketOpcode, _ payload: ByteBuffer, context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: opcode, data: payload)), promise: nil)
    }
}
