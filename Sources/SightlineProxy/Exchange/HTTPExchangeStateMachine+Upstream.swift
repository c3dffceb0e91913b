import NIOCore
import NIOHTTP1
import SightlineCore
import SightlineGateway

/// Upstream events: the connection is there (or not), the response's head, body and end, its silence or loss.
extension HTTPExchangeStateMachine {
    /// The connection asked for by `.connect(…, attempt)` is ready. `connectedAt`/`tlsDoneAt`: when it was set
    /// up, nil when it was reused (from the pool or the CONNECT).
    mutating func upstreamConnected(attempt number: UInt64, connectedAt: NIODeadline?, tlsDoneAt: NIODeadline?, now: NIODeadline) -> Action {
        guard isCurrent(attempt: number), case .connecting(var exchange, let pending) = state else { return .releaseConnection }
        state = .modifying
        exchange.capture.timings.upstreamConnectedMs = connectedAt.map { max(0, exchange.ms($0)) } ?? 0
        if let tlsDoneAt { exchange.capture.timings.tlsDoneMs = max(0, exchange.ms(tlsDoneAt)) }
        if exchange.requestComplete { exchange.capture.timings.requestSentMs = exchange.ms(now) }
        state = .awaitingResponse(exchange)
        return .sendUpstream(pending, flush: true)
    }

    mutating func upstreamConnectFailed(attempt number: UInt64, error: ProxyError, now: NIODeadline, jitter: Double) -> Action {
        guard isCurrent(attempt: number), case .connecting(let exchange, _) = state else { return .none }
        state = .modifying
        if exchange.gateway != nil { return attemptFailed(exchange, error, now: now, jitter: jitter) }
        return respondWithError(exchange, error, now: now)
    }

    mutating func responseHeadReceived(_ head: HTTPResponseHead, now: NIODeadline, jitter: Double) -> Action {
        guard case .awaitingResponse(var exchange) = state else { return .none }
        state = .modifying
        if head.status == .switchingProtocols {
            guard exchange.upgradesToWebSocket else {
                return respondWithError(exchange, .upstreamProtocol(exchange.origin.description,
                                                                    "101 Switching Protocols to a request that asked for no upgrade"), now: now)
            }
            return upgrade(head, exchange, now: now)
        }
        if var gateway = exchange.gateway {
            let status = Int(head.status.code)
            if let started = gateway.attemptStartedAt { gateway.upstreamWait = gateway.upstreamWait + (now - started) }
            exchange.recordAttempt(target: exchange.origin.description, status: status, error: nil, now: now)
            let retryAfter = head.headers.first(name: "retry-after").flatMap(Double.init)
            let next = gateway.attempts.attemptEnded(status: status, retryAfterSeconds: retryAfter, jitter: jitter)
            exchange.gateway = gateway
            if case .send = next {
                state = .drainingAttempt(exchange, next: next)
                return .none
            }
        }
        return deliver(head, exchange, now: now)
    }

    /// The handshake's answer goes to the client whole (its `Upgrade`, `Connection` and `Sec-WebSocket-*` belong
    /// to the handshake), and the connection stops being HTTP.
    private mutating func upgrade(_ head: HTTPResponseHead, _ exchange: Exchange, now: NIODeadline) -> Action {
        var exchange = exchange
        exchange.capture.timings.firstByteMs = exchange.ms(now)
        exchange.capture.response = CapturedResponse(
            status: Int(head.status.code), reason: head.status.reasonPhrase, httpVersion: head.version.text,
            headers: head.headers.fields, body: CapturedBody(capBytes: 0))
        var headers = head.headers
        for (name, value) in Self.flowIDHeaders(exchange) { headers.add(name: name, value: value) }
        state = .upgraded
        return .upgrade(HTTPResponseHead(version: .http1_1, status: head.status, headers: headers), record: exchange.capture,
                        start: exchange.start)
    }

