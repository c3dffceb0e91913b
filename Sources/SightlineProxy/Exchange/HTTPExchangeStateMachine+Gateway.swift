import Foundation
import NIOCore
import NIOHTTP1
import SightlineCore
import SightlineGateway
import SightlineLLM

/// What the handler is asked to look up for a held gateway request.
struct GatewayCheck: Sendable {
    var rateLimit: (policy: RateLimitPolicy, segment: String)?
    var cacheKey: (key: String, bucketSize: Int)?
}

/// What the rate limiter and the cache said.
struct GatewayCheckResult: Sendable {
    var rateLimit: SlidingWindow.Decision?
    var cacheHit: (response: CachedResponse, index: Int)?
}

/// Gateway events: the held request is complete, checked, and sent by attempts until one answer is delivered.
/// Nothing of a response reaches the client until its attempt is final.
extension HTTPExchangeStateMachine {
    mutating func gatewayRequestComplete(_ exchange: Exchange, now: NIODeadline) -> Action {
        var exchange = exchange
        guard var gateway = exchange.gateway else { return respondWithError(exchange, .badRequest("no gateway options"), now: now) }
        if exchange.capture.request.body.isTruncated {
            return answerLocally(exchange, status: 413, kind: .requestTooLarge, type: "request_too_large", now: now,
                                 message: "the request body is larger than --body-cap and cannot be held for the cache or retries")
        }
        var check = GatewayCheck()
        if let policy = gateway.options.rateLimit {
            let segment = policy.segment(annotations: exchange.capture.annotations, headers: exchange.capture.request.headers)
            exchange.capture.gateway?.rateLimitPolicy = policy.text
            exchange.capture.gateway?.rateLimitSegment = segment
            check.rateLimit = (policy, segment)
        }
        if let policy = gateway.options.cache {
            var body: [UInt8] = []
            for buffer in gateway.body { buffer.withUnsafeReadableBytes { body.append(contentsOf: $0) } }
            let key = CacheKey(method: exchange.capture.request.method, url: exchange.capture.upstreamURL ?? exchange.capture.request.url,
                               headers: exchange.capture.request.headers, body: body, policy: policy)
            gateway.cacheKey = key
            exchange.capture.gateway?.cacheKey = key.hex
            check.cacheKey = (key.hex, policy.bucketSize)
        }
        exchange.gateway = gateway
        state = .checkingGateway(exchange)
        return .checkGateway(check)
    }

    mutating func gatewayChecked(_ result: GatewayCheckResult, now: NIODeadline) -> Action {
        guard case .checkingGateway(var exchange) = state, var gateway = exchange.gateway else { return .none }
        state = .modifying
        if let decision = result.rateLimit, let policy = gateway.options.rateLimit {
            gateway.rateLimitHeaders = [("RateLimit-Limit", "\(policy.quota)"), ("RateLimit-Remaining", "\(decision.remaining)"),
                                        ("RateLimit-Policy", policy.text), ("RateLimit-Reset", "\(decision.resetSeconds)")]
            exchange.gateway = gateway
            guard decision.allowed else {
                exchange.capture.gateway?.rateLimited = true
                return answerLocally(exchange, status: 429, kind: .rateLimited, type: "rate_limit", now: now,
                                     message: "rate limit \(policy.text) exceeded; retry in \(decision.resetSeconds) s",
                                     headers: gateway.rateLimitHeaders + [("Retry-After", "\(decision.resetSeconds)")])
            }
        }
        if let policy = gateway.options.cache {
            if let (hit, index) = result.cacheHit {
                exchange.capture.gateway?.cache = "HIT"
                exchange.capture.gateway?.cacheBucketIndex = policy.bucketSize > 1 ? index : nil
                return replay(hit, exchange, now: now)
            }
            exchange.capture.gateway?.cache = "MISS"
        }
        if let fault = gateway.options.fault, fault.status != nil || fault.delayMs != nil || fault.cutAfterEvents != nil {
            exchange.capture.gateway?.injectedFault = gateway.options.headers["fault"]
        }
        let first = gateway.attempts.start()
        exchange.gateway = gateway
        guard case .send(let target, _) = first else { return respondWithError(exchange, .badRequest("no attempt to make"), now: now) }
        state = .waitingForAttempt(exchange, target: target)
        return .nextAttempt(afterMs: max(0, gateway.options.fault?.delayMs ?? 0), attempt: nextAttemptNumber(), dropUpstream: false)
    }

