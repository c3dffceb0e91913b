import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Answers the routes `TestUpstream` lists, one request at a time on a connection.
final class TestUpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let seen: NIOLockedValueBox<[HTTPRequestHead]>
    let sseGap: TimeAmount
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
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(30)) { context.close(promise: nil) }
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

    private func jsonString(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