    private mutating func deliver(_ head: HTTPResponseHead, _ exchange: Exchange, now: NIODeadline) -> Action {
        var exchange = exchange
        exchange.capture.timings.firstByteMs = exchange.ms(now)
        exchange.capture.response = CapturedResponse(
            status: Int(head.status.code), reason: head.status.reasonPhrase, httpVersion: head.version.text,
            headers: head.headers.fields, body: CapturedBody(capBytes: configuration.bodyCapBytes))
        var progress = ResponseProgress(tracksChunkTimes: ResponseProgress.isStreaming(head.headers.first(name: "content-type")),
                                        upstreamWantsClose: HopByHopHeaders.wantsClose(head.headers, version: head.version))
        var headers = HopByHopHeaders.strip(head.headers)
        for (name, value) in Self.flowIDHeaders(exchange) { headers.add(name: name, value: value) }
        if let gateway = exchange.gateway {
            exchange.capture.gateway?.fallbackIndex = gateway.options.fallbacks.isEmpty ? nil : gateway.attempts.targetIndex
            if gateway.options.cache != nil, gateway.cacheKey != nil, head.status.code == 200 {
                progress.cacheCopy = CacheCopy(status: 200, reason: head.status.reasonPhrase, headers: head.headers
                    .filter { !["connection", "keep-alive", "transfer-encoding", "content-length"].contains($0.name.lowercased()) }
                    .map { ($0.name, $0.value) })
            }
            for (name, value) in gatewayResponseHeaders(&exchange, now: now) { headers.add(name: name, value: value) }
        }
        if exchange.clientWantsClose { headers.add(name: "Connection", value: "close") }
        state = .responding(exchange, progress)
        return .writeResponseHead(HTTPResponseHead(version: .http1_1, status: head.status, headers: headers))
    }

    mutating func responseBodyReceived(_ buffer: ByteBuffer, now: NIODeadline) -> Action {
        guard case .responding(var exchange, var progress) = state else { return .none }
        state = .modifying
        var buffer = buffer
        var cut = false
        if var counter = exchange.gateway?.cutCounter {
            if let keep = counter.bytesBeforeLimit(of: buffer.readableBytesView) {
                buffer = buffer.getSlice(at: buffer.readerIndex, length: keep) ?? buffer
                cut = true
            }
            exchange.gateway?.cutCounter = counter
        }
        buffer.withUnsafeReadableBytes { exchange.capture.response?.body.append($0) }
        if progress.tracksChunkTimes, let total = exchange.capture.response?.body.totalBytes {
            exchange.capture.responseChunks.append(ChunkArrival(endOffset: total, tMs: exchange.ms(now)))
        }
        if progress.cacheCopy != nil {
            if progress.cacheCopy!.body.count + buffer.readableBytes > configuration.bodyCapBytes {
                progress.cacheCopy = nil
            } else {
                buffer.withUnsafeReadableBytes { progress.cacheCopy!.body.append(contentsOf: $0) }
            }
        }
        if cut {
            let events = exchange.gateway?.cutCounter?.events ?? 0
            exchange.fail(.injected("stream cut after \(events) events by Sightline-Fault"), now: now, endsResponse: true)
            state = .closed
            return .cutResponse(last: buffer, record: exchange.capture)
        }
        state = .responding(exchange, progress)
        return .writeResponseBody(buffer)
    }