    /// The delay before attempt `number` is over: send it, or answer with the status a fault injects instead.
    mutating func attemptDue(_ number: UInt64, now: NIODeadline, jitter: Double) -> Action {
        guard isCurrent(attempt: number), case .waitingForAttempt(var exchange, let target) = state, var gateway = exchange.gateway else {
            return .none
        }
        state = .modifying
        if let status = gateway.options.fault?.injectsStatus(onAttempt: gateway.attempts.totalAttempts - 1) {
            exchange.recordAttempt(target: "Sightline-Fault", status: status, error: "injected", now: now)
            let next = gateway.attempts.attemptEnded(status: status, retryAfterSeconds: nil, jitter: jitter)
            exchange.gateway = gateway
            if case .send = next { return scheduleAttempt(next, exchange, dropUpstream: false, now: now) }
            return answerLocally(exchange, status: status, kind: .injectedFault, type: "injected_fault", now: now,
                                 message: "status \(status) injected by Sightline-Fault")
        }
        var head = gateway.primaryHead
        var origin = gateway.primaryOrigin
        var body = gateway.body
        if target > 0 {
            let fallback = gateway.options.fallbacks[target - 1]
            if let parsed = Origin(parsing: fallback.targetURL) { origin = configuration.mapped(parsed) }
            head.uri = Self.basePath(of: fallback.targetURL) + gateway.primaryHead.uri
            head.headers.replaceOrAdd(name: "Host", value: origin.authority)
            for (name, value) in fallback.headers where !FlowAnnotations.isStripped(name, towardHelicone: false) {
                head.headers.replaceOrAdd(name: name, value: value)
            }
            if !fallback.bodyKeyOverride.isEmpty, let text = Self.overriding(body, with: fallback.bodyKeyOverride) {
                body = [ByteBuffer(string: text)]
                head.headers.remove(name: "transfer-encoding")
                head.headers.replaceOrAdd(name: "Content-Length", value: "\(text.utf8.count)")
            }
            exchange.capture.upstreamURL = origin.description + head.uri
        }
        gateway.attemptStartedAt = now
        exchange.gateway = gateway
        exchange.origin = origin
        exchange.head = head
        state = .connecting(exchange, pending: [.head(head)] + body.map { .body(.byteBuffer($0)) } + [.end(nil)])
        return .connect(origin, attempt: nextAttemptNumber(), fresh: false)
    }

    /// An attempt failed before any response (refused, TLS, reset, timeout): retry, fall back, or answer the error.
    mutating func attemptFailed(_ exchange: Exchange, _ error: ProxyError, now: NIODeadline, jitter: Double) -> Action {
        var exchange = exchange
        exchange.recordAttempt(target: exchange.origin.description, status: nil, error: error.reason, now: now)
        guard var gateway = exchange.gateway else { return respondWithError(exchange, error, now: now) }
        let next = gateway.attempts.attemptEnded(status: nil, retryAfterSeconds: nil, jitter: jitter)
        exchange.gateway = gateway
        if case .send = next { return scheduleAttempt(next, exchange, dropUpstream: true, now: now) }
        return respondWithError(exchange, error, now: now)
    }

    /// Waits for the attempt `next` names (`.deliver` cannot follow a failed attempt: the answer in hand is relayed).
    mutating func scheduleAttempt(_ next: GatewayAttempts.Action, _ exchange: Exchange, dropUpstream: Bool, now: NIODeadline) -> Action {
        guard case .send(let target, let afterMs) = next else {
            return respondWithError(exchange, .upstreamReset(exchange.origin.description, afterResponseStarted: false), now: now)
        }
        state = .waitingForAttempt(exchange, target: target)
        return .nextAttempt(afterMs: afterMs, attempt: nextAttemptNumber(), dropUpstream: dropUpstream)
    }

    /// Headers the gateway adds to a delivered or local answer; records the time spent in Sightline.
    func gatewayResponseHeaders(_ exchange: inout Exchange, now: NIODeadline) -> [(String, String)] {
        guard let gateway = exchange.gateway else { return [] }
        let prefix = gateway.prefix
        var headers: [(String, String)] = []
        if let cache = exchange.capture.gateway?.cache { headers.append((prefix + "Cache", cache)) }
        if let key = gateway.cacheKey { headers.append(("Sightline-Cache-Key", key.hex)) }
        if let index = exchange.capture.gateway?.cacheBucketIndex { headers.append((prefix + "Cache-Bucket-Idx", "\(index)")) }
        if gateway.options.retry != nil || gateway.attempts.totalAttempts > 1 {
            headers.append(("Sightline-Attempts", "\(gateway.attempts.totalAttempts)"))
        }
        if !gateway.options.fallbacks.isEmpty { headers.append((prefix + "Fallback-Index", "\(gateway.attempts.targetIndex)")) }
        headers += gateway.rateLimitHeaders
        let gatewayMs = max(0, exchange.ms(now) - Double(gateway.upstreamWait.nanoseconds) / 1_000_000)
        exchange.capture.gateway?.gatewayMs = gatewayMs
        headers.append(("Sightline-Gateway-Ms", String(format: "%.2f", gatewayMs)))
        return headers + Self.prefixEchoes(headers, prefix: prefix)
    }

