import NIOCore
import NIOHTTP1
import SightlineCore
import SightlineGateway

/// The life of the exchanges on one client connection, one at a time, as a value: events in (named for
/// what happened), one `Action` out for the handler to perform. No I/O, no clock, no randomness: time
/// (`now`) and jitter come in with the events, so every path can be tested as plain values.
///
/// A plain exchange streams: `connecting` → `awaitingResponse` → `responding` → `idle`. A gateway exchange
/// (cache, retries, fallbacks, rate limit, faults) is first held whole (`holdingRequest`), checked
/// (`checkingGateway`), then sent by attempts (`waitingForAttempt` → `connecting` → `awaitingResponse`,
/// and `drainingAttempt` for an answer that is retried), and only the final attempt is relayed.
struct HTTPExchangeStateMachine {
    /// Internal rather than private only because the machine spans three files (request, response, gateway);
    /// nothing outside `HTTPExchangeStateMachine*.swift` reads or writes it.
    enum State {
        /// Between exchanges: the next request head is awaited.
        case idle
        /// A request answered before its end (refused, failed): its remaining parts are dropped.
        case discardingRequest
        /// Gateway: the request is read whole before anything leaves (the cache key and retries need it).
        case holdingRequest(Exchange)
        /// Gateway: the handler consults the rate limiter and the cache.
        case checkingGateway(Exchange)
        /// Gateway: the next attempt (to target `target`) waits for its back-off or injected delay.
        case waitingForAttempt(Exchange, target: Int)
        /// The upstream is being reached; what is to be sent waits in `pending` (head first).
        case connecting(Exchange, pending: [HTTPClientRequestPart])
        /// The request is (or is being) sent; no response head yet.
        case awaitingResponse(Exchange)
        /// Gateway: a failed attempt's response is read to its end and dropped; then `next`.
        case drainingAttempt(Exchange, next: GatewayAttempts.Action)
        /// The response head went to the client; the body streams.
        case responding(Exchange, ResponseProgress)
        /// The upstream answered a WebSocket handshake with `101`: both connections now belong to a byte relay
        /// (`WebSocketRelay`), and no HTTP event reaches the machine again.
        case upgraded
        /// The connection is closing or closed: every event is ignored.
        case closed
        /// Only while a payload is being changed, so that its buffers stay uniquely referenced (no copy per chunk).
        case modifying
    }

    /// What happens to the upstream connection an exchange used.
    enum UpstreamDisposition: Equatable {
        /// Back to the pool: the exchange ended cleanly on a keep-alive connection.
        case reuse
        case close
    }

    enum Action {
        case none
        /// Get a connection to `origin` (from the pool, or new) and report it as `attempt`. `fresh`: one that has
        /// carried no request, for a WebSocket handshake (the upgrade consumes the connection, and servers
        /// built on common upgrade handlers, NIO's among them, only upgrade a connection's first request).
        case connect(Origin, attempt: UInt64, fresh: Bool)
        /// Send these parts on the exchange's upstream connection (`flush`: now, not at the read's end).
        case sendUpstream([HTTPClientRequestPart], flush: Bool)
        case writeResponseHead(HTTPResponseHead)
        /// Write the `101` and hand both connections to a WebSocket relay, which records `record` when both have closed.
        case upgrade(HTTPResponseHead, record: FlowCapture, start: NIODeadline)
        case writeResponseBody(ByteBuffer)
        /// Record, write the end, then store in the cache, release or close the upstream, maybe close the client.
        case finishResponse(trailers: HTTPHeaders?, record: FlowCapture, cache: CacheEntry?, upstream: UpstreamDisposition, closeClient: Bool)
        /// Record (when there is a flow), then write a locally made answer.
        case answer(LocalAnswer, record: FlowCapture?, upstream: UpstreamDisposition, closeClient: Bool)
        /// Write the last part of a body that `cut-after` ends, record, and close both sides.
        case cutResponse(last: ByteBuffer, record: FlowCapture)
        /// The connection ends: record the exchange in flight (if any), release or close the upstream, close the client.
        case closeConnection(record: FlowCapture?, upstream: UpstreamDisposition)
        /// Ask the rate limiter and the cache; answer with `gatewayChecked`.
        case checkGateway(GatewayCheck)
        /// Call `attemptDue(attempt)` after `afterMs` (0: at once); `dropUpstream`: close the failed attempt's connection first.
        case nextAttempt(afterMs: Int, attempt: UInt64, dropUpstream: Bool)
        /// The connection in hand is not needed (idle, timed out): close it.
        case closeUpstream
        /// A connection arrived for an attempt no longer wanted: give it back to the pool.
        case releaseConnection
    }

    var state = State.idle
    /// Numbers each connect and each scheduled attempt, so that a late answer to an old one is recognised.
    private var attemptNumber: UInt64 = 0
    let configuration: ProxyConfiguration

    init(configuration: ProxyConfiguration) {
        self.configuration = configuration
    }

    var isIdle: Bool { if case .idle = state { true } else { false } }
    /// Closed, or no longer HTTP (upgraded): no more requests are read.
    var isClosed: Bool {
        switch state {
        case .closed, .upgraded: true
        default: false
        }
    }

    /// Whether reading from the client should wait: the upstream cannot take more, or a request is complete
    /// and held while the next one (pipelined) would have to wait anyway.
    func clientReadsShouldWait(upstreamWritable: Bool) -> Bool {
        switch state {
        case .idle, .discardingRequest, .holdingRequest, .upgraded, .closed, .modifying: false
        case .checkingGateway, .waitingForAttempt, .drainingAttempt: true
        case .connecting(let exchange, let pending): exchange.gateway != nil || pending.count > 16
        case .awaitingResponse(let exchange), .responding(let exchange, _): exchange.gateway == nil && !upstreamWritable
        }
    }

    // MARK: Helpers shared by the extensions

    /// The exchange in flight, leaving `modifying` in its place (the caller sets the next state).
    mutating func takeExchange() -> Exchange? {
        switch state {
        case .holdingRequest(let exchange), .checkingGateway(let exchange), .waitingForAttempt(let exchange, _),
             .connecting(let exchange, _), .awaitingResponse(let exchange), .drainingAttempt(let exchange, _),
             .responding(let exchange, _):
            state = .modifying
            return exchange
        case .idle, .discardingRequest, .upgraded, .closed, .modifying:
            return nil
        }
    }

    /// Answers an exchange that reached no response with a plain-text error, and records it.
    mutating func respondWithError(_ exchange: Exchange, _ error: ProxyError, now: NIODeadline) -> Action {
        var exchange = exchange
        let closeAfter = !exchange.requestComplete || exchange.clientWantsClose
        exchange.fail(error, now: now, endsResponse: true)
        state = closeAfter ? .closed : .idle
        return .answer(.plainError(error.httpStatus, kind: error.code, close: closeAfter, reason: error.reason),
                       record: exchange.capture, upstream: .close, closeClient: closeAfter)
    }

    mutating func nextAttemptNumber() -> UInt64 {
        attemptNumber += 1
        return attemptNumber
    }

    func isCurrent(attempt number: UInt64) -> Bool { number == attemptNumber }
}

extension Exchange {
    /// Marks the exchange failed with `error` (`endsResponse`: no more response bytes will come).
    mutating func fail(_ error: ProxyError, now: NIODeadline, endsResponse: Bool) {
        if endsResponse || capture.response != nil { capture.timings.lastByteMs = ms(now) }
        capture.error = error.reason
        capture.errorKind = error.code
    }
}
