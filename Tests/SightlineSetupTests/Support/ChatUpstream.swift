import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SightlineCA

/// A real HTTPS server with its own throwaway CA, standing in for the OpenAI API: `POST
/// /v1/chat/completions` answers one fixed chat completion, anything else 404. The proxy reaches it
/// through `--map-remote https://api.openai.com=https://localhost:PORT` and trusts it via `--upstream-ca`.
final class ChatUpstream: Sendable {
    static let chatJSON = #"{"id":"chatcmpl-setup","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"I am a little teapot."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":6,"total_tokens":18}}"#

    let caFile: URL
    let channel: any Channel

    var port: Int { channel.localAddress!.port! }

    /// The `--map-remote` and `--upstream-ca` flags that route api.openai.com here.
    var proxyFlags: [String] {
        ["--map-remote", "https://api.openai.com=https://localhost:\(port)", "--upstream-ca", caFile.path]
    }

    init(directory: URL) async throws {
        let authority = try CertificateAuthority.create(commonName: "Setup Test Upstream CA")
        caFile = directory.appendingPathComponent("upstream-ca.pem")
        try authority.certificatePEM.write(to: caFile, atomically: true, encoding: .utf8)
        let leaf = try LeafCertificateIssuer(authority: authority).issue(forNames: ["localhost", "127.0.0.1"])
        let chain: [NIOSSLCertificateSource] = [.certificate(try NIOSSLCertificate(bytes: leaf.certificateDER, format: .der))]
        let key = try NIOSSLPrivateKey(bytes: leaf.privateKeyDER, format: .der)
        let tls = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ChatHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async {
        try? await channel.close()
    }
}

private final class ChatHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var head: HTTPRequestHead?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            let found = head.method == .POST && head.uri.hasPrefix("/v1/chat/completions")
            let body = found ? ChatUpstream.chatJSON : "not found"
            let headers = HTTPHeaders([("Content-Type", found ? "application/json" : "text/plain"), ("Content-Length", "\(body.utf8.count)")])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: found ? .ok : .notFound, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