    /// A request that used only `Helicone-` headers gets every header above in that prefix too (GATEWAY.md: response
    /// headers use the prefix the request used): `Helicone-RateLimit-Limit` beside `RateLimit-Limit`, as Helicone
    /// sends them, and `Helicone-Gateway-Ms` beside `Sightline-Gateway-Ms`. Those already made in the prefix stay once.
    static func prefixEchoes(_ headers: [(String, String)], prefix: String) -> [(String, String)] {
        let own = "Sightline-"
        guard prefix != own else { return [] }
        return headers.compactMap { name, value in
            if name.hasPrefix(own) { return (prefix + name.dropFirst(own.count), value) }
            if name.hasPrefix("RateLimit-") { return (prefix + name, value) }
            return nil
        }
    }

    /// A gateway request's answer names its flow in `Sightline-Id`, and in `Helicone-Id` too when the request used
    /// Helicone's prefix.
    static func flowIDHeaders(_ exchange: Exchange) -> [(String, String)] {
        guard exchange.capture.mode == .gateway else { return [] }
        let header = ("Sightline-Id", exchange.capture.id.description)
        return [header] + prefixEchoes([header], prefix: exchange.gateway?.prefix ?? "Sightline-")
    }

    /// Answers without the upstream (rate limited, injected status, too large), recorded as the flow's response.
    private mutating func answerLocally(_ exchange: Exchange, status: Int, kind: FlowErrorKind, type: String, now: NIODeadline,
                                        message: String, headers extra: [(String, String)] = []) -> Action {
        var exchange = exchange
        exchange.capture.timings.firstByteMs = exchange.ms(now)
        var headers: [(String, String)] = []
        headers += Self.flowIDHeaders(exchange)
        headers += extra
        headers += gatewayResponseHeaders(&exchange, now: now).filter { header in !extra.contains { $0.0 == header.0 } }
        if exchange.clientWantsClose { headers.append(("Connection", "close")) }
        let answer = LocalAnswer.gatewayError(status, type: type, message: message, headers: headers)
        exchange.capture.errorKind = kind
        return finishLocally(answer, exchange, recorded: answer.captured(bodyCap: configuration.bodyCapBytes), now: now)
    }

    /// Answers a cache hit: the stored status, headers and body (a stored stream replays as the same events).
    private mutating func replay(_ hit: CachedResponse, _ exchange: Exchange, now: NIODeadline) -> Action {
        var exchange = exchange
        exchange.capture.timings.firstByteMs = exchange.ms(now)
        var headers = HTTPHeaders(hit.headers)
        headers.replaceOrAdd(name: "Content-Length", value: "\(hit.body.count)")
        for (name, value) in Self.flowIDHeaders(exchange) { headers.add(name: name, value: value) }
        for (name, value) in gatewayResponseHeaders(&exchange, now: now) { headers.add(name: name, value: value) }
        if exchange.clientWantsClose { headers.add(name: "Connection", value: "close") }
        let answer = LocalAnswer(status: HTTPResponseStatus(statusCode: hit.status, reasonPhrase: hit.reason), headers: headers, body: hit.body)
        exchange.capture.responseChunks = [ChunkArrival(endOffset: hit.body.count, tMs: exchange.ms(now))]
        let recorded = CapturedResponse(status: hit.status, reason: hit.reason, httpVersion: "HTTP/1.1",
                                        headers: hit.headers.map { HeaderField($0.0, $0.1) },
                                        body: CapturedBody(capBytes: configuration.bodyCapBytes, bytes: hit.body))
        return finishLocally(answer, exchange, recorded: recorded, now: now)
    }

    private mutating func finishLocally(_ answer: LocalAnswer, _ exchange: Exchange, recorded: CapturedResponse, now: NIODeadline) -> Action {
        var exchange = exchange
        exchange.capture.response = recorded
        exchange.capture.timings.lastByteMs = exchange.ms(now)
        state = exchange.clientWantsClose ? .closed : .idle
        return .answer(answer, record: exchange.capture, upstream: .reuse, closeClient: exchange.clientWantsClose)
    }

    /// The path of a fallback's target URL without a trailing slash (`https://h/base/` → `/base`).
    static func basePath(of url: String) -> String {
        guard var path = RequestRouter.originForm(of: url) else { return "" }
        if let q = path.firstIndex(of: "?") { path = String(path[..<q]) }
        while path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// The JSON body with a fallback's `bodyKeyOverride` applied (nil: the body is not a JSON object).
    static func overriding(_ body: [ByteBuffer], with overrides: [String: JSONValue]) -> String? {
        var bytes: [UInt8] = []
        for buffer in body { buffer.withUnsafeReadableBytes { bytes.append(contentsOf: $0) } }
        guard case .object(var object)? = JSONValue.parse(bytes) else { return nil }
        for (key, value) in overrides { object[key] = value }
        return JSONValue.object(object).canonicalText
    }
}
