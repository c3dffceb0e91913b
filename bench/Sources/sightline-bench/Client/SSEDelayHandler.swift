import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// What one SSE stream delivered: per event, receive time minus the upstream's `sent_ns` stamp.
struct SSEStreamResult: Sendable {
    var delays: [Int64] = []
    /// False when the connection closed before `data: [DONE]` (the memory scenario closes on purpose).
    var completed = false
}

/// Requests a timed SSE stream on its connection and measures each event's delay, last in the
/// pipeline. The receive time is taken once per read, before parsing, and shared by the events that
/// read completes; an event split over reads counts from the read that completed it.
final class SSEDelayHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let host: String
    private let path: String
    private let opened: EventLoopPromise<Void>?
    private let done: EventLoopPromise<SSEStreamResult>
    private let eventCounter: NIOLockedValueBox<Int>?
    private var pending: [UInt8] = []
    private var result = SSEStreamResult()

    /// `opened` completes when the response head arrives (the stream is established end to end);
    /// `eventCounter`, shared by many streams, counts events as they arrive.
    init(host: String, events: Int, gapMilliseconds: Int, opened: EventLoopPromise<Void>? = nil,
         eventCounter: NIOLockedValueBox<Int>? = nil, done: EventLoopPromise<SSEStreamResult>) {
        self.host = host
        self.path = BenchPayloads.streamPath(events: events, gapMilliseconds: gapMilliseconds)
        self.opened = opened
        self.eventCounter = eventCounter
        self.done = done
        result.delays.reserveCapacity(events)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let body = ByteBuffer(string: BenchPayloads.streamRequest)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.add(name: "Host", value: host)
        head.headers.add(name: "Content-Type", value: "application/json")
        head.headers.add(name: "Accept", value: "text/event-stream")
        head.headers.add(name: "Content-Length", value: "\(body.readableBytes)")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            guard head.status == .ok else {
                let error = BenchError("SSE request answered \(head.status.code)")
                opened?.fail(error)
                done.fail(error)
                context.close(promise: nil)
                return
            }
            opened?.succeed()
        case .body(let buffer):
            let receivedAt = Int64(MonotonicClock.now())
            pending.append(contentsOf: buffer.readableBytesView)
            takeCompleteEvents(receivedAt: receivedAt)
        case .end:
            result.completed = true
            done.succeed(result)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        opened?.fail(BenchError("connection closed before the SSE stream started"))
        done.succeed(result)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        opened?.fail(error)
        done.fail(error)
        context.close(promise: nil)
    }

    /// Consumes every `\n\n`-terminated event in `pending` and records the delay of those stamped.
    private func takeCompleteEvents(receivedAt: Int64) {
        let countBefore = result.delays.count
        defer {
            let received = result.delays.count - countBefore
            if received > 0 { eventCounter?.withLockedValue { $0 += received } }
        }
        var eventStart = 0
        var index = 0
        while index + 1 < pending.count {
            if pending[index] == UInt8(ascii: "\n") && pending[index + 1] == UInt8(ascii: "\n") {
                if let sentAt = SentStamp.find(in: pending[eventStart..<index]) {
                    result.delays.append(receivedAt - sentAt)
                }
                index += 2
                eventStart = index
            } else {
                index += 1
            }
        }
        pending.removeFirst(eventStart)
    }
}
