import NIOCore
import NIOHTTP1

/// A closed-loop client on one keep-alive connection, last in the pipeline: sends the small chat
/// POST, waits for the whole response, sends the next, until `stopAt`. It records the latency of each
/// request sent at or after `recordFrom` (earlier ones warm the path up) and completes `done` with
/// them, in nanoseconds.
final class KeepAliveLoadHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let host: String
    private let recordFrom: UInt64
    private let stopAt: UInt64
    private let done: EventLoopPromise<[UInt64]>
    private var latencies: [UInt64] = []
    private var sentAt: UInt64 = 0

    init(host: String, recordFrom: UInt64, stopAt: UInt64, done: EventLoopPromise<[UInt64]>) {
        self.host = host
        self.recordFrom = recordFrom
        self.stopAt = stopAt
        self.done = done
    }

    func handlerAdded(context: ChannelHandlerContext) {
        latencies.reserveCapacity(1 << 14)
        sendRequest(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head) where head.status != .ok:
            fail(context: context, BenchError("chat POST answered \(head.status.code) \(head.status.reasonPhrase)"))
        case .head, .body:
            break
        case .end:
            let now = MonotonicClock.now()
            if sentAt >= recordFrom { latencies.append(now - sentAt) }
            if now < stopAt {
                sendRequest(context: context)
            } else {
                done.succeed(latencies)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.fail(BenchError("connection closed during the load run"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, error)
    }

    private func sendRequest(context: ChannelHandlerContext) {
        let body = BenchPayloads.chatRequest
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: BenchPayloads.chatPath)
        head.headers.add(name: "Host", value: host)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        head.headers.add(name: "Authorization", value: "Bearer sk-bench-not-a-real-key")
        sentAt = MonotonicClock.now()
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func fail(context: ChannelHandlerContext, _ error: any Error) {
        done.fail(error)
        context.close(promise: nil)
    }
}
