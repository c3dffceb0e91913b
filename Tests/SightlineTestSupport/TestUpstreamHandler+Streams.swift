import NIOCore
import NIOHTTP1

/// The streamed answers: each paces its writes on the event loop, as a provider trickling tokens or a large download would.
extension TestUpstreamHandler {
    func streamSSE(context: ChannelHandlerContext) {
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

    func streamSlowSSE(context: ChannelHandlerContext) {
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

    func streamBytesPaced(_ total: Int, context: ChannelHandlerContext) {
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

    func streamBytes(_ total: Int, context: ChannelHandlerContext) {
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
}
