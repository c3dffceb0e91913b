import Foundation
import NIOCore
import NIOPosix
import SightlineCore
import SightlineTestSupport
import Testing
@testable import SightlineProxy

/// End to end through the real listener: curl as the client, a real TLS upstream with its own CA.
@Suite(.serialized) struct InterceptTests {
    @Test func chatCompletionThroughInterceptedTLSIsByteForByte() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let url = "https://localhost:\(h.upstream.port)/v1/chat/completions"
        let result = try run("curl", ["--max-time", "20", "-sS", "-x", h.proxyURL, "--cacert", h.caFile.path, "-H", "Authorization: Bearer sk-test-secret-1234",
                                      "-H", "Content-Type: application/json", "-d", #"{"model":"gpt-4o-mini","messages":[]}"#, url])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText == TestUpstream.chatJSON)

        let captures = await h.sink.waitFor(count: 1)
        let capture = try #require(captures.first)
        #expect(capture.mode == .proxy)
        #expect(capture.request.url == url)
        #expect(capture.request.method == "POST")
        #expect(String(decoding: capture.request.body.bytes, as: UTF8.self) == #"{"model":"gpt-4o-mini","messages":[]}"#)
        #expect(capture.response?.status == 200)
        #expect(String(decoding: capture.response?.body.bytes ?? [], as: UTF8.self) == TestUpstream.chatJSON)
        #expect(capture.timings.firstByteMs != nil && capture.timings.lastByteMs != nil)
        #expect(capture.error == nil)
        #expect(h.proxy.leafMintCount == 1)
    }

    @Test func sseEventsArriveSpacedOutNotInOneBurst() async throws {
        let h = try await ProxyHarness.start(sseGap: .milliseconds(80))
        defer { Task { await h.stop() } }
        let url = "https://localhost:\(h.upstream.port)/v1/chat/completions"
        let result = try run("curl", ["--max-time", "20", "-sSN", "-x", h.proxyURL, "--cacert", h.caFile.path, "-d", #"{"stream": true}"#, url])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText == TestUpstream.sseBody().joined())
        // Six events 80 ms apart: a buffering proxy would deliver them in one or two reads at the end.
        #expect(result.reads.count >= 5)
        let span = (result.reads.last?.0 ?? 0) - (result.reads.first?.0 ?? 0)
        #expect(span >= 0.3)

        let capture = try #require(await h.sink.waitFor(count: 1).first)
        #expect(capture.responseChunks.count >= 5)
        let times = capture.responseChunks.map(\.tMs)
        #expect((times.last ?? 0) - (times.first ?? 0) >= 300)
    }

    @Test func upstreamSeesClientHeadersInClientOrderAndCase() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let url = "https://localhost:\(h.upstream.port)/echo-headers"
        let result = try run("curl", ["--max-time", "20", "-sS", "-x", h.proxyURL, "--cacert", h.caFile.path,
                                      "-H", "X-Zeta: 1", "-H", "x-alpha: two", "-H", "X-MiXeD-Case: Three  spaces", "-H", "Proxy-Connection: keep-alive",
                                      url])
        #expect(result.status == 0, "\(result.stderr)")
        let pairs = try JSONSerialization.jsonObject(with: result.stdout) as? [[String]] ?? []
        let names = pairs.map { $0[0] }
        let custom = names.filter { $0.lowercased().hasPrefix("x-") }
        #expect(custom == ["X-Zeta", "x-alpha", "X-MiXeD-Case"])
        #expect(pairs.first { $0[0] == "X-MiXeD-Case" }?[1] == "Three  spaces")
        #expect(!names.contains { $0.lowercased() == "proxy-connection" })
        #expect(h.upstream.requests.last?.headers.first(name: "host") == "localhost:\(h.upstream.port)")
    }

    @Test func keepAliveReusesOneUpstreamConnection() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let url = "https://localhost:\(h.upstream.port)/echo-headers"
        let result = try run("curl", ["--max-time", "20", "-sS", "-x", h.proxyURL, "--cacert", h.caFile.path, url, url, url])
        #expect(result.status == 0, "\(result.stderr)")
        let captures = await h.sink.waitFor(count: 3)
        #expect(captures.count == 3)
        // The first exchange connected; the later ones rode the same upstream connection.
        #expect(captures.dropFirst().allSatisfy { $0.timings.upstreamConnectedMs == 0 })
    }

    @Test func passthroughHostIsTunnelledWithTheUpstreamsOwnCertificate() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        // 127.0.0.1 is not on the intercept list: the client must see the upstream's certificate.
        let url = "https://127.0.0.1:\(h.upstream.port)/v1/chat/completions"
        let result = try run("curl", ["--max-time", "20", "-sS", "-x", h.proxyURL, "--cacert", h.upstream.caFile.path, "-d", "{}", url])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText == TestUpstream.chatJSON)
        let capture = try #require(await h.sink.waitFor(count: 1).first)
        #expect(capture.mode == .tunnel)
        #expect(capture.request.url == "https://127.0.0.1:\(h.upstream.port)")
        #expect(capture.request.body.totalBytes > 100)
        #expect(capture.response?.body.totalBytes ?? 0 > TestUpstream.chatJSON.utf8.count)
        #expect(h.proxy.leafMintCount == 0)
    }

    @Test func mapRemoteSendsToAnotherOriginAndVerifiesItsCertificate() async throws {
        let h = try await ProxyHarness.start { configuration in
            configuration.interceptPolicy = InterceptPolicy(intercept: KnownLLMHosts.patterns)
        }
        defer { Task { await h.stop() } }
        // The proxy config is fixed at start, so map-remote needs the upstream's port first: start another proxy.
        var configuration = ProxyConfiguration()
        configuration.listenPort = 0
        configuration.upstreamCAFiles = [h.upstream.caFile.path]
        configuration.mapRemote = [MapRemoteRule(parsing: "https://api.openai.com=https://localhost:\(h.upstream.port)")!]
        configuration.setHeaders = [SetHeaderRule(parsing: "api.openai.com:X-Injected=yes")!]
        let proxy = try await ProxyServer.start(configuration: configuration, authority: h.authority, sink: h.sink, logger: .init(label: "t"))
        defer { Task { await proxy.close() } }
        let result = try run("curl", ["--max-time", "20", "-sS", "-x", "http://127.0.0.1:\(proxy.port)", "--cacert", h.caFile.path,
                                      "https://api.openai.com/echo-headers"])
        #expect(result.status == 0, "\(result.stderr)")
        let pairs = try JSONSerialization.jsonObject(with: result.stdout) as? [[String]] ?? []
        #expect(pairs.contains(["X-Injected", "yes"]))
        #expect(pairs.first { $0[0].lowercased() == "host" }?[1] == "localhost:\(h.upstream.port)")
        let capture = try #require(await h.sink.waitFor(count: 1).first)
        #expect(capture.request.url == "https://api.openai.com/echo-headers")
        #expect(capture.upstreamURL == "https://localhost:\(h.upstream.port)/echo-headers")
    }
}

extension InterceptTests {
    @Test func expectContinueIsAnsweredAtOnce() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let body = String(repeating: "x", count: 2_000_000)
        let file = h.directory.appendingPathComponent("body.txt")
        try body.write(to: file, atomically: true, encoding: .utf8)
        let url = "https://localhost:\(h.upstream.port)/v1/chat/completions"
        let started = Date()
        // curl sends `Expect: 100-continue` for large bodies and waits up to 1 s for the 100 when it does not come.
        let result = try run("curl", ["--max-time", "20", "-sS", "-x", h.proxyURL, "--cacert", h.caFile.path, "--expect100-timeout", "5",
                                      "-H", "Expect: 100-continue", "--data-binary", "@" + file.path, url])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText == TestUpstream.chatJSON)
        #expect(Date().timeIntervalSince(started) < 4)
        let capture = try #require(await h.sink.waitFor(count: 1).first)
        #expect(capture.request.body.totalBytes == 2_000_000)
        #expect(h.upstream.requests.last?.headers.contains(name: "expect") == false)
    }
}
