import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// An HTTP/1.1-over-TLS listener on a free loopback port, with one fresh `handler()` per connection
/// (a handler keeps per-connection state, such as the request being read).
public enum HTTPSTestServer {
    /// `onAccept` sees each connection before TLS, so a test can count and watch them (pooling, closes).
    public static func bind(identity: TestServerIdentity, onAccept: @escaping @Sendable (any Channel) -> Void = { _ in },
                            handler: @escaping @Sendable () -> any ChannelHandler) async throws -> any Channel {
        let tls = identity.context
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                onAccept(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(handler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }
}
