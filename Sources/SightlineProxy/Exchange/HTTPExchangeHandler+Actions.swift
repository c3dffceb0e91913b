import Foundation
import NIOCore
import NIOHTTP1
import SightlineCore
import SightlineGateway

/// Performing what the state machine asks, in one `switch`.
extension HTTPExchangeHandler {
    func run(_ action: HTTPExchangeStateMachine.Action) {
        switch action {
        case .none, .releaseConnection:
            break
        case .connect(let origin, let attempt, let fresh):
            connect(to: origin, attempt: attempt, fresh: fresh)
        case .sendUpstream(let parts, let flush):
            guard let upstream else { return }
            for part in parts { upstream.handler.send(part, flush: false) }
            if flush, !inClientRead { upstream.channel.flush() }
            resumeReadsIfPossible()
        case .writeResponseHead(let head):
            context?.write(wrapOutboundOut(.head(head)), promise: nil)
        case .upgrade(let head, let record, let start):
            guard let context, let connection = upstream else { return }
            upstream = nil
            connection.handler.delegate = nil
            queued.removeAll()
            WebSocketRelay.start(head: head, record: record, exchangeStart: start, capBytes: services.configuration.bodyCapBytes,
                                 exchange: self, context: context,
                                 upstream: connection, sink: services.sink)
        case .writeResponseBody(let buffer):
            context?.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        case .finishResponse(let trailers, let record, let cache, let disposition, let closeClient):
            // Recorded before the last write: a close can complete inside it, and must not find the exchange open.
            services.sink.record(record)
            if let cache {
                services.responseCache.store(key: cache.key, bucketSize: cache.bucketSize, response: CachedResponse(
                    status: cache.copy.status, reason: cache.copy.reason, headers: cache.copy.headers, body: cache.copy.body,
                    storedAt: Date(), maxAgeSeconds: cache.maxAgeSeconds))
            }
            letGoOfUpstream(disposition)
            writeEnd(trailers, thenClose: closeClient)
        case .answer(let answer, let record, let disposition, let closeClient):
            if let record { services.sink.record(record) }
            letGoOfUpstream(disposition)
            write(answer, thenClose: closeClient)
        case .cutResponse(let last, let record):
            context?.write(wrapOutboundOut(.body(.byteBuffer(last))), promise: nil)
            services.sink.record(record)
            letGoOfUpstream(.close)
            context?.flush()
            context?.close(promise: nil)
        case .closeConnection(let record, let disposition):
            if let record { services.sink.record(record) }
            letGoOfUpstream(disposition)
            context?.close(promise: nil)
        case .checkGateway(let check):
            if services.sharedGatewayState != nil, let context {
                checkShared(check, on: context.eventLoop)
            } else {
                run(machine.gatewayChecked(services.gatewayCheck(check), now: .now()))
            }
        case .nextAttempt(let afterMs, let attempt, let dropUpstream):
            if dropUpstream { letGoOfUpstream(.close) }
            guard afterMs > 0, let context else {
                run(machine.attemptDue(attempt, now: .now(), jitter: Self.jitter()))
                return
            }
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(afterMs))) { [weak self] in
                guard let self else { return }
                run(machine.attemptDue(attempt, now: .now(), jitter: Self.jitter()))
            }
        case .closeUpstream:
            letGoOfUpstream(.close)
        }
    }

    /// The connection in hand when it goes to `origin` (an intercepted connection's first request), else one
    /// from the pool of this event loop, else a new one. `fresh` takes only one that has carried no request.
    private func connect(to origin: Origin, attempt: UInt64, fresh: Bool) {
        if let upstream, upstream.origin == origin, upstream.isReusable, !(fresh && upstream.handler.hasCarriedRequest) {
            run(machine.upstreamConnected(attempt: attempt, connectedAt: nil, tlsDoneAt: nil, now: .now()))
            return
        }
        letGoOfUpstream(.reuse)
        guard let context else { return }
        switch services.pool.checkout(origin, on: context.eventLoop, fresh: fresh) {
        case .ready(let connection):
            adopt(connection, attempt: attempt, reused: true)
        case .connecting(let future):
            future.assumeIsolated().whenComplete { [self] result in
                switch result {
                case .success(let connection):
                    adopt(connection, attempt: attempt, reused: false)
                case .failure(let error):
                    let failure = error as? ProxyError
                        ?? .connecting(to: origin.description, error: error, timeout: services.configuration.connectTimeout)
                    services.logger.warning("upstream failed", metadata: ["target": "\(origin)", "error": "\(failure.reason)"])
                    run(machine.upstreamConnectFailed(attempt: attempt, error: failure, now: .now(), jitter: Self.jitter()))
                }
            }
        }
    }

    private func adopt(_ connection: UpstreamConnection, attempt: UInt64, reused: Bool) {
        let action = machine.upstreamConnected(attempt: attempt, connectedAt: reused ? nil : connection.connectedAt,
                                               tlsDoneAt: reused ? nil : connection.tlsDoneAt, now: .now())
        if case .releaseConnection = action {
            services.pool.release(connection)
            return
        }
        upstream = connection
        connection.handler.delegate = self
        connection.handler.setReadsPaused(!(context?.channel.isWritable ?? true))
        run(action)
    }

    /// Gives the exchange's upstream connection back to the pool (`.reuse`) or closes it.
    func letGoOfUpstream(_ disposition: HTTPExchangeStateMachine.UpstreamDisposition) {
        guard let connection = upstream else { return }
        upstream = nil
        connection.handler.delegate = nil
        switch disposition {
        case .reuse: services.pool.release(connection)
        case .close: connection.close()
        }
    }

    private func writeEnd(_ trailers: HTTPHeaders?, thenClose close: Bool) {
        guard let context else { return }
        let written = context.writeAndFlush(wrapOutboundOut(.end(trailers)))
        afterWrite(written, close: close)
    }

    /// The one writer of locally made answers.
    private func write(_ answer: LocalAnswer, thenClose close: Bool) {
        guard let context else { return }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: answer.status, headers: answer.headers))), promise: nil)
        if !answer.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: answer.body)))), promise: nil)
        }
        afterWrite(context.writeAndFlush(wrapOutboundOut(.end(nil))), close: close)
    }

    private func afterWrite(_ written: EventLoopFuture<Void>, close: Bool) {
        if close {
            written.assumeIsolated().whenComplete { [weak self] _ in self?.context?.close(promise: nil) }
        } else {
            drainQueue()
        }
    }
}

extension ProxyServices {
    /// Asks the rate limiter, then (when admitted) the cache, for a held gateway request. Both answer from memory.
    func gatewayCheck(_ check: GatewayCheck) -> GatewayCheckResult {
        var result = GatewayCheckResult()
        let now = Date()
        if let (policy, segment) = check.rateLimit {
            let decision = rateLimiter.admit(policy: policy, segment: segment, now: now.timeIntervalSince1970)
            result.rateLimit = decision
            if !decision.allowed { return result }
        }
        if let (key, bucketSize) = check.cacheKey {
            result.cacheHit = responseCache.lookup(key: key, bucketSize: bucketSize, now: now)
        }
        return result
    }
}
