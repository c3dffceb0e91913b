import NIOCore
import NIOHTTP1
import SightlineCore

/// After a WebSocket handshake's `101`: both connections stop being HTTP and become a byte relay (the
/// CONNECT tunnel's `TunnelRelayHandler` pair), so frames, extensions such as `permessage-deflate`, pings
/// and close frames pass exactly as sent, with back-pressure both ways and either side's close ending the
/// other. The flow is recorded at the 101 (so it is listed while open), again at most once a second while
/// messages pass, and a last time, with its end, when both sides have closed.
enum WebSocketRelay {
    /// Writes `head` (the `101`) to the client through its HTTP encoder, then rebuilds both pipelines.
    /// Called by the exchange handler on the loop both channels share; the handler leaves the pipeline.
    static func start(head: HTTPResponseHead, record capture: FlowCapture, exchangeStart: NIODeadline, capBytes: Int,
                      exchange handler: HTTPExchangeHandler, context: ChannelHandlerContext,
                      upstream: UpstreamConnection, sink: any CaptureSink) {
        let (clientSide, upstreamSide) = TunnelRelayHandler.matchedPair { _ in }
        let flow = RelayedFlow(capture: capture, start: exchangeStart, capBytes: capBytes,
                               eventLoop: context.eventLoop, sink: sink)
        clientSide.observe = { flow.observe($0, from: .client) }
        upstreamSide.observe = { flow.observe($0, from: .server) }
        // Weak: the halves hold the flow (through `observe`).
        flow.bytesRead = { [weak clientSide, weak upstreamSide] in (clientSide?.bytesRead ?? 0, upstreamSide?.bytesRead ?? 0) }
        let recordWhenBothClosed: () -> Void = {
            flow.sidesClosed += 1
            guard flow.sidesClosed == 2 else { return }
            sink.record(flow.finished(bytesRead: (clientSide.bytesRead, upstreamSide.bytesRead), now: .now()))
        }
        let client = context.channel
        context.writeAndFlush(handler.wrapOutboundOut(.head(head)), promise: nil)
        sink.record(flow.capture)
        do {
            let sync = context.pipeline.syncOperations
            try sync.addHandler(clientSide, position: .after(handler))
            try removeServerCodec(sync)
            sync.removeHandler(handler, promise: nil)
        } catch {
            upstream.close()
            client.close(promise: nil)
            return
        }
        client.closeFuture.assumeIsolated().whenComplete { _ in recordWhenBothClosed() }
        upstream.channel.closeFuture.assumeIsolated().whenComplete { _ in recordWhenBothClosed() }
        // The upstream's decoder is the one that handed over the 101: it is changed on the next tick, not
        // from inside its own read. Frames the server sent with the 101 are then forwarded (its
        // `.forwardBytes`), not lost.
        client.eventLoop.assumeIsolated().execute {
            let decoderRemoved = client.eventLoop.makePromise(of: Void.self)
            do {
                let sync = upstream.channel.pipeline.syncOperations
                try sync.addHandler(upstreamSide)
                sync.removeHandler(upstream.handler, promise: nil)
                try removeClientCodec(sync, decoderRemoved: decoderRemoved)
            } catch {
                upstream.close()
                client.close(promise: nil)
                return
            }
            // The decoder hands its leftovers on as it leaves (a tick later) without a read-complete:
            // flushed here. Reads either side held back while it was HTTP are asked for again by the relay.
            decoderRemoved.futureResult.assumeIsolated().whenComplete { _ in
                client.flush()
                client.read()
                upstream.channel.read()
            }
        }
    }

