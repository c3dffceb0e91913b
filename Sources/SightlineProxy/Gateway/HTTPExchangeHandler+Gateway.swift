import Foundation
import NIOCore
import NIOHTTP1
import SightlineCore
import SightlineGateway
import SightlineLLM

/// The gateway features on the relay: a request that asked for them is held whole, checked against
/// its rate limit and the cache, then sent by attempts (retries, fallbacks, injected faults) until one
/// answer is delivered. Nothing of a response reaches the client until its attempt is final.
extension HTTPExchangeHandler {
    func gatewayRequestComplete(_ exchange: Exchange) {
        guard let gateway = exchange.gateway else { return }
        gateway.primaryUpstreamOrigin = exchange.upstreamOrigin
        gateway.primaryHead = exchange.upstreamHead
        if exchange.capture.request.body.isTruncated {
            answerLocally(exchange, status: 413, type: "request_too_large",
                          message: "the request body is larger than --body-cap and cannot be held for the cache or retries")
            return
        }
        for fallback in gateway.options.fallbacks {
            guard let target = Origin(parsing: fallback.targetURL) else { continue }
            if let refusal = services.relayGuard.refusal(host: target.host, port: target.port, client: context?.channel.remoteAddress) {
                answerLocally(exchange, status: 403, type: "forbidden", message: "fallback target refused: \(refusal)")
                return
            }
        }
        let now = Date()
        if let policy = gateway.options.rateLimit {
            let segment = gateway.rateLimitSegment(policy, exchange: exchange)
            let decision = services.rateLimiter.admit(policy: policy, segment: segment, now: now.timeIntervalSince1970)
            exchange.capture.gateway?.rateLimitPolicy = policy.text
            exchange.capture.gateway?.rateLimitSegment = segment
            gateway.rateLimitHeaders = [("RateLimit-Limit", "\(policy.quota)"), ("RateLimit-Remaining", "\(decision.remaining)"),
                                        ("RateLimit-Policy", policy.text), ("RateLimit-Reset", "\(decision.resetSeconds)")]
            guard decision.allowed else {
                exchange.capture.gateway?.rateLimited = true
                answerLocally(exchange, status: 429, type: "rate_limit",
                              message: "rate limit \(policy.text) exceeded; retry in \(decision.resetSeconds) s",
                              headers: gateway.rateLimitHeaders + [("Retry-After", "\(decision.resetSeconds)")])
                return
            }
        }
        if let policy = gateway.options.cache {
            var body: [UInt8] = []
            for buffer in gateway.requestBody { buffer.withUnsafeReadableBytes { body.append(contentsOf: $0) } }
            let key = CacheKey(method: exchange.capture.request.method, url: exchange.capture.upstreamURL ?? exchange.capture.request.url,
                               headers: exchange.capture.request.headers, body: body, policy: policy)
            gateway.cacheKey = key
            exchange.capture.gateway?.cacheKey = key.hex
            if let (hit, index) = services.responseCache.lookup(key: key.hex, bucketSize: policy.bucketSize, now: now) {
                exchange.capture.gateway?.cache = "HIT"
                exchange.capture.gateway?.cacheBucketIndex = policy.bucketSize > 1 ? index : nil
                replay(hit, for: exchange)
                return
            }
            exchange.capture.gateway?.cache = "MISS"
        }
        if let fault = gateway.options.fault, fault.status != nil || fault.delayMs != nil || fault.cutAfterEvents != nil {
            exchange.capture.gateway?.injectedFault = gateway.options.headers["fault"]
        }
        let start = gateway.machine.start()
        if let delay = gateway.options.fault?.delayMs, delay > 0, let context {
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(delay))) { [weak self] in
                self?.perform(start, for: exchange)
            }
        } else {
            perform(start, for: exchange)
        }
    }

    private func perform(_ action: GatewayAttemptStateMachine.Action, for exchange: Exchange) {
        guard self.exchange === exchange, let context else { return }
        switch action {
        case .send(let targetIndex, let afterMs) where afterMs > 0:
            context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(afterMs))) { [weak self] in
                self?.sendAttempt(to: targetIndex, for: exchange)
            }
        case .send(let targetIndex, _):
            sendAttempt(to: targetIndex, for: exchange)
        case .deliver:
            break
        }
    }

    private func sendAttempt(to targetIndex: Int, for exchange: Exchange) {
        guard self.exchange === exchange, !isClosing, let gateway = exchange.gateway,
              let primaryOrigin = gateway.primaryUpstreamOrigin, let primaryHead = gateway.primaryHead else { return }
        // An injected status stands in for the upstream's answer on the attempts it names.
        if let status = gateway.options.fault?.injectsStatus(onAttempt: gateway.machine.totalAttempts - 1) {
            exchange.capture.gateway?.attempts.append(.init(target: "Sightline-Fault", status: status, error: "injected", tMs: exchange.ms()))
            let action = gateway.machine.attemptEnded(status: status, retryAfterSeconds: nil, jitter: Double.random(in: -0.2...0.2))
            if case .send = action {
                perform(action, for: exchange)
            } else {
                answerLocally(exchange, status: status, type: "injected_fault",
                              message: "status \(status) injected by Sightline-Fault", headers: [])
            }
            return
        }
        var head = primaryHead
        var origin = primaryOrigin
        var body = gateway.requestBody
        if targetIndex > 0 {
            let fallback = gateway.options.fallbacks[targetIndex - 1]
            guard let target = Origin(parsing: fallback.targetURL) else { return }
            origin = services.configuration.mapped(target)
            head.uri = Self.basePath(of: fallback.targetURL) + primaryHead.uri
            head.headers.replaceOrAdd(name: "Host", value: origin.authority)
            for (name, value) in fallback.headers where !FlowAnnotations.isStripped(name, towardHelicone: false) {
                head.headers.replaceOrAdd(name: name, value: value)
            }
            if !fallback.bodyKeyOverride.isEmpty {
                var bytes: [UInt8] = []
                for buffer in body { buffer.withUnsafeReadableBytes { bytes.append(contentsOf: $0) } }
                if case .object(var object)? = JSONValue.parse(bytes) {
                    for (key, value) in fallback.bodyKeyOverride { object[key] = value }
                    let text = JSONValue.object(object).canonicalText
                    body = [ByteBuffer(string: text)]
                    head.headers.remove(name: "transfer-encoding")
                    head.headers.replaceOrAdd(name: "Content-Length", value: "\(text.utf8.count)")
                }
            }
            exchange.capture.upstreamURL = origin.description + head.uri
        }
        exchange.upstreamOrigin = origin
        exchange.upstreamHead = head
        exchange.bufferedParts = body.map { .body(.byteBuffer($0)) } + [.end(nil)]
        exchange.upstreamReady = false
        gateway.attemptInFlight = true
        gateway.attemptStartedAt = .now()
        connectUpstream(for: exchange)
    }

    /// An attempt failed before any response (refused, TLS, reset, timeout).
    func gatewayAttemptFailed(_ exchange: Exchange, error: ProxyError) {
        guard let gateway = exchange.gateway else { return }
        gateway.attemptInFlight = false
        exchange.capture.gateway?.attempts.append(.init(target: exchange.upstreamOrigin.description, status: nil, error: error.reason,
                                                        tMs: exchange.ms()))
        let action = gateway.machine.attemptEnded(status: nil, retryAfterSeconds: nil, jitter: Double.random(in: -0.2...0.2))
        if case .send = action {
            perform(action, for: exchange)
        } else {
            respondWithError(error, for: exchange)
        }
    }

    /// A failed attempt's response has been drained: drop its connection and make the next attempt.
    func gatewayDiscardedAttemptEnded(_ exchange: Exchange) {
        guard let gateway = exchange.gateway, let action = gateway.pendingAction else { return }
        gateway.discarding = false
        gateway.pendingAction = nil
        upstream?.handler.delegate = nil
        upstream?.close()
        upstream = nil
        perform(action, for: exchange)
    }

    /// Forwards a delivered response's body, keeping a copy for the cache and honouring `cut-after`.
    func gatewayForward(_ buffer: ByteBuffer, gateway: GatewayRun, exchange: Exchange, context: ChannelHandlerContext) {
        var buffer = buffer
        var cutNow = false
        if let keep = gateway.bytesBeforeCut(buffer) {
            buffer = buffer.getSlice(at: buffer.readerIndex, length: keep) ?? buffer
            cutNow = true
        }
        exchange.appendResponseBody(buffer)
        gateway.tee(buffer, capBytes: services.configuration.bodyCapBytes)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        guard cutNow else { return }
        gateway.cut = true
        exchange.capture.timings.lastByteMs = exchange.ms()
        upstream?.handler.delegate = nil
        upstream?.close()
        upstream = nil
        // Recorded before the close, whose inactive event would otherwise record a client disconnect.
        finish(exchange, error: .injected("stream cut after \(gateway.eventsForwarded) events by Sightline-Fault"))
        context.flush()
        context.close(promise: nil)
    }

    /// Answers a cache hit locally: the stored status, headers and body (a stored stream replays as the same events).
    private func replay(_ hit: CachedResponse, for exchange: Exchange) {
        guard let context, let gateway = exchange.gateway else { return }
        exchange.capture.timings.firstByteMs = exchange.ms()
        var headers = HTTPHeaders(hit.headers)
        headers.replaceOrAdd(name: "Content-Length", value: "\(hit.body.count)")
        if exchange.capture.mode == .gateway { headers.add(name: "Sightline-Id", value: exchange.capture.id.description) }
        for (name, value) in gateway.responseHeaders(exchange: exchange) { headers.add(name: name, value: value) }
        if exchange.clientWantsClose { headers.add(name: "Connection", value: "close") }
        var body = CapturedBody(capBytes: services.configuration.bodyCapBytes)
        body.append(hit.body)
        exchange.capture.response = CapturedResponse(status: hit.status, reason: hit.reason, httpVersion: "HTTP/1.1",
                                                     headers: hit.headers.map { HeaderField($0.0, $0.1) }, body: body)
        exchange.capture.responseChunks = [ChunkArrival(endOffset: hit.body.count, tMs: exchange.ms())]
        exchange.responseHeadSent = true
        let status = HTTPResponseStatus(statusCode: hit.status, reasonPhrase: hit.reason)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: hit.body)))), promise: nil)
        endLocalAnswer(exchange, context: context)
    }

    /// Answers without the upstream (rate limited, injected status, too large), as JSON
    /// `{"error":{"type","message"}}` with `Sightline-Error`, and records it as the flow's response.
    private func answerLocally(_ exchange: Exchange, status: Int, type: String, message: String, headers extra: [(String, String)] = []) {
        guard let context else { return }
        let gateway = exchange.gateway
        exchange.capture.timings.firstByteMs = exchange.ms()
        let text = #"{"error":{"type":"# + Self.jsonString(type) + #","message":"# + Self.jsonString(message) + "}}"
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(text.utf8.count)"),
                                   ("Sightline-Error", type)])
        if exchange.capture.mode == .gateway { headers.add(name: "Sightline-Id", value: exchange.capture.id.description) }
        for (name, value) in extra { headers.add(name: name, value: value) }
        if let gateway {
            for (name, value) in gateway.responseHeaders(exchange: exchange) where !extra.contains(where: { $0.0 == name }) {
                headers.add(name: name, value: value)
            }
        }
        if exchange.clientWantsClose { headers.add(name: "Connection", value: "close") }
        let httpStatus = HTTPResponseStatus(statusCode: status)
        var body = CapturedBody(capBytes: services.configuration.bodyCapBytes)
        body.append(Array(text.utf8))
        exchange.capture.response = CapturedResponse(status: status, reason: httpStatus.reasonPhrase, httpVersion: "HTTP/1.1",
                                                     headers: headers.fields, body: body)
        exchange.responseHeadSent = true
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: httpStatus, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        endLocalAnswer(exchange, context: context)
    }

    private func endLocalAnswer(_ exchange: Exchange, context: ChannelHandlerContext) {
        exchange.capture.timings.lastByteMs = exchange.ms()
        settle(exchange, error: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if exchange.clientWantsClose {
            written.assumeIsolated().whenComplete { [weak self] _ in self?.context?.close(promise: nil) }
        }
        drainQueue()
    }

    static func basePath(of url: String) -> String {
        guard var path = RequestRouter.originForm(of: url) else { return "" }
        if let q = path.firstIndex(of: "?") { path = String(path[..<q]) }
        while path.hasSuffix("/") { path.removeLast() }
        return path
    }

    static func jsonString(_ text: String) -> String {
        JSONValue.string(text).canonicalText
    }
}
