import Foundation
import SightlineCore
import SightlineTestSupport
import Testing
@testable import SightlineProxy

/// Origin-form (base-URL) requests on the proxy port: target by header, by path prefix, by default.
@Suite(.serialized) struct GatewayRoutingTests {
    @Test func targetURLHeaderRoutesAndProtocolHeadersAreRecordedNotForwarded() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let result = try run("curl", ["--max-time", "10", "-sS", "-D", "-",
                                      "-H", "Sightline-Target-Url: https://localhost:\(h.upstream.port)",
                                      "-H", "Helicone-Property-Env: staging", "-H", "Sightline-User-Id: user-42",
                                      "-H", "Sightline-Session-Id: s-1", "-H", "Sightline-Session-Path: /plan/search",
                                      "-H", "X-Kept: yes",
                                      h.proxyURL + "/echo-headers"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = result.stdoutText
        let capture = try #require(await h.sink.waitFor(count: 1).first)
        #expect(text.lowercased().contains("sightline-id: \(capture.id)"))
        let body = String(text[text.range(of: "\r\n\r\n")!.upperBound...])
        let pairs = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String]] ?? []
        let names = pairs.map { $0[0].lowercased() }
        #expect(names.contains("x-kept"))
        #expect(!names.contains { $0.hasPrefix("sightline-") || $0.hasPrefix("helicone-") })
        #expect(pairs.first { $0[0].lowercased() == "host" }?[1] == "localhost:\(h.upstream.port)")

        #expect(capture.mode == .gateway)
        #expect(capture.request.url == "https://localhost:\(h.upstream.port)/echo-headers")
        #expect(capture.annotations.properties == ["Env": "staging"])
        #expect(capture.annotations.userID == "user-42")
        #expect(capture.annotations.sessionID == "s-1")
        #expect(capture.annotations.sessionPath == "/plan/search")
        // What the client sent is what is recorded, protocol headers included.
        #expect(capture.request.headers.contains(HeaderField("Sightline-User-Id", "user-42")))
    }

    @Test func pathPrefixRoutesToTheProviderAndStripsThePrefix() async throws {
        let h = try await ProxyHarness.start { configuration in
            configuration.mapRemote = [MapRemoteRule(parsing: "https://api.openai.com=https://localhost:1")!]
        }
        defer { Task { await h.stop() } }
        // Map the provider to the test upstream, and check /openai/v1/... reaches it as /v1/...
        var configuration = ProxyConfiguration()
        configuration.listenPort = 0
        configuration.upstreamCAFiles = [h.upstream.caFile.path]
        configuration.mapRemote = [MapRemoteRule(parsing: "https://api.openai.com=https://localhost:\(h.upstream.port)")!]
        let proxy = try await ProxyServer.start(configuration: configuration, authority: h.authority, sink: h.sink, logger: .init(label: "t"))
        defer { Task { await proxy.close() } }
        let result = try run("curl", ["--max-time", "10", "-sS", "-d", "{}", "http://127.0.0.1:\(proxy.port)/openai/v1/chat/completions"])
        #expect(result.stdoutText == TestUpstream.chatJSON, "\(result.stderr)")
        #expect(h.upstream.requests.last?.uri == "/v1/chat/completions")
        let capture = try #require(await h.sink.waitFor(count: 1).first)
        #expect(capture.request.url == "https://api.openai.com/v1/chat/completions")
        #expect(capture.upstreamURL == "https://localhost:\(h.upstream.port)/v1/chat/completions")
    }

    @Test func badTargetHeaderIsAClear400() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let result = try run("curl", ["--max-time", "10", "-sS", "-i", "-H", "Sightline-Target-Url: ftp://nope", h.proxyURL + "/v1/models"])
        let text = result.stdoutText
        #expect(text.hasPrefix("HTTP/1.1 400"))
        #expect(text.contains("Sightline-Target-Url"))
    }

    @Test func routerUnitCases() throws {
        let gateway = Origin(scheme: "https", host: "api.openai.com", port: 443)
        func route(_ uri: String, _ headers: [(String, String)] = []) throws -> RoutedRequest {
            try RequestRouter.route(.init(version: .http1_1, method: .POST, uri: uri, headers: .init(headers)),
                                    interceptedOrigin: nil, gatewayTarget: gateway)
        }
        #expect(try route("/v1/chat/completions").url == "https://api.openai.com/v1/chat/completions")
        #expect(try route("/anthropic/v1/messages").url == "https://api.anthropic.com/v1/messages")
        let gemini = try route("/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=k")
        #expect(gemini.origin.host == "generativelanguage.googleapis.com")
        #expect(gemini.upstreamTarget == "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=k")
        let azure = try route("/chat/completions?api-version=1", [("Helicone-Target-Url", "https://x.openai.azure.com/openai/deployments/d")])
        #expect(azure.upstreamTarget == "/openai/deployments/d/chat/completions?api-version=1")
        #expect(try route("http://example.com:8080/a?b").upstreamTarget == "/a?b")
        #expect(try route("http://example.com").upstreamTarget == "/")
        #expect(throws: ProxyError.self) { try route("*") }
    }
}

extension GatewayRoutingTests {
    @Test func aClientThatAsksToCloseIsRecordedAsComplete() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let result = try run("curl", ["--max-time", "10", "-sS", "-H", "Connection: close",
                                      "-H", "Sightline-Target-Url: https://localhost:\(h.upstream.port)", "-d", "{}",
                                      h.proxyURL + "/v1/chat/completions"])
        #expect(result.stdoutText == TestUpstream.chatJSON, "\(result.stderr)")
        let capture = try #require(await h.sink.waitFor(count: 1).first)
        #expect(capture.error == nil)
        #expect(capture.response?.status == 200)
    }
}
