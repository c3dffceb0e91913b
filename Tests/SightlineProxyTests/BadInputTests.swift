import Foundation
import NIOCore
import SightlineCore
import SightlineTestSupport
import Testing
@testable import SightlineProxy

/// What a user sees when clients, upstreams or the network misbehave: the status and bytes the client
/// gets, the error recorded in the flow, and that the same listener keeps serving afterwards.
/// Clients are curl or a raw POSIX socket (for bytes curl will not send); every wait is bounded.
@Suite(.serialized) struct BadInputTests {

    // MARK: Helpers

    /// A normal intercepted chat completion through the same listener: the proxy is still healthy.
    private func expectServesNormally(_ h: ProxyHarness, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = "https://localhost:\(h.upstream.port)/v1/chat/completions"
        let result = try run("curl", ["--max-time", "15", "-sS", "-x", h.proxyURL, "--cacert", h.caFile.path, "-d", "{}", url])
        #expect(result.status == 0, "proxy no longer serves: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdoutText == TestUpstream.chatJSON, sourceLocation: sourceLocation)
    }

    /// Splits curl's `-D -` output (head, then body) into a parsed response, skipping the proxy's
    /// `200 Connection established` that curl prints first for an https URL.
    private func response(_ result: CommandResult) -> RawResponse? {
        var text = result.stdoutText
        while text.hasPrefix("HTTP/1.1 200 Connection established"), let end = text.range(of: "\r\n\r\n") {
            text = String(text[end.upperBound...])
        }
        return RawResponse(text)
    }

    /// Sends `request` on a raw socket and reads until the proxy closes (or `timeout`).
    private func rawExchange(_ h: ProxyHarness, _ request: [UInt8], timeout: TimeInterval = 5) throws -> (text: String, end: RawSocket.End) {
        let socket = try RawSocket(port: h.proxy.port, timeout: timeout)
        defer { socket.close() }
        try socket.send(request)
        let (data, end) = socket.read()
        return (String(decoding: data, as: UTF8.self), end)
    }

    private func captureWithError(_ h: ProxyHarness, timeout: Duration = .seconds(5)) async -> FlowCapture? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let capture = h.sink.captures.first(where: { $0.error != nil }) { return capture }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    // MARK: 1. Garbage on the listener

    static let garbageRequests: [(String, [UInt8])] = [
        ("text line", Array("HELLO THERE, PROXY\r\n\r\n".utf8)),
        ("no HTTP version", Array("GET\r\n\r\n".utf8)),
        // A client configured with https:// for the proxy itself sends a ClientHello first.
        ("TLS ClientHello", [0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03] + Array(repeating: 0x42, count: 64)),
        ("NUL bytes", [UInt8](repeating: 0, count: 32) + Array("\r\n\r\n".utf8)),
    ]

