import NIOCore
import NIOHTTP1
import SightlineCore
import SightlineGateway

/// One request/response on a client connection: where it goes and what has been seen of it.
/// A value the state machine owns; the handler never keeps one.
struct Exchange {
    let start: NIODeadline
    /// Where this attempt goes (after routing, `--map-remote` and any fallback).
    var origin: Origin
    /// The head sent upstream: origin-form target, hop-by-hop headers removed, rules applied.
    var head: HTTPRequestHead
    let clientWantsClose: Bool
    /// The request is a WebSocket handshake passed on as such: a `101` turns the connection into a relay.
    var upgradesToWebSocket = false
    var requestComplete = false
    var capture: FlowCapture
    /// Present when the request asked for gateway features: it is then held whole and sent by attempts.
    var gateway: GatewayExchange?

    func ms(_ now: NIODeadline) -> Double { Double((now - start).nanoseconds) / 1_000_000 }

    /// Adds an attempt to the flow's gateway record (what `Sightline-Attempts` counts, with its time).
    mutating func recordAttempt(target: String, status: Int?, error: String?, now: NIODeadline) {
        let tMs = ms(now)
        capture.gateway?.attempts.append(.init(target: target, status: status, error: error, tMs: tMs))
    }

    mutating func captureRequestBody(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { capture.request.body.append($0) }
    }
}

/// The gateway's part of an exchange: the held request, its attempts, and what goes into the answer.
struct GatewayExchange {
    let options: GatewayOptions
    var attempts: GatewayAttempts
    /// The origin and head of the primary target, kept for its retries.
    let primaryOrigin: Origin
    let primaryHead: HTTPRequestHead
    var body: [ByteBuffer] = []
    var cacheKey: CacheKey?
    var rateLimitHeaders: [(String, String)] = []
    /// Time spent waiting on upstreams (request out → response head), summed over attempts.
    var upstreamWait = TimeAmount.zero
    var attemptStartedAt: NIODeadline?
    var cutCounter: SSEEventCounter?

    init(options: GatewayOptions, primaryOrigin: Origin, primaryHead: HTTPRequestHead) {
        self.options = options
        self.attempts = GatewayAttempts(retry: options.retry, fallbacks: options.fallbacks)
        self.primaryOrigin = primaryOrigin
        self.primaryHead = primaryHead
        self.cutCounter = options.fault?.cutAfterEvents.map(SSEEventCounter.init(limit:))
    }

    var prefix: String { options.headers.responsePrefix }
}

/// What the relay keeps while a response streams to the client.
struct ResponseProgress {
    /// `text/event-stream`, NDJSON or AWS event stream: chunk arrival times are kept for event timing.
    let tracksChunkTimes: Bool
    /// The upstream said `Connection: close` (or spoke HTTP/1.0): its connection is not reused.
    let upstreamWantsClose: Bool
    /// A copy of a 200 for the gateway cache, while it fits the body cap.
    var cacheCopy: CacheCopy?
}

/// A gateway response being copied for the cache.
struct CacheCopy {
    var status: Int
    var reason: String
    var headers: [(String, String)]
    var body: [UInt8] = []
}

extension HTTPHeaders {
    /// Headers as recorded: wire order, original case.
    var fields: [HeaderField] { map { HeaderField($0.name, $0.value) } }
}

extension HTTPVersion {
    var text: String { "HTTP/\(major).\(minor)" }
}