    mutating func responseEndReceived(_ trailers: HTTPHeaders?, now: NIODeadline) -> Action {
        switch state {
        case .drainingAttempt(let exchange, let next):
            state = .modifying
            return scheduleAttempt(next, exchange, dropUpstream: true, now: now)
        case .responding(var exchange, let progress):
            state = .modifying
            var cache: CacheEntry?
            if let copy = progress.cacheCopy, let gateway = exchange.gateway, let key = gateway.cacheKey, let policy = gateway.options.cache {
                cache = CacheEntry(key: key.hex, bucketSize: policy.bucketSize, maxAgeSeconds: policy.maxAgeSeconds, copy: copy)
            }
            exchange.capture.timings.lastByteMs = exchange.ms(now)
            // A response that ends before its request did: the rest of the request would be read as the next one.
            let closeClient = exchange.clientWantsClose || !exchange.requestComplete
            let upstream: UpstreamDisposition = progress.upstreamWantsClose || !exchange.requestComplete ? .close : .reuse
            state = closeClient ? .closed : .idle
            return .finishResponse(trailers: trailers, record: exchange.capture, cache: cache, upstream: upstream, closeClient: closeClient)
        case .idle, .discardingRequest, .holdingRequest, .checkingGateway, .waitingForAttempt, .connecting, .awaitingResponse,
             .upgraded, .closed:
            return .none
        case .modifying:
            preconditionFailure("event during modification")
        }
    }

    /// The upstream sent nothing for `--upstream-idle-timeout`.
    mutating func upstreamIdleTimedOut(now: NIODeadline, jitter: Double) -> Action {
        let timeout = configuration.upstreamIdleTimeout
        return upstreamFailed(now: now, jitter: jitter, idleAction: .closeUpstream) { target, _ in
            .upstreamTimeout(target, after: timeout)
        }
    }

    /// The upstream connection closed or failed (`error` nil: a clean close). The handler has let go of it.
    mutating func upstreamClosed(error: (any Error)?, now: NIODeadline, jitter: Double) -> Action {
        let connectTimeout = configuration.connectTimeout
        return upstreamFailed(now: now, jitter: jitter, idleAction: .none) { target, started in
            .upstreamClosed(target, error: error, afterResponseStarted: started, connectTimeout: connectTimeout)
        }
    }

    /// The exchange's upstream is gone or useless: before a response, an error answer (or, under the gateway, the
    /// next attempt); a failed attempt being drained goes on to its next attempt; mid-response, the connection ends
    /// (closing without the final chunk is how HTTP/1.1 says "incomplete"). `idleAction` is for a connection with no
    /// exchange on it. `failure(target, responseStarted)` phrases the error.
    private mutating func upstreamFailed(now: NIODeadline, jitter: Double, idleAction: Action,
                                         failure: (String, Bool) -> ProxyError) -> Action {
        switch state {
        case .awaitingResponse(let exchange):
            state = .modifying
            let error = failure(exchange.origin.description, false)
            if exchange.gateway != nil { return attemptFailed(exchange, error, now: now, jitter: jitter) }
            return respondWithError(exchange, error, now: now)
        case .drainingAttempt(let exchange, let next):
            state = .modifying
            return scheduleAttempt(next, exchange, dropUpstream: true, now: now)
        case .responding(var exchange, _):
            state = .modifying
            exchange.fail(failure(exchange.origin.description, true), now: now, endsResponse: true)
            state = .closed
            return .closeConnection(record: exchange.capture, upstream: .close)
        case .idle, .discardingRequest, .holdingRequest, .checkingGateway, .waitingForAttempt:
            return idleAction
        case .connecting, .upgraded, .closed:
            // A connect in progress does not depend on a connection the handler already let go of.
            return .none
        case .modifying:
            preconditionFailure("event during modification")
        }
    }
}

/// What the gateway stores once a response has ended whole.
struct CacheEntry {
    var key: String
    var bucketSize: Int
    var maxAgeSeconds: Int
    var copy: CacheCopy
}

extension ResponseProgress {
    /// `text/event-stream`, NDJSON or Bedrock's `application/vnd.amazon.eventstream`: responses whose chunk
    /// arrival times are kept for event timing (only recorded; the relay is the same for every response).
    /// Byte-level on purpose: this runs for every response, and Foundation's string search is slow.
    static func isStreaming(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let bytes = Array(contentType.utf8.prefix(64)).map { $0 | 0x20 }
        func has(_ word: StaticString) -> Bool {
            let needle = Array(UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
            guard bytes.count >= needle.count else { return false }
            return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
        }
        return has("event-stream") || has("ndjson") || has("vnd.amazon.eventstream")
    }
}
