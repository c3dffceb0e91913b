import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The TLS origin the bench talks to, directly or through a proxy: one listener on `127.0.0.1`
/// (OS-chosen port) and one on each extra loopback address of `BenchHosts.firstConnection`. Each
/// answers the HTTP routes of `BenchUpstreamHandler` and WebSocket sessions on `/ws`.
final class BenchUpstream: Sendable {
    private let listeners: [String: any Channel]

    private init(listeners: [String: any Channel]) { self.listeners = listeners }

    /// Loads the certificate files written by `UpstreamCertificates` and starts listening.
    static func start(certificateDirectory: URL, group: any EventLoopGroup) async throws -> BenchUpstream {
        let chain = try NIOSSLCertificate.fromPEMFile(
            certificateDirectory.appendingPathComponent(UpstreamCertificates.serverCertificateFileName).path)
        let key = try NIOSSLPrivateKey(
            file: certificateDirectory.appendingPathComponent(UpstreamCertificates.serverKeyFileName).path, format: .pem)
        let tls = try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key)))

        var listeners: [String: any Channel] = [:]
        do {
            for host in [BenchHosts.main] + BenchHosts.firstConnection {
                listeners[host] = try await bind(host: host, tls: tls, group: group)
            }
        } catch {
            for channel in listeners.values { try? await channel.close() }
            throw BenchError("upstream could not listen: \(error)")
        }
        return BenchUpstream(listeners: listeners)
    }

    func endpoint(host: String) -> Endpoint {
        Endpoint(host: host, port: listeners[host]?.localAddress?.port ?? 0)
    }

    var mainEndpoint: Endpoint { endpoint(host: BenchHosts.main) }

    func close() async {
        for channel in listeners.values { try? await channel.close() }
    }

    private static func bind(host: String, tls: NIOSSLContext, group: any EventLoopGroup) async throws -> any Channel {
        try await ServerBootstrap(group: group)
            // The memory scenarios open 1,000 connections through the proxy in bursts.
            .serverChannelOption(.backlog, value: 2048)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            // Small responses: Nagle would hold each one back for a delayed ACK.
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(NIOSSLServerHandler(context: tls))
                    try sync.configureHTTPServerPipeline()
                    try sync.addHandler(BenchUpstreamHandler())
                }
            }
            .bind(host: host, port: 0)
            .get()
    }
}
