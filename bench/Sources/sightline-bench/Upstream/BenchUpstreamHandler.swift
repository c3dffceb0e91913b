import NIOCore
import NIOHTTP1

/// Answers the bench's routes, last in the upstream's pipeline (after TLS and the HTTP codec):
/// - `POST /v1/chat/completions`: the ~300-byte chat completion, `Content-Length` framed.
/// - `POST /v1/chat/completions?events=N&gap_ms=G`: an SSE stream of N chunked events G ms apart,
///   each stamped with its send time, then `data: [DONE]`. It stops early if the client goes away.
/// - `GET /ws?events=N&gap_ms=G` asking for a WebSocket upgrade: handed to `UpstreamWebSocketUpgrade`,
///   after which this handler has left the pipeline.
final class BenchUpstreamHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var head: HTTPRequestHead?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break // The request body's content does not change the answer.
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        if let session = UpstreamWebSocketUpgrade.parameters(of: head) {
            return UpstreamWebSocketUpgrade.upgrade(head, sending: session, context: context, httpHandler: self)
        }
        let parts = head.uri.split(separator: "?", maxSplits: 1)
        guard head.method == .POST, parts.first.map(String.init) == BenchPayloads.chatPath else {
            return writeNotFound(context: context)
        }
        if parts.count == 2, let stream = StreamParameters(query: parts[1]) {
            streamEvents(stream, context: context)
        } else {
            writeChatResponse(context: context)
        }
    }

    private func writeChatResponse(context: ChannelHandlerContext) {
        let body = BenchPayloads.chatResponse
        let headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(body.readableBytes)")])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func writeNotFound(context: ChannelHandlerContext) {
        let headers = HTTPHeaders([("Content-Length", "0")])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .notFound, headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func streamEvents(_ stream: StreamParameters, context: ChannelHandlerContext) {
        let headers = HTTPHeaders([("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache"), ("Transfer-Encoding", "chunked")])
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        let loop = context.eventLoop.assumeIsolated()
        func send(_ index: Int) {
            guard context.channel.isActive else { return }
            guard index < stream.events else {
                context.write(wrapOutboundOut(.body(.byteBuffer(BenchPayloads.streamEnd))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            // Stamped as late as possible: the delay measured is the path after the origin's write.
            let event = BenchPayloads.streamEvent(index: index, sentNanoseconds: MonotonicClock.now())
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(event))), promise: nil)
            loop.scheduleTask(in: stream.gap) { send(index + 1) }
        }
        send(0)
    }
}

/// `events=N&gap_ms=G` from a streaming request's query (or a WebSocket session's).
struct StreamParameters {
    let events: Int
    let gap: TimeAmount

    init?(query: Substring) {
        var values: [Substring: Int] = [:]
        for pair in query.split(separator: "&") {
            let keyValue = pair.split(separator: "=", maxSplits: 1)
            if keyValue.count == 2, let value = Int(keyValue[1]) { values[keyValue[0]] = value }
        }
        guard let events = values["events"], let gap = values["gap_ms"] else { return nil }
        self.events = events
        self.gap = .milliseconds(Int64(gap))
    }
}
