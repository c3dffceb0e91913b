import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SightlineCA

/// A real HTTPS server with its own throwaway CA, standing in for an LLM provider in tests.
/// Routes:
/// - `POST /v1/chat/completions`: a chat completion JSON, or with `"stream": true` an SSE stream of
///   `TestUpstream.sseEventCount` chunks spaced `sseGap` apart, then `[DONE]`.
/// - `GET /echo-headers`: the request's headers as a JSON array of `[name, value]`, in wire order.
/// - `GET /bytes?n=N`: N bytes of a repeating pattern, streamed in 64 KiB chunks.
/// - `GET /reset-mid-stream`: a 200 with chunked framing, one chunk, then the connection closes.
/// Fault routes (used by `BadInputTests`):
/// - `GET /stall`: reads the request and never answers.
/// - `GET /headers-then-stall`: an SSE head and one event, then silence (the connection stays open).
/// - `GET /sse-slow`: `slowEventCount` SSE events 50 ms apart (10 s in all), then the end.
/// - `GET /bad-chunked`: a chunked 200 whose second chunk has an invalid size line.
/// - `GET /reset-immediately`: a chunked 200 head and one chunk, and the close, in one flush.
/// - `GET /close-without-response`: closes the connection without answering.
/// Gateway routes (used by `GatewayFeatureTests`):
/// - `/flaky?id=X&fail=N&status=S[&retry-after=R]`: the first N requests with that id get status S (with
///   `Retry-After: R` when given), the next ones the chat completion.
/// - `POST /counter`: a chat completion whose text names how many times it was called ("answer 1", "answer 2"…).
/// - `/fb/…`: 200 with the request body as the response body (what a fallback actually sent).
/// - `GET /bytes-paced?n=N`: like `/bytes`, but each chunk is flushed and at most 4 are in flight, so the
///   server itself holds no more than ~256 KiB however slowly the other side reads (`/bytes` queues the whole
///   body in its TLS handler at once, which would hide the proxy's own memory use).
/// - anything else: 404.
final class TestUpstream: Sendable {
    static let sseEventCount = 5
    static let chatJSON = #"{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"I am a little teapot."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":6,"total_tokens":18}}"#

    let authority: CertificateAuthority
    let caFile: URL
    let channel: any Channel
    private let seen = NIOLockedValueBox<[HTTPRequestHead]>([])
    private let counters = NIOLockedValueBox<[String: Int]>([:])
    private let connections = NIOLockedValueBox(0)
    private let accepted = NIOLockedValueBox(0)
    static let slowEventCount = 200
    static let partialEvent = "data: partial\n\n"

    var port: Int { channel.localAddress!.port! }
    var requests: [HTTPRequestHead] { seen.withLockedValue { $0 } }
    /// Client connections (from the proxy) currently open on this server.
    var openConnections: Int { connections.withLockedValue { $0 } }
    /// Client connections (from the proxy) accepted since start, closed ones included.
    var acceptedConnections: Int { accepted.withLockedValue { $0 } }

    /// Waits (bounded) until at most `count` connections are open; returns how many are.
    func waitForOpenConnections(atMost count: Int, timeout: Duration = .seconds(5)) async -> Int {
        let deadline = ContinuousClock.now + timeout
        while openConnections > count && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return openConnections
    }

    static func sseBody() -> [String] {
        (0..<sseEventCount).map { i in
            #"data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"word\#(i) "},"finish_reason":null}]}"# + "\n\n"
        } + ["data: [DONE]\n\n"]
    }