    private static func removeServerCodec(_ sync: ChannelPipeline.SynchronousOperations) throws {
        sync.removeHandler(try sync.handler(type: HTTPResponseEncoder.self), promise: nil)
        if let validator = try? sync.handler(type: NIOHTTPResponseHeadersValidator.self) { sync.removeHandler(validator, promise: nil) }
        sync.removeHandler(try sync.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self), promise: nil)
    }

    private static func removeClientCodec(_ sync: ChannelPipeline.SynchronousOperations, decoderRemoved: EventLoopPromise<Void>) throws {
        if let idle = try? sync.handler(type: IdleStateHandler.self) { sync.removeHandler(idle, promise: nil) }
        sync.removeHandler(try sync.handler(type: HTTPRequestEncoder.self), promise: nil)
        if let validator = try? sync.handler(type: NIOHTTPRequestHeadersValidator.self) { sync.removeHandler(validator, promise: nil) }
        sync.removeHandler(try sync.handler(type: ByteToMessageHandler<HTTPResponseDecoder>.self), promise: decoderRemoved)
    }
}

/// The flow of one relayed WebSocket: its frames read as they pass (per frame up to the body cap, and the
/// body cap over the session each way), re-recorded while open, completed when both connections have closed.
/// Lives on the event loop both connections share.
private final class RelayedFlow {
    /// How often an open session's stored flow catches up with its messages. Each update rebuilds the
    /// session's record (inflating and analysing every message so far), so not per message.
    static let updateInterval = TimeAmount.seconds(1)

    var capture: FlowCapture
    let start: NIODeadline
    var sidesClosed = 0
    private var clientFrames: WebSocketFrameTap
    private var serverFrames: WebSocketFrameTap
    private let eventLoop: any EventLoop
    private let sink: any CaptureSink
    private var lastRecorded = NIODeadline.now()
    private var pendingUpdate: Scheduled<Void>?
    /// Bytes each relay half has read so far (client, upstream): the sizes of the session.
    var bytesRead: () -> (Int, Int) = { (0, 0) }

    init(capture: FlowCapture, start: NIODeadline, capBytes: Int, eventLoop: any EventLoop, sink: any CaptureSink) {
        self.capture = capture
        self.start = start
        self.eventLoop = eventLoop
        self.sink = sink
        clientFrames = WebSocketFrameTap(direction: .client, capBytes: capBytes, totalCapBytes: capBytes)
        serverFrames = WebSocketFrameTap(direction: .server, capBytes: capBytes, totalCapBytes: capBytes)
    }

    func observe(_ buffer: ByteBuffer, from direction: WebSocketDirection) {
        let tMs = Double((NIODeadline.now() - start).nanoseconds) / 1_000_000
        let frames = buffer.withUnsafeReadableBytes { bytes in
            direction == .client ? clientFrames.consume(bytes, tMs: tMs) : serverFrames.consume(bytes, tMs: tMs)
        }
        guard !frames.isEmpty else { return }
        capture.webSocketFrames.append(contentsOf: frames)
        scheduleUpdate()
    }

    /// Records the session as it stands once `updateInterval` has passed since the last time, so a burst
    /// of messages costs one update and the last of them is stored even if the socket then goes quiet.
    private func scheduleUpdate() {
        guard pendingUpdate == nil else { return }
        pendingUpdate = eventLoop.assumeIsolated().scheduleTask(deadline: lastRecorded + Self.updateInterval) { [self] in
            pendingUpdate = nil
            guard sidesClosed == 0 else { return }
            lastRecorded = .now()
            sink.record(sized(capture, bytesRead()))
        }
    }

    /// The session with the bytes read so far (client, upstream) as its request and response sizes.
    private func sized(_ capture: FlowCapture, _ bytes: (Int, Int)) -> FlowCapture {
        var capture = capture
        capture.request.body.count(bytes.0)
        capture.response?.body.count(bytes.1)
        return capture
    }

    func finished(bytesRead bytes: (Int, Int), now: NIODeadline) -> FlowCapture {
        pendingUpdate?.cancel()
        pendingUpdate = nil
        var capture = sized(self.capture, bytes)
        capture.timings.lastByteMs = Double((now - start).nanoseconds) / 1_000_000
        return capture
    }
}