    @Test(arguments: garbageRequests.map(\.0))
    func garbageRequestLineGets400WithAPlainTextReasonAndTheConnectionIsClosed(_ name: String) async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let bytes = try #require(Self.garbageRequests.first { $0.0 == name }?.1)
        let (text, end) = try rawExchange(h, bytes)
        let parsed = try #require(RawResponse(text), "no HTTP response to garbage (\(end)): \(text.debugDescription)")
        #expect(parsed.status == 400, "\(parsed.statusLine)")
        #expect(parsed.header("content-type")?.hasPrefix("text/plain") == true)
        #expect(parsed.header("sightline-error") == "bad_request")
        #expect(parsed.body.lowercased().contains("malformed"), "\(parsed.body)")
        #expect(Int(parsed.header("content-length") ?? "") == parsed.body.utf8.count)
        #expect(end == .closed, "the connection should be closed after a 400 to garbage, got \(end)")
        #expect(h.upstream.requests.isEmpty)
        try expectServesNormally(h)
    }

    /// Parses as HTTP (asterisk-form), but is neither a proxy nor a gateway request.
    @Test func requestTargetThatIsNeitherAbsoluteNorAPathGets400() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let (text, _) = try rawExchange(h, Array("OPTIONS * HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n".utf8))
        let parsed = try #require(RawResponse(text), "\(text.debugDescription)")
        #expect(parsed.status == 400)
        #expect(parsed.body.contains("unsupported request target"), "\(parsed.body)")
        let capture = try #require(await captureWithError(h))
        #expect(capture.error?.contains("unsupported request target") == true)
        try expectServesNormally(h)
    }

    @Test func connectToSomethingThatIsNotHostPortGets400() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let (text, end) = try rawExchange(h, Array("CONNECT localhost:notaport HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
        let parsed = try #require(RawResponse(text), "\(text.debugDescription)")
        #expect(parsed.status == 400)
        #expect(parsed.body.contains("is not host:port"), "\(parsed.body)")
        #expect(end == .closed)
        try expectServesNormally(h)
    }

    // MARK: 2. Oversized headers

    @Test func twoHundredKilobytesOfHeadersAreRefusedNotForwarded() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        var request = "GET https://localhost:\(h.upstream.port)/echo-headers HTTP/1.1\r\nHost: localhost\r\n"
        let filler = String(repeating: "a", count: 1000)
        for i in 0..<200 { request += "X-Filler-\(i): \(filler)\r\n" }
        request += "\r\n"
        let socket = try RawSocket(port: h.proxy.port, timeout: 5)
        defer { socket.close() }
        // The proxy may answer and close before all of it is sent: a failed send is fine.
        try? socket.send(request)
        let (data, end) = socket.read()
        let text = String(decoding: data, as: UTF8.self)
        if let parsed = RawResponse(text) {
            #expect(parsed.status == 400 || parsed.status == 431, "\(parsed.statusLine)")
            #expect(parsed.header("sightline-error") == "bad_request")
        } else {
            // No response at all is acceptable only if the connection was really closed.
            #expect(end == .closed || end == .reset, "neither a 4xx nor a close: \(end), \(text.debugDescription)")
        }
        #expect(end != .timedOut, "the proxy neither answered nor closed")
        #expect(h.upstream.requests.isEmpty, "oversized request reached the upstream")
        try expectServesNormally(h)
    }

    @Test func oversizedHeaderInsideAnInterceptedTunnelGets4xx() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let url = "https://localhost:\(h.upstream.port)/echo-headers"
        let big = String(repeating: "b", count: 100 * 1024)
        let result = try run("curl", ["--max-time", "15", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-x", h.proxyURL,
                                      "--cacert", h.caFile.path, "-H", "X-Big: \(big)", url])
        let code = Int(result.stdoutText) ?? -1
        // curl reports 000 when the connection closed with no response, which is also acceptable.
        #expect([400, 431, 0].contains(code), "got \(code): \(result.stderr)")
        #expect(h.upstream.requests.isEmpty, "oversized request reached the upstream")
        try expectServesNormally(h)
    }

    // MARK: 3. CONNECT to a closed port

    @Test func connectToAClosedPortOfAPassthroughHostIs502NamingTheRefusal() async throws {
        try await connectToAClosedPort(host: "127.0.0.1")
    }

    @Test
    func connectToAClosedPortOfAnInterceptedHostIs502NamingTheRefusal() async throws {
        try await connectToAClosedPort(host: "localhost")
    }

    private func connectToAClosedPort(host: String) async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let port = try closedPort()
        let (text, end) = try rawExchange(h, Array("CONNECT \(host):\(port) HTTP/1.1\r\nHost: \(host):\(port)\r\n\r\n".utf8))
        let parsed = try #require(RawResponse(text), "\(text.debugDescription)")
        #expect(parsed.status == 502, "\(parsed.statusLine)")
        #expect(parsed.header("sightline-error") == "upstream_refused")
        #expect(parsed.header("content-type")?.hasPrefix("text/plain") == true)
        #expect(parsed.body.contains("connection refused"), "\(parsed.body)")
        #expect(parsed.body.contains("\(port)"), "the reason should name the target: \(parsed.body)")
        #expect(end == .closed)

        let capture = try #require(await captureWithError(h))
        #expect(capture.request.method == "CONNECT")
        #expect(capture.request.url == "https://\(host):\(port)")
        #expect(capture.mode == (host == "localhost" ? .proxy : .tunnel))
        #expect(capture.error?.contains("connection refused") == true, "\(capture.error ?? "nil")")
        try expectServesNormally(h)
    }

    @Test func curlSeesTheConnectFailure() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let port = try closedPort()
        let result = try run("curl", ["--max-time", "10", "-sS", "-x", h.proxyURL, "https://127.0.0.1:\(port)/"])
        #expect(result.status == 56, "\(result.status): \(result.stderr)")
        #expect(result.stderr.contains("502"), "\(result.stderr)")
        try expectServesNormally(h)
    }

    // MARK: 4. Plain HTTP to a closed port

    @Test func absoluteFormToAClosedPortIs502WithATextReason() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let port = try closedPort()
        let url = "http://127.0.0.1:\(port)/v1/models"
        let result = try run("curl", ["--max-time", "10", "-sS", "-D", "-", "-x", h.proxyURL, url])
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = try #require(response(result))
        #expect(parsed.status == 502)
        #expect(parsed.header("sightline-error") == "upstream_refused")
        #expect(parsed.header("content-type")?.hasPrefix("text/plain") == true)
        #expect(parsed.body.contains("connection refused"), "\(parsed.body)")

        let capture = try #require(await captureWithError(h))
        #expect(capture.request.url == url)
        #expect(capture.mode == .proxy)
        #expect(capture.error?.contains("connection refused") == true, "\(capture.error ?? "nil")")
        try expectServesNormally(h)
    }

    @Test func gatewayToAClosedPortIs502() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let port = try closedPort()
        let result = try run("curl", ["--max-time", "10", "-sS", "-D", "-", "-H", "Sightline-Target-Url: http://127.0.0.1:\(port)",
                                      h.proxyURL + "/v1/models"])
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = try #require(response(result))
        #expect(parsed.status == 502)
        #expect(parsed.body.contains("connection refused"), "\(parsed.body)")
        let capture = try #require(await captureWithError(h))
        #expect(capture.mode == .gateway)
        #expect(capture.error?.contains("connection refused") == true)
        try expectServesNormally(h)
    }

    /// `.invalid` never resolves (RFC 6761); the lookup fails at once, before any socket exists.
    @Test
    func absoluteFormToAnUnresolvableHostIs502() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let result = try run("curl", ["--max-time", "10", "-sS", "-D", "-", "-x", h.proxyURL, "http://nonexistent.invalid/v1/models"])
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = try #require(response(result))
        #expect(parsed.status == 502)
        #expect(parsed.header("sightline-error") == "upstream_dns")
        #expect(parsed.body.contains("cannot resolve"), "\(parsed.body)")
        let capture = try #require(await captureWithError(h))
        #expect(capture.error?.contains("nonexistent.invalid") == true)
        try expectServesNormally(h)
    }

    // MARK: 5. Upstream breaks the response

    /// The upstream sends a 200 head and one SSE event, then closes without the final chunk.
    @Test(arguments: ["/reset-mid-stream", "/reset-immediately"])
    func upstreamResetMidStreamGivesTheClientThePartialBytesThenAClose(_ path: String) async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let url = "https://localhost:\(h.upstream.port)\(path)"
        let result = try run("curl", ["--max-time", "10", "-sSN", "-x", h.proxyURL, "--cacert", h.caFile.path, url])
        #expect([18, 56].contains(result.status), "curl should see an incomplete transfer, exit \(result.status): \(result.stderr)")
        #expect(result.stdoutText == TestUpstream.partialEvent, "client did not get the bytes sent so far")

        let capture = try #require(await captureWithError(h))
        #expect(capture.response?.status == 200)
        #expect(String(decoding: capture.response?.body.bytes ?? [], as: UTF8.self) == TestUpstream.partialEvent)
        let error = capture.error ?? ""
        #expect(error.contains("closed") && error.contains("middle of the response"),
                "the flow should say the upstream closed mid-response, says: \(error)")
        #expect(!error.contains("invalid HTTP response"), "a premature close is not a protocol error: \(error)")
        try expectServesNormally(h)
    }

    @Test func upstreamInvalidChunkFramingIsRecordedAsAProtocolError() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let url = "https://localhost:\(h.upstream.port)/bad-chunked"
        let started = Date()
        let result = try run("curl", ["--max-time", "10", "-sSN", "-x", h.proxyURL, "--cacert", h.caFile.path, url])
        let elapsed = Date().timeIntervalSince(started)
        #expect([18, 56].contains(result.status), "exit \(result.status): \(result.stderr)")
        #expect(elapsed < 2, "the client waited \(String(format: "%.1f", elapsed)) s for the proxy to give up on a broken upstream")
        #expect(result.stdoutText == TestUpstream.partialEvent)
        let capture = try #require(await captureWithError(h))
        #expect(capture.response?.status == 200)
        #expect(capture.error?.contains("invalid HTTP response") == true, "\(capture.error ?? "nil")")
        #expect(await h.upstream.waitForOpenConnections(atMost: 0, timeout: .seconds(7)) == 0)
        try expectServesNormally(h)
    }

    @Test func upstreamClosingBeforeAnyResponseIs502() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let url = "https://localhost:\(h.upstream.port)/close-without-response"
        let result = try run("curl", ["--max-time", "10", "-sS", "-D", "-", "-x", h.proxyURL, "--cacert", h.caFile.path, url])
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = try #require(response(result), "\(result.stdoutText)")
        #expect(parsed.status == 502)
        #expect(parsed.header("sightline-error") == "upstream_reset")
        #expect(parsed.body.contains("closed the connection before sending a response"), "\(parsed.body)")
        let capture = try #require(await captureWithError(h))
        #expect(capture.error?.contains("before sending a response") == true, "\(capture.error ?? "nil")")
        try expectServesNormally(h)
    }

    // MARK: 6. Client goes away mid-stream

    /// Starts a streaming request, reads the first event, and leaves: curl `--max-time 1` for the
    /// intercepted (TLS) case, a raw socket closed after the first event for the gateway (plain HTTP) case.
    private func startStreamAndLeave(_ h: ProxyHarness, path: String, mode: String, firstEvent: String) throws {
        if mode == "gateway" {
            let socket = try RawSocket(port: h.proxy.port, timeout: 5)
            try socket.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nSightline-Target-Url: https://localhost:\(h.upstream.port)\r\n\r\n")
            let (data, _) = socket.read(until: { String(decoding: $0, as: UTF8.self).contains(firstEvent) })
            #expect(String(decoding: data, as: UTF8.self).contains(firstEvent))
            socket.close()
        } else {
            let url = "https://localhost:\(h.upstream.port)\(path)"
            let result = try run("curl", ["--max-time", "1", "-sSN", "-x", h.proxyURL, "--cacert", h.caFile.path, url])
            #expect(result.status == 28, "\(result.status): \(result.stderr)")
            #expect(result.stdoutText.hasPrefix(firstEvent))
        }
    }

    /// The client leaves a 10 s SSE stream (events every 50 ms) after the first event. Within 2 s the flow
    /// must be recorded as client-disconnected with the partial body, and the upstream request cancelled
    /// (its connection closed; allowed 7 s, because closing a TLS connection waits up to NIOSSL's 5 s
    /// shutdown timeout for the server's close_notify, and the test server does not read mid-response).
    @Test(arguments: ["gateway", "intercepted"])
    func clientDisconnectMidStreamIsRecordedAndClosesUpstream(_ mode: String) async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        try startStreamAndLeave(h, path: "/sse-slow", mode: mode, firstEvent: #"data: {"n":0}"#)
        let left = ContinuousClock.now

        let capture = await captureWithError(h, timeout: .seconds(2))
        #expect(capture?.error?.contains("client disconnected") == true,
                "2 s after the client left, recorded: \(capture?.error ?? "no flow yet")")
        let upstreamOpen = await h.upstream.waitForOpenConnections(atMost: 0, timeout: .seconds(7))
        #expect(upstreamOpen == 0, "upstream request still running \(ContinuousClock.now - left) after the client left")
        // However late, the flow must eventually say what happened.
        let late = try #require(await captureWithError(h, timeout: .seconds(8)), "no flow recorded after the client left")
        #expect(late.error?.contains("client disconnected") == true, "\(late.error ?? "nil")")
        #expect(late.response?.status == 200)
        let received = late.response?.body.totalBytes ?? 0
        #expect(received > 0 && received < TestUpstream.slowEventCount * 12, "the partial body should be recorded: \(received) bytes")
        try expectServesNormally(h)
    }

    /// The stream goes quiet after its first event (a model "thinking"); the client gives up and closes.
    /// Nothing more is written to the client, so only the client's FIN / close_notify tells the proxy it left.
    @Test(arguments: ["gateway", "intercepted"])
    func clientDisconnectWhileUpstreamIsSilentIsNoticed(_ mode: String) async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        try startStreamAndLeave(h, path: "/headers-then-stall", mode: mode, firstEvent: TestUpstream.partialEvent)
        let capture = await captureWithError(h, timeout: .seconds(2))
        #expect(capture?.error?.contains("client disconnected") == true,
                "2 s after the client left, recorded: \(capture?.error ?? "no flow")")
        #expect(await h.upstream.waitForOpenConnections(atMost: 0, timeout: .seconds(7)) == 0,
                "the upstream request is still running for a client that left")
        try expectServesNormally(h)
    }

    /// Port scanners and `nc -z`-style health checks connect and close without a byte. Each such connection
    /// must be closed by the proxy too; one left open sits in CLOSE_WAIT holding a descriptor for good.
    @Test func connectionsClosedWithoutARequestAreReleased() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        for _ in 0..<40 {
            let socket = try RawSocket(port: h.proxy.port, timeout: 2)
            socket.close()
        }
        let deadline = ContinuousClock.now + .seconds(3)
        var leaked = closeWaitConnections(localPort: h.proxy.port)
        while leaked > 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            leaked = closeWaitConnections(localPort: h.proxy.port)
        }
        #expect(leaked == 0, "\(leaked) of 40 client connections closed by the client are still open in the proxy (CLOSE_WAIT)")
        try expectServesNormally(h)
    }

    // MARK: Request smuggling

    /// `Transfer-Encoding: gzip, chunked` (or any coding but `chunked`) was once relayed with its body
    /// de-chunked, so the upstream read the smuggled request inside it as a second one. Now it is a 501 and
    /// the connection closes; `Chunked` is the same coding and is relayed chunk-framed.
    @Test(arguments: ["gzip, chunked", "identity, chunked", "deflate,chunked"])
    func transferCodingsOtherThanChunkedAreRefusedNotSmuggled(coding: String) async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let smuggled = "GET /SMUGGLED HTTP/1.1\r\nHost: localhost\r\n\r\n"
        let chunk = "0\r\n\r\n" + smuggled
        let request = "POST https://localhost:\(h.upstream.port)/v1/chat/completions HTTP/1.1\r\nHost: localhost:\(h.upstream.port)\r\n"
            + "Transfer-Encoding: \(coding)\r\n\r\n" + String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n0\r\n\r\n"
        let (text, end) = try rawExchange(h, Array(request.utf8))
        #expect(text.hasPrefix("HTTP/1.1 501 Not Implemented"), "\(text)")
        #expect(end == .closed || end == .reset)
        try await Task.sleep(for: .milliseconds(200))
        #expect(!h.upstream.requests.contains { $0.uri.contains("SMUGGLED") })
        #expect(h.upstream.requests.isEmpty, "nothing of it reached the upstream")
    }

    @Test func chunkedSpelledInCapitalsIsRelayedChunkFramed() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let body = #"{"model":"gpt-4o-mini","messages":[]}"#
        let request = "POST https://localhost:\(h.upstream.port)/v1/chat/completions HTTP/1.1\r\nHost: localhost:\(h.upstream.port)\r\n"
            + "Transfer-Encoding: Chunked\r\nConnection: close\r\n\r\n" + String(body.utf8.count, radix: 16) + "\r\n" + body + "\r\n0\r\n\r\n"
        let (text, _) = try rawExchange(h, Array(request.utf8), timeout: 10)
        #expect(text.hasPrefix("HTTP/1.1 200"), "\(text)")
        #expect(text.hasSuffix(TestUpstream.chatJSON), "the upstream read the whole body and answered")
    }

    @Test func twoHostHeadersAre400() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let request = "GET https://localhost:\(h.upstream.port)/echo-headers HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n"
        let (text, end) = try rawExchange(h, Array(request.utf8))
        #expect(text.hasPrefix("HTTP/1.1 400 Bad Request") && text.contains("more than one Host header"), "\(text)")
        #expect(end == .closed || end == .reset)
        #expect(h.upstream.requests.isEmpty)
    }

    // MARK: Limits: slowloris, connection floods

    /// A slowloris trickles its request head; after the head timeout it gets a 408 and is closed.
    @Test func requestHeadThatNeverCompletesGets408AfterTheTimeout() async throws {
        let h = try await ProxyHarness.start { $0.requestHeadTimeout = .milliseconds(500) }
        defer { Task { await h.stop() } }
        let socket = try RawSocket(port: h.proxy.port, timeout: 5)
        defer { socket.close() }
        try socket.send(Array("GET http://localhost/ HTTP/1.1\r\nHost: loc".utf8))
        let started = Date()
        let (data, end) = socket.read()
        #expect(String(decoding: data, as: UTF8.self).hasPrefix("HTTP/1.1 408 Request Timeout"))
        #expect(end == .closed)
        #expect(Date().timeIntervalSince(started) < 4, "closed by the head timeout, not by the test's read timeout")
        try expectServesNormally(h)
    }

    /// Connections that never finish their head cannot crowd out prompt clients: past the pending limit,
    /// the longest-waiting one is closed to make room. Without that, these 40 would hold all 16 connections.
    @Test func slowlorisFloodDoesNotLockOutPromptClients() async throws {
        let h = try await ProxyHarness.start {
            $0.maxPendingRequestHeads = 8
            $0.maxClientConnections = 16
        }
        defer { Task { await h.stop() } }
        var slow: [RawSocket] = []
        defer { slow.forEach { $0.close() } }
        for _ in 0..<40 {
            let socket = try RawSocket(port: h.proxy.port, timeout: 2)
            try socket.send(Array("GET http://localhost/ HTTP/1.1\r\nX-Slow: ".utf8))
            slow.append(socket)
        }
        try await Task.sleep(for: .milliseconds(200)) // the evicted connections finish closing
        try expectServesNormally(h)
        let counts = h.proxy.connectionCounts
        #expect(counts.waiting <= 8)
        // Each of the other 32 was closed to make room, or refused while the closes were still completing.
        #expect(counts.evicted > 0 && counts.evicted + counts.refused >= 32, "\(counts)")
        // Closed with its unread head still in the proxy's receive buffer, which the kernel turns into a reset.
        let oldest = slow.first?.read().end
        #expect(oldest == .closed || oldest == .reset, "the oldest slow connection was closed")
    }

    /// Past the connection limit a new client gets a 503 naming the cause, and the proxy serves again
    /// once connections close.
    @Test func connectionsBeyondTheLimitAre503() async throws {
        let h = try await ProxyHarness.start { $0.maxClientConnections = 4 }
        defer { Task { await h.stop() } }
        var held: [RawSocket] = []
        for _ in 0..<4 { held.append(try RawSocket(port: h.proxy.port, timeout: 2)) }
        try await Task.sleep(for: .milliseconds(200))
        let extra = try RawSocket(port: h.proxy.port, timeout: 3)
        defer { extra.close() }
        let (data, end) = extra.read()
        #expect(String(decoding: data, as: UTF8.self).hasPrefix("HTTP/1.1 503 Service Unavailable"))
        #expect(String(decoding: data, as: UTF8.self).contains("too_many_connections"))
        #expect(end == .closed)
        held.forEach { $0.close() }
        let deadline = ContinuousClock.now + .seconds(3)
        while h.proxy.connectionCounts.open > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        try expectServesNormally(h)
    }

    // MARK: Open relay

    /// A request to the proxy's own port would loop through it until descriptors ran out; to the UI port it
    /// would reach the API as a loopback client. Both are refused, by CONNECT and by absolute-form.
    @Test func theProxyRefusesToRelayToItsOwnPorts() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        h.proxy.protect(port: 9)
        let loop = try run("curl", ["--max-time", "5", "-sS", "-D", "-", "-x", h.proxyURL, "http://127.0.0.1:\(h.proxy.port)/"])
        let head = loop.stdoutText
        #expect(head.hasPrefix("HTTP/1.1 403"), "\(head)")
        #expect(head.contains("Sightline itself"))
        let socket = try RawSocket(port: h.proxy.port, timeout: 3)
        defer { socket.close() }
        try socket.send(Array("CONNECT localhost:9 HTTP/1.1\r\nHost: localhost:9\r\n\r\n".utf8))
        #expect(String(decoding: socket.read().data, as: UTF8.self).hasPrefix("HTTP/1.1 403 Forbidden"))
        #expect(h.sink.captures.contains { $0.error?.contains("Sightline itself") == true }, "refusals are recorded")
        try expectServesNormally(h)
    }

    @Test func clientsOnOtherMachinesCannotReachLocalServicesUnlessAllowed() throws {
        let guardian = RelayGuard(allowLocalTargetsFromRemoteClients: false)
        let remote = try SocketAddress(ipAddress: "192.0.2.10", port: 50000)
        let local = try SocketAddress(ipAddress: "127.0.0.1", port: 50000)
        for host in ["127.0.0.1", "localhost", "[::1]", "169.254.169.254", "0.0.0.0", "api.localhost"] {
            #expect(guardian.refusal(host: host, port: 8080, client: remote) != nil, "\(host) from another machine")
            #expect(guardian.refusal(host: host, port: 8080, client: local) == nil, "\(host) from this machine")
        }
        #expect(guardian.refusal(host: "api.openai.com", port: 443, client: remote) == nil)
        #expect(guardian.refusal(host: "10.0.0.5", port: 11434, client: remote) == nil, "private LAN hosts are the operator's choice")
        #expect(RelayGuard(allowLocalTargetsFromRemoteClients: true).refusal(host: "127.0.0.1", port: 8080, client: remote) == nil)
    }

    // MARK: 7. Not TLS after CONNECT

    @Test func garbageInsteadOfClientHelloClosesTheConnection() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let socket = try RawSocket(port: h.proxy.port, timeout: 5)
        defer { socket.close() }
        try socket.send("CONNECT localhost:\(h.upstream.port) HTTP/1.1\r\nHost: localhost:\(h.upstream.port)\r\n\r\n")
        let (head, _, _) = socket.readHead()
        #expect(head.hasPrefix("HTTP/1.1 200"), "\(head.debugDescription)")
        try? socket.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n" + String(repeating: "garbage ", count: 128))
        let (_, end) = socket.read()
        #expect(end == .closed || end == .reset, "the proxy kept a non-TLS tunnel open: \(end)")
        #expect(h.upstream.requests.isEmpty)
        try expectUpstreamPooledThenReused(h)
    }

    @Test func clientClosingRightAfterConnectReleasesTheUpstream() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let socket = try RawSocket(port: h.proxy.port, timeout: 5)
        try socket.send("CONNECT localhost:\(h.upstream.port) HTTP/1.1\r\nHost: localhost:\(h.upstream.port)\r\n\r\n")
        let (head, _, _) = socket.readHead()
        #expect(head.hasPrefix("HTTP/1.1 200"))
        socket.close()
        try expectUpstreamPooledThenReused(h)
    }

    /// The upstream connection a CONNECT opened, unused, goes back to the pool (it is clean): it is neither
    /// leaked nor duplicated, and later clients' requests go out on pooled connections (one pool per event loop
    /// of the proxy's group, `MultiThreadedEventLoopGroup.singleton`).
    private func expectUpstreamPooledThenReused(_ h: ProxyHarness, sourceLocation: SourceLocation = #_sourceLocation) throws {
        for _ in 0..<6 { try expectServesNormally(h, sourceLocation: sourceLocation) }
        let loops = System.coreCount
        #expect(h.upstream.openConnections <= loops, "upstream connections: \(h.upstream.openConnections)", sourceLocation: sourceLocation)
        // Without the pool each of the 7 CONNECTs would have dialled its own upstream connection.
        #expect(h.upstream.acceptedConnections <= loops, "upstream dialled \(h.upstream.acceptedConnections) times for 7 CONNECTs",
                sourceLocation: sourceLocation)
    }

    // MARK: 8. Upstream TLS failure

    @Test func untrustedUpstreamCertificateIs502MentioningTLS() async throws {
        let h = try await ProxyHarness.start { $0.upstreamCAFiles = [] }
        defer { Task { await h.stop() } }
        let port = h.upstream.port
        let (text, end) = try rawExchange(h, Array("CONNECT localhost:\(port) HTTP/1.1\r\nHost: localhost:\(port)\r\n\r\n".utf8))
        let parsed = try #require(RawResponse(text), "\(text.debugDescription)")
        #expect(parsed.status == 502, "\(parsed.statusLine)")
        #expect(parsed.header("sightline-error") == "upstream_tls")
        let reason = parsed.body.lowercased()
        #expect(reason.contains("tls") && reason.contains("certificate"), "\(parsed.body)")
        #expect(end == .closed)

        let capture = try #require(await captureWithError(h))
        #expect(capture.request.url == "https://localhost:\(port)")
        #expect(capture.error?.lowercased().contains("certificate") == true, "\(capture.error ?? "nil")")

        // Still serving: a passthrough tunnel (no upstream verification by the proxy) works.
        let result = try run("curl", ["--max-time", "15", "-sS", "-x", h.proxyURL, "--cacert", h.upstream.caFile.path, "-d", "{}",
                                      "https://127.0.0.1:\(port)/v1/chat/completions"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText == TestUpstream.chatJSON)
    }

    @Test func untrustedUpstreamThroughTheGatewayIs502MentioningTLS() async throws {
        let h = try await ProxyHarness.start { $0.upstreamCAFiles = [] }
        defer { Task { await h.stop() } }
        let result = try run("curl", ["--max-time", "10", "-sS", "-D", "-", "-H", "Sightline-Target-Url: https://localhost:\(h.upstream.port)",
                                      h.proxyURL + "/v1/chat/completions", "-d", "{}"])
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = try #require(response(result))
        #expect(parsed.status == 502)
        #expect(parsed.header("sightline-error") == "upstream_tls")
        #expect(parsed.body.lowercased().contains("certificate"), "\(parsed.body)")
        let capture = try #require(await captureWithError(h))
        #expect(capture.mode == .gateway)
        #expect(capture.error?.lowercased().contains("tls") == true)
    }

    // MARK: 9. A large response

    @Test func twoHundredMegabytesStreamThroughInConstantMemory() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        try expectServesNormally(h)
        let total = 200 * 1024 * 1024
        let rssBefore = residentMegabytes()
        let started = Date()
        let url = "https://localhost:\(h.upstream.port)/bytes-paced?n=\(total)"
        let result = try run("curl", ["--max-time", "300", "-sS", "-o", "/dev/null", "-w", "%{size_download}", "-x", h.proxyURL,
                                      "--cacert", h.caFile.path, url])
        let seconds = Date().timeIntervalSince(started)
        let rssAfter = residentMegabytes()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Int(result.stdoutText) == total)
        let capture = try #require(await h.sink.waitFor(count: 2).last)
        #expect(capture.error == nil)
        #expect(capture.response?.body.totalBytes == total, "the true size must be recorded")
        #expect(capture.response?.body.bytes.count == ProxyConfiguration().bodyCapBytes, "the stored body stops at the cap")
        // The capture itself holds the 32 MiB cap; anything beyond that would be buffering.
        #expect(rssAfter - rssBefore < 100, "RSS grew \(Int(rssAfter - rssBefore)) MB (\(Int(rssBefore)) → \(Int(rssAfter)))")
        print("200 MB through the intercepting proxy: \(String(format: "%.1f", seconds)) s, RSS \(Int(rssBefore)) → \(Int(rssAfter)) MB")
        try expectServesNormally(h)
    }

    /// A client reading at 16 MB/s from an upstream that could send far faster: back-pressure must hold the
    /// upstream, not the proxy's memory. The body cap is 1 MiB here so the capture itself stays small.
    @Test func slowClientDoesNotMakeTheProxyBufferTheResponse() async throws {
        let h = try await ProxyHarness.start { $0.bodyCapBytes = 1024 * 1024 }
        defer { Task { await h.stop() } }
        try expectServesNormally(h)
        let total = 48 * 1024 * 1024
        let rssBefore = residentMegabytes()
        let url = "https://localhost:\(h.upstream.port)/bytes-paced?n=\(total)"
        let result = try run("curl", ["--max-time", "60", "--limit-rate", "16M", "-sS", "-o", "/dev/null", "-w", "%{size_download}",
                                      "-x", h.proxyURL, "--cacert", h.caFile.path, url])
        let rssAfter = residentMegabytes()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Int(result.stdoutText) == total)
        #expect(rssAfter - rssBefore < 24, "RSS grew \(Int(rssAfter - rssBefore)) MB while a slow client read 48 MB")
        let capture = try #require(await h.sink.waitFor(count: 2).last)
        #expect(capture.response?.body.totalBytes == total)
    }

    // MARK: 10. Upstream goes silent

    @Test func silentUpstreamIs504AfterTheIdleTimeout() async throws {
        let h = try await ProxyHarness.start { $0.upstreamIdleTimeout = .milliseconds(500) }
        defer { Task { await h.stop() } }
        let started = Date()
        let result = try run("curl", ["--max-time", "10", "-sS", "-D", "-", "-x", h.proxyURL, "--cacert", h.caFile.path,
                                      "https://localhost:\(h.upstream.port)/stall"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 0, "\(result.stderr)")
        let parsed = try #require(response(result))
        #expect(parsed.status == 504)
        #expect(parsed.header("sightline-error") == "upstream_timeout")
        #expect(parsed.body.contains("sent nothing"), "\(parsed.body)")
        #expect(!parsed.body.contains("for 0 s"), "the reason misstates the timeout: \(parsed.body)")
        #expect(elapsed >= 0.4 && elapsed < 5, "\(elapsed) s")

        let capture = try #require(await captureWithError(h))
        #expect(capture.error?.contains("sent nothing") == true, "\(capture.error ?? "nil")")
        #expect(await h.upstream.waitForOpenConnections(atMost: 0, timeout: .seconds(7)) == 0, "the stalled upstream connection stayed open")
        try expectServesNormally(h)
    }

    @Test func upstreamSilentMidStreamIsCutAfterTheIdleTimeout() async throws {
        let h = try await ProxyHarness.start { $0.upstreamIdleTimeout = .milliseconds(500) }
        defer { Task { await h.stop() } }
        let result = try run("curl", ["--max-time", "10", "-sSN", "-x", h.proxyURL, "--cacert", h.caFile.path,
                                      "https://localhost:\(h.upstream.port)/headers-then-stall"])
        #expect([18, 56].contains(result.status), "exit \(result.status): \(result.stderr)")
        #expect(result.stdoutText == TestUpstream.partialEvent)
        let capture = try #require(await captureWithError(h))
        #expect(capture.response?.status == 200)
        #expect(capture.error?.contains("sent nothing") == true, "\(capture.error ?? "nil")")
        #expect(await h.upstream.waitForOpenConnections(atMost: 0, timeout: .seconds(7)) == 0)
        try expectServesNormally(h)
    }
}
