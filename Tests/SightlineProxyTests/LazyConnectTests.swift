import Foundation
import SightlineCore
import SightlineProxy
import SightlineTestSupport
import Testing

/// `--connect lazy`: an intercepted CONNECT is answered at once; the upstream connection made meanwhile is the one
/// the first request uses, and an unreachable host is that request's 502, recorded with its kind.
@Suite(.serialized) struct LazyConnectTests {
    static func start() async throws -> ProxyHarness {
        try await ProxyHarness.start { $0.connectStrategy = .lazy }
    }

    @Test func theFirstRequestUsesTheConnectionMadeWhileTheClientsTLSRan() async throws {
        let h = try await Self.start()
        defer { Task { await h.stop() } }
        let url = "https://localhost:\(h.upstream.port)/v1/chat/completions"
        let result = try run("curl", ["--max-time", "15", "-sS", "-x", h.proxyURL, "--cacert", h.caFile.path, "-d", "{}", url, "-d", "{}", url])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText == TestUpstream.chatJSON + TestUpstream.chatJSON)
        let captures = await h.sink.waitFor(count: 2)
        #expect(captures.map(\.response?.status) == [200, 200])
        #expect(h.upstream.acceptedConnections == 1, "one upstream connection, prepared at the CONNECT and reused: \(h.upstream.acceptedConnections)")
    }

    @Test func anUnreachableHostIsTheFirstRequests502() async throws {
        let h = try await Self.start()
        defer { Task { await h.stop() } }
        let port = try closedPort()
        // Intercepted, so the CONNECT is answered before anything is known about the host.
        let url = "https://localhost:\(port)/v1/models"
        let result = try run("curl", ["--max-time", "15", "-sS", "-D", "-", "-x", h.proxyURL, "--cacert", h.caFile.path, url])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText.hasPrefix("HTTP/1.1 200 Connection established"), "the CONNECT is answered at once")
        #expect(result.stdoutText.contains("HTTP/1.1 502") && result.stdoutText.lowercased().contains("sightline-error: upstream_refused"),
                "\(result.stdoutText)")
        let captures = await h.sink.waitFor(count: 1)
        #expect(captures.first?.errorKind == .upstreamRefused && captures.first?.request.url == url)
    }
}