    init(hosts: [String] = ["localhost", "127.0.0.1"], sseGap: TimeAmount = .milliseconds(50), directory: URL) async throws {
        let authority = try CertificateAuthority.create(commonName: "Test Upstream CA")
        self.authority = authority
        caFile = directory.appendingPathComponent("upstream-ca.pem")
        try authority.certificatePEM.write(to: caFile, atomically: true, encoding: .utf8)
        let leaf = try LeafCertificateIssuer(authority: authority).issue(forNames: hosts)
        let chain: [NIOSSLCertificateSource] = [.certificate(try NIOSSLCertificate(bytes: leaf.certificateDER, format: .der))]
        let key = try NIOSSLPrivateKey(bytes: leaf.privateKeyDER, format: .der)
        let tls = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        let seen = self.seen
        let connections = self.connections
        let accepted = self.accepted
        let counters = self.counters
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                connections.withLockedValue { $0 += 1 }
                accepted.withLockedValue { $0 += 1 }
                channel.closeFuture.whenComplete { _ in connections.withLockedValue { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(TestUpstreamHandler(seen: seen, counters: counters, sseGap: sseGap))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async {
        try? await channel.close()
    }
}

private final class TestUpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let seen: NIOLockedValueBox<[HTTPRequestHead]>
    private let sseGap: TimeAmount
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    private let counters: NIOLockedValueBox<[String: Int]>

    init(seen: NIOLockedValueBox<[HTTPRequestHead]>, counters: NIOLockedValueBox<[String: Int]>, sseGap: TimeAmount) {
        self.seen = seen
        self.counters = counters
        self.sseGap = sseGap
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
            seen.withLockedValue { $0.append(head) }
        case .body(var buffer):
            body.writeBuffer(&buffer)
        case .end:
            guard let head else { return }
            respond(to: head, body: String(buffer: body), context: context)
        }
    }

    private func count(_ key: String) -> Int {
        counters.withLockedValue { counters in
            counters[key, default: 0] += 1
            return counters[key]!
        }
    }

    private func respond(to head: HTTPRequestHead, body: String, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
        let query = Dictionary(head.uri.split(separator: "?").dropFirst().first.map { $0.split(separator: "&") }?.compactMap { pair -> (String, String)? in
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        } ?? [], uniquingKeysWith: { $1 })
        if path.hasPrefix("/fb/") {
            writeWhole(context: context, status: .ok, contentType: "application/json", body: body)
            return
        }
        switch (head.method, path) {
        case (_, "/flaky"):
            let failures = Int(query["fail"] ?? "0") ?? 0
            if count("flaky-" + (query["id"] ?? "")) <= failures {
                let status = HTTPResponseStatus(statusCode: Int(query["status"] ?? "503") ?? 503)
                var extra: [(String, String)] = []
                if let retryAfter = query["retry-after"] { extra.append(("Retry-After", retryAfter)) }
                writeWhole(context: context, status: status, contentType: "application/json",
                           body: #"{"error":{"message":"flaky upstream","type":"server_error"}}"#, extraHeaders: extra)
            } else {
                writeWhole(context: context, status: .ok, contentType: "application/json", body: TestUpstream.chatJSON)
            }
        case (.POST, "/counter"):
            let answer = TestUpstream.chatJSON.replacingOccurrences(of: "I am a little teapot.", with: "answer \(count("counter"))")
            writeWhole(context: context, status: .ok, contentType: "application/json", body: answer)
        case (.POST, "/v1/chat/completions"):
            if body.replacingOccurrences(of: " ", with: "").contains(#""stream":true"#) {
                streamSSE(context: context)
            } else {
                writeWhole(context: context, status: .ok, contentType: "application/json", body: TestUpstream.chatJSON)
            }
        case (.GET, "/echo-headers"):
            let pairs = head.headers.map { "[\(jsonString($0.name)),\(jsonString($0.value))]" }
            writeWhole(context: context, status: .ok, contentType: "application/json", body: "[" + pairs.joined(separator: ",") + "]")
        case (.GET, "/bytes"):
            let n = Int(head.uri.split(separator: "=").last ?? "0") ?? 0
            streamBytes(n, context: context)
        case (.GET, "/reset-mid-stream"):
            let headers = HTTPHeaders([("Content-Type", "text/event-stream"), ("Transfer-Encoding", "chunked")])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "data: partial\n\n")))), promise: nil)
            context.eventLoop.scheduleTask(in: .milliseconds(30)) { context.close(promise: nil) }
        case (.GET, "/stall"):
            break
        case (.GET, "/headers-then-stall"):
            let headers = HTTPHeaders([("Content-Type", "text/event-stream"), ("Transfer-Encoding", "chunked")])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: TestUpstream.partialEvent)))), promise: nil)
        case (.GET, "/sse-slow"):
            streamSlowSSE(context: context)
        case (.GET, "/bad-chunked"):
            let headers = HTTPHeaders([("Content-Type", "text/event-stream"), ("Transfer-Encoding", "chunked")])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: TestUpstream.partialEvent)))), promise: nil)
            // Below the encoder, so the bytes go out unframed: "ZZZ" is not a hex chunk size.
            if let encoder = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self) {
                context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(30)) {
                    encoder.writeAndFlush(NIOAny(ByteBuffer(string: "ZZZ\r\nnot chunked framing\r\n")), promise: nil)
                }
            }
        case (.GET, "/reset-immediately"):
            let headers = HTTPHeaders([("Content-Type", "text/event-stream"), ("Transfer-Encoding", "chunked")])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: TestUpstream.partialEvent)))), promise: nil)
            context.flush()
            context.close(promise: nil)
        case (.GET, "/close-without-response"):
            context.close(promise: nil)
        case (.GET, "/bytes-paced"):
            let n = Int(head.uri.split(separator: "=").last ?? "0") ?? 0
            streamBytesPaced(n, context: context)
        default:
            writeWhole(context: context, status: .notFound, contentType: "text/plain", body: "not found")
        }
    }

    private func writeWhole(context: ChannelHandlerContext, status: HTTPResponseStatus, contentType: String, body: String,
                            extraHeaders: [(String, String)] = []) {
        let headers = HTTPHeaders([("Content-Type", contentType), ("Content-Length", "\(body.utf8.count)"), ("X-Upstream", "test")] + extraHeaders)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func streamSSE(context: ChannelHandlerContext) {
        let headers = HTTPHeaders([("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        let events = TestUpstream.sseBody()
        let loop = context.eventLoop
        func send(_ index: Int) {
            guard index < events.count else {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: events[index])))), promise: nil)
            loop.assumeIsolated().scheduleTask(in: sseGap) { send(index + 1) }
        }
        send(0)
    }

    private func streamSlowSSE(context: ChannelHandlerContext) {
        let headers = HTTPHeaders([("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        let loop = context.eventLoop
        func send(_ index: Int) {
            guard context.channel.isActive else { return }
            guard index < TestUpstream.slowEventCount else {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "data: {\"n\":\(index)}\n\n")))), promise: nil)
            loop.assumeIsolated().scheduleTask(in: .milliseconds(50)) { send(index + 1) }
        }
        send(0)
    }

    private func streamBytesPaced(_ total: Int, context: ChannelHandlerContext) {
        let headers = HTTPHeaders([("Content-Type", "application/octet-stream"), ("Content-Length", "\(total)")])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        var chunk = ByteBuffer()
        for i in 0..<65536 { chunk.writeInteger(UInt8(truncatingIfNeeded: i)) }
        var sent = 0
        var inFlight = 0
        var pumping = false
        var ended = false
        func pump() {
            guard !pumping, !ended else { return }
            pumping = true
            defer { pumping = false }
            while sent < total && inFlight < 4 && context.channel.isActive {
                let n = min(65536, total - sent)
                sent += n
                inFlight += 1
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(chunk.getSlice(at: 0, length: n)!)))).assumeIsolated().whenComplete { result in
                    inFlight -= 1
                    if case .success = result { pump() }
                }
            }
            if sent >= total && inFlight == 0 {
                ended = true
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
        pump()
    }

    private func streamBytes(_ total: Int, context: ChannelHandlerContext) {
        let headers = HTTPHeaders([("Content-Type", "application/octet-stream"), ("Content-Length", "\(total)")])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        var chunk = ByteBuffer()
        for i in 0..<65536 { chunk.writeInteger(UInt8(truncatingIfNeeded: i)) }
        var sent = 0
        func pump() {
            while sent < total && context.channel.isWritable {
                let n = min(65536, total - sent)
                context.write(wrapOutboundOut(.body(.byteBuffer(chunk.getSlice(at: 0, length: n)!))), promise: nil)
                sent += n
            }
            context.flush()
            if sent >= total {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            } else {
                context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(1)) { pump() }
            }
        }
        pump()
    }

    private func jsonString(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
