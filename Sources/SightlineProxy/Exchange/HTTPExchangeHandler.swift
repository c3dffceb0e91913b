import Foundation
import NIOCore
import NIOHTTP1
import SightlineCore
import SightlineGateway

/// The HTTP relay of one client connection, last in its pipeline (after the HTTP server codec, and after
/// TLS termination when intercepting). It sends each request to its upstream, streams the response back
/// part by part, copies what passes into a `FlowCapture`, and hands the capture to the sink when the
/// exchange ends. One exchange at a time; a pipelined request waits in `queued`.
final class HTTPExchangeHandler: ChannelDuplexHandler, RemovableChannelHandler, UpstreamDelegate {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let services: ProxyServices
    /// The CONNECT origin when this connection is an intercepted TLS tunnel; nil for plain proxy/gateway.
    private let interceptedOrigin: Origin?
    var context: ChannelHandlerContext?
    var upstream: UpstreamConnection?
    var exchange: Exchange?
    private var queued = CircularBuffer<HTTPServerRequestPart>()
    /// A part of a request that was refused before reaching upstream: the rest of it is dropped.
    var discardingRequest = false
    private var pendingRead = false
    private var clientAddress: String?
    var isClosing = false

    init(services: ProxyServices, interceptedOrigin: Origin?, upstream: UpstreamConnection?) {
        self.services = services
        self.interceptedOrigin = interceptedOrigin
        self.upstream = upstream
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        clientAddress = context.channel.remoteAddress.map(Self.describe)
        upstream?.handler.delegate = self
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if exchange != nil, case .head = part {
            queued.append(part)
            return
        }
        if !queued.isEmpty {
            queued.append(part)
            return
        }
        handle(part)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if let upstream, exchange?.upstreamReady == true { upstream.channel.flush() }
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        clientGone()
        context.fireChannelInactive()
    }

    /// The client closed, reset or half-closed: record the exchange in flight and cancel its upstream now,
    /// not when the client channel finally goes inactive (a TLS close can wait 5 s for a close_notify).
    private func clientGone() {
        isClosing = true
        if let exchange {
            finish(exchange, error: .clientDisconnected())
        }
        upstream?.handler.delegate = nil
        upstream?.close()
        upstream = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The listener allows half-closure (for CONNECT tunnels). An HTTP/1.1 client's FIN, or a TLS
        // close_notify, means it has gone (nginx and mitmproxy treat it so): nothing will read a response.
        if let event = event as? ChannelEvent, case .inputClosed = event {
            clientGone()
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        upstream?.handler.setReadsPaused(!context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError {
            services.logger.info("malformed request", metadata: ["client": "\(clientAddress ?? "?")", "error": "\(parserError)"])
            if let exchange {
                finish(exchange, error: .badRequest("malformed request: \(parserError)"))
                if exchange.responseHeadSent {
                    context.close(promise: nil)
                    return
                }
            }
            writeError(status: .badRequest, reason: "malformed HTTP request (\(parserError))", kind: "bad_request", close: true)
            return
        }
        services.logger.debug("client connection error", metadata: ["error": "\(error)", "client": "\(clientAddress ?? "?")"])
        clientGone()
        context.close(promise: nil)
    }

    /// Reads from the client wait while the upstream cannot take more, or a queued request waits.
    func read(context: ChannelHandlerContext) {
        if readsShouldWait {
            pendingRead = true
        } else {
            context.read()
        }
    }

    private var readsShouldWait: Bool {
        if !queued.isEmpty { return true }
        guard let exchange else { return false }
        // A gateway request is read whole before anything goes upstream (bounded by the body cap).
        if exchange.gateway != nil { return exchange.requestComplete && !exchange.upstreamReady }
        if !exchange.upstreamReady { return exchange.bufferedParts.count > 16 }
        return !(upstream?.handler.isWritable ?? true)
    }

    func resumeReadsIfPossible() {
        guard pendingRead, !readsShouldWait, let context else { return }
        pendingRead = false
        context.read()
    }

    // MARK: Requests

    private func handle(_ part: HTTPServerRequestPart) {
        switch part {
        case .head(let head):
            discardingRequest = false
            begin(head)
        case .body(let buffer):
            guard !discardingRequest, let exchange else { return }
            exchange.appendRequestBody(buffer)
            if let gateway = exchange.gateway {
                gateway.requestBody.append(buffer)
            } else {
                send(.body(.byteBuffer(buffer)), in: exchange)
            }
        case .end(let trailers):
            if discardingRequest {
                discardingRequest = false
                drainQueue()
                return
            }
            guard let exchange else { return }
            exchange.requestComplete = true
            if exchange.gateway != nil {
                gatewayRequestComplete(exchange)
                return
            }
            send(.end(trailers), in: exchange)
            if exchange.upstreamReady {
                exchange.capture.timings.requestSentMs = exchange.ms()
                upstream?.channel.flush()
            }
        }
    }

    private func begin(_ head: HTTPRequestHead) {
        let start = NIODeadline.now()
        let configuration = services.configuration
        if interceptedOrigin == nil, !services.isAuthorized(head.headers.map { ($0.name, $0.value) }) {
            refuseBeforeUpstream(head, status: .proxyAuthenticationRequired, reason: "proxy authentication required",
                                 extraHeaders: [("Proxy-Authenticate", "Basic realm=\"sightline\"")])
            return
        }
        var head = head
        switch RequestFraming.check(head.headers) {
        case .forward(let headers):
            head.headers = headers
        case .refuse(let status, let reason):
            // What follows on this connection cannot be trusted to be where the next request starts.
            refuseBeforeUpstream(head, status: status, reason: reason, kind: "bad_framing", close: true)
            return
        }
        let routed: RoutedRequest
        do {
            routed = try RequestRouter.route(head, interceptedOrigin: interceptedOrigin, gatewayTarget: configuration.gatewayTarget)
        } catch {
            refuseBeforeUpstream(head, status: error.httpStatus, reason: error.reason, kind: error.kind)
            return
        }
        if routed.mode == .gateway, let allowed = configuration.gatewayAllowList, !allowed.contains(where: { $0.matches(routed.origin.host) }) {
            refuseBeforeUpstream(head, status: .forbidden, reason: "gateway target \(routed.origin.host) is not on the allow-list (--gateway-allow)",
                                 kind: "forbidden")
            return
        }
        if interceptedOrigin == nil,
           let refusal = services.relayGuard.refusal(host: routed.origin.host, port: routed.origin.port, client: context?.channel.remoteAddress) {
            services.logger.warning("relay refused", metadata: ["client": "\(clientAddress ?? "?")", "reason": "\(refusal)"])
            refuseBeforeUpstream(head, status: .forbidden, reason: refusal, kind: "forbidden")
            return
        }
        let upstreamOrigin = configuration.mapped(routed.origin)
        let towardHelicone = HostPattern("*.helicone.ai").matches(upstreamOrigin.host)
        var headers = HopByHopHeaders.strip(routed.headers)
        for name in Set(headers.map(\.name)) where FlowAnnotations.isStripped(name, towardHelicone: towardHelicone) {
            headers.remove(name: name)
        }
        if upstreamOrigin != routed.origin, headers.contains(name: "host") {
            headers.replaceOrAdd(name: "Host", value: upstreamOrigin.authority)
        }
        for rule in configuration.setHeaders where rule.applies(to: routed.origin.host) {
            headers.replaceOrAdd(name: rule.name, value: rule.value)
        }
        // Answer `Expect: 100-continue` here rather than relaying the upstream's 100: the client sends its
        // body at once and the relay keeps one response per request.
        if headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
            headers.remove(name: "expect")
            context?.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
        }
        var upstreamHead = HTTPRequestHead(version: head.version, method: head.method, uri: routed.upstreamTarget, headers: headers)
        upstreamHead.version = .http1_1

        let recordedHeaders = head.headers.fields
        var capture = FlowCapture(
            id: FlowAnnotations.requestedID(recordedHeaders) ?? FlowID.make(), mode: routed.mode, clientAddress: clientAddress,
            request: CapturedRequest(method: head.method.rawValue, url: routed.url, httpVersion: head.version.text,
                                     headers: recordedHeaders, body: CapturedBody(capBytes: configuration.bodyCapBytes)),
            timings: FlowTimings(start: Date()))
        capture.annotations = FlowAnnotations.parse(recordedHeaders)
        if upstreamOrigin != routed.origin || routed.mode == .gateway {
            capture.upstreamURL = upstreamOrigin.description + routed.upstreamTarget
        }
        var gatewayOptions: GatewayOptions?
        if GatewayHeaders(recordedHeaders).asksForFeatures {
            do throws(GatewayHeaderError) {
                gatewayOptions = try GatewayOptions.parse(recordedHeaders)
                if gatewayOptions?.fault != nil, !configuration.allowFaults {
                    throw GatewayHeaderError(header: "Sightline-Fault", reason: "fault injection is off beyond loopback (start with --allow-faults)")
                }
            } catch {
                refuseBeforeUpstream(head, status: .badRequest, reason: "bad gateway header \(error.description)", kind: "bad_request")
                return
            }
        }
        let exchange = Exchange(start: start, upstreamOrigin: upstreamOrigin, upstreamHead: upstreamHead,
                                clientWantsClose: HopByHopHeaders.wantsClose(head.headers, version: head.version), capture: capture)
        self.exchange = exchange
        if let gatewayOptions {
            // Held until the whole request is in: the cache key needs the body, and retries resend it.
            exchange.gateway = GatewayRun(options: gatewayOptions, routedOrigin: routed.origin)
            exchange.capture.gateway = GatewayRecord()
            return
        }
        connectUpstream(for: exchange)
    }

    /// Sends the exchange's request on the kept upstream connection when it goes to the same origin,
    /// else on a new one; a failure to connect becomes an error response (or, under the gateway, an attempt).
    func connectUpstream(for exchange: Exchange) {
        let upstreamOrigin = exchange.upstreamOrigin
        let configuration = services.configuration
        if let upstream, upstream.origin == upstreamOrigin, upstream.isReusable {
            upstreamIsReady(upstream, for: exchange, reused: true)
            return
        }
        upstream?.handler.delegate = nil
        upstream?.close()
        upstream = nil
        guard let context else { return }
        services.connector.connect(to: upstreamOrigin, on: context.eventLoop).assumeIsolated().whenComplete { [self] result in
            switch result {
            case .success(let connection):
                guard self.exchange === exchange, !isClosing else {
                    connection.close()
                    return
                }
                upstream = connection
                connection.handler.delegate = self
                connection.handler.setReadsPaused(!(self.context?.channel.isWritable ?? true))
                upstreamIsReady(connection, for: exchange, reused: false)
            case .failure(let error):
                guard self.exchange === exchange else { return }
                let proxyError = error as? ProxyError
                    ?? ProxyError.connecting(to: upstreamOrigin.description, error: error, timeout: configuration.connectTimeout)
                services.logger.warning("upstream failed", metadata: ["target": "\(upstreamOrigin)", "error": "\(proxyError.reason)"])
                if exchange.gateway != nil {
                    gatewayAttemptFailed(exchange, error: proxyError)
                } else {
                    respondWithError(proxyError, for: exchange)
                }
            }
        }
    }

    private func upstreamIsReady(_ connection: UpstreamConnection, for exchange: Exchange, reused: Bool) {
        if reused {
            exchange.capture.timings.upstreamConnectedMs = 0
        } else {
            exchange.capture.timings.upstreamConnectedMs = max(0, exchange.ms(connection.connectedAt))
            if let tls = connection.tlsDoneAt { exchange.capture.timings.tlsDoneMs = max(0, exchange.ms(tls)) }
        }
        exchange.upstreamReady = true
        connection.handler.send(.head(exchange.upstreamHead), flush: false)
        for part in exchange.bufferedParts { connection.handler.send(part, flush: false) }
        exchange.bufferedParts.removeAll()
        if exchange.requestComplete { exchange.capture.timings.requestSentMs = exchange.ms() }
        connection.channel.flush()
        resumeReadsIfPossible()
    }

    private func send(_ part: HTTPClientRequestPart, in exchange: Exchange) {
        if exchange.upstreamReady, let upstream {
            upstream.handler.send(part, flush: false)
        } else {
            exchange.bufferedParts.append(part)
        }
    }

    // MARK: Upstream events

    func upstreamReceived(_ part: HTTPClientResponsePart) {
        guard let exchange, let context else { return }
        switch part {
        case .head(let head):
            if let gateway = exchange.gateway, gateway.shouldDiscard(head, exchange: exchange, jitter: Double.random(in: -0.2...0.2)) {
                return
            }
            exchange.capture.timings.firstByteMs = exchange.ms()
            exchange.capture.response = CapturedResponse(
                status: Int(head.status.code), reason: head.status.reasonPhrase, httpVersion: head.version.text,
                headers: head.headers.fields, body: CapturedBody(capBytes: services.configuration.bodyCapBytes))
            exchange.tracksChunkTimes = Self.isStreamingContentType(head.headers.first(name: "content-type"))
            exchange.upstreamWantsClose = HopByHopHeaders.wantsClose(head.headers, version: head.version)
            var headers = HopByHopHeaders.strip(head.headers)
            if exchange.capture.mode == .gateway { headers.add(name: "Sightline-Id", value: exchange.capture.id.description) }
            if let gateway = exchange.gateway {
                gateway.responseStarted(status: Int(head.status.code), head: head, exchange: exchange)
                for (name, value) in gateway.responseHeaders(exchange: exchange) { headers.add(name: name, value: value) }
            }
            if exchange.clientWantsClose { headers.add(name: "Connection", value: "close") }
            var clientHead = HTTPResponseHead(version: .http1_1, status: head.status, headers: headers)
            clientHead.version = .http1_1
            exchange.responseHeadSent = true
            context.write(wrapOutboundOut(.head(clientHead)), promise: nil)
        case .body(let buffer):
            if let gateway = exchange.gateway {
                if gateway.discarding { return }
                gatewayForward(buffer, gateway: gateway, exchange: exchange, context: context)
                return
            }
            exchange.appendResponseBody(buffer)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        case .end(let trailers):
            if let gateway = exchange.gateway {
                if gateway.discarding {
                    gatewayDiscardedAttemptEnded(exchange)
                    return
                }
                gateway.responseCompleted(exchange: exchange, cache: services.responseCache)
            }
            exchange.capture.timings.lastByteMs = exchange.ms()
            if exchange.upstreamWantsClose || !exchange.requestComplete {
                upstream?.handler.delegate = nil
                upstream?.close()
                upstream = nil
            }
            let closeClient = exchange.clientWantsClose || !exchange.requestComplete
            settle(exchange, error: nil)
            let written = context.writeAndFlush(wrapOutboundOut(.end(trailers)))
            if closeClient {
                written.assumeIsolated().whenComplete { [weak self] _ in self?.context?.close(promise: nil) }
            }
            drainQueue()
        }
    }

    func upstreamReadComplete() {
        context?.flush()
    }

    func upstreamWritabilityChanged(isWritable: Bool) {
        if isWritable { resumeReadsIfPossible() }
    }

    func upstreamIdleTimeout() {
        let connection = upstream
        upstream = nil
        connection?.handler.delegate = nil
        if let exchange {
            let error = ProxyError.upstreamTimeout(exchange.upstreamOrigin.description, after: services.configuration.upstreamIdleTimeout)
            if let gateway = exchange.gateway, !exchange.responseHeadSent {
                connection?.close()
                if gateway.attemptInFlight { gatewayAttemptFailed(exchange, error: error) }
                return
            }
            services.logger.warning("upstream timed out", metadata: ["target": "\(exchange.upstreamOrigin)"])
            if exchange.responseHeadSent {
                finish(exchange, error: error)
                context?.close(promise: nil)
            } else {
                respondWithError(error, for: exchange)
            }
        }
        connection?.close()
    }

    func upstreamClosed(error: (any Error)?) {
        let connection = upstream
        upstream = nil
        connection?.handler.delegate = nil
        guard let exchange else { return }
        let target = exchange.upstreamOrigin.description
        let proxyError: ProxyError
        if let parserError = error as? HTTPParserError, parserError == .invalidEOFState {
            // The decoder's word for "the connection closed before the message was complete".
            proxyError = .upstreamReset(target, afterResponseStarted: exchange.responseHeadSent)
        } else if let error, !(error is ProxyError), "\(error)".contains("HTTPParserError") || error is HTTPParserError {
            proxyError = .upstreamProtocol(target, "\(error)")
        } else if let error {
            proxyError = ProxyError.connecting(to: target, error: error, timeout: services.configuration.connectTimeout)
                .withReason(exchange.responseHeadSent
                            ? "upstream \(target) failed in the middle of the response: \(error)"
                            : nil)
        } else {
            proxyError = .upstreamReset(target, afterResponseStarted: exchange.responseHeadSent)
        }
        if let gateway = exchange.gateway, !exchange.responseHeadSent {
            guard gateway.attemptInFlight else { return }
            if gateway.discarding {
                gatewayDiscardedAttemptEnded(exchange)
            } else {
                gatewayAttemptFailed(exchange, error: proxyError)
            }
            return
        }
        services.logger.warning("upstream connection lost", metadata: ["target": "\(target)", "error": "\(proxyError.reason)"])
        if exchange.responseHeadSent {
            // Headers already went: closing without the final chunk is how HTTP/1.1 says "incomplete".
            exchange.capture.timings.lastByteMs = exchange.ms()
            finish(exchange, error: proxyError)
            context?.close(promise: nil)
        } else {
            respondWithError(proxyError, for: exchange)
        }
    }

    // MARK: Ending exchanges

    func finish(_ exchange: Exchange, error: ProxyError?) {
        settle(exchange, error: error)
        drainQueue()
    }

    /// Records the exchange and lets go of it, without starting a queued one. Called before the last
    /// write when the connection closes after it: the close can complete inside that write, and its
    /// inactive event must not record the exchange as a client disconnect.
    func settle(_ exchange: Exchange, error: ProxyError?) {
        guard self.exchange === exchange else { return }
        if let error { exchange.capture.error = error.reason }
        services.sink.record(exchange.capture)
        self.exchange = nil
    }

    func drainQueue() {
        while exchange == nil, !discardingRequest, let part = queued.popFirst() {
            handle(part)
        }
        resumeReadsIfPossible()
    }

    /// Answers an exchange that reached no upstream response with a plain-text error, and records it.
    func respondWithError(_ error: ProxyError, for exchange: Exchange) {
        let closeAfter = !exchange.requestComplete || exchange.clientWantsClose
        if !exchange.requestComplete { discardingRequest = true }
        exchange.capture.timings.lastByteMs = exchange.ms()
        settle(exchange, error: error)
        writeError(status: error.httpStatus, reason: error.reason, kind: error.kind, close: closeAfter)
        drainQueue()
    }

    /// Refuses a request before any upstream is involved; recorded as an error flow too.
    private func refuseBeforeUpstream(_ head: HTTPRequestHead, status: HTTPResponseStatus, reason: String, kind: String = "refused",
                                      close: Bool = false, extraHeaders: [(String, String)] = []) {
        services.logger.info("request refused", metadata: ["status": "\(status.code)", "reason": "\(reason)"])
        var capture = FlowCapture(
            id: FlowID.make(), mode: interceptedOrigin == nil && head.uri.hasPrefix("/") ? .gateway : .proxy, clientAddress: clientAddress,
            request: CapturedRequest(method: head.method.rawValue, url: head.uri, httpVersion: head.version.text,
                                     headers: head.headers.fields, body: CapturedBody(capBytes: 0)),
            timings: FlowTimings(start: Date()))
        capture.error = reason
        services.sink.record(capture)
        discardingRequest = true
        writeError(status: status, reason: reason, kind: kind, close: close || HopByHopHeaders.wantsClose(head.headers, version: head.version),
                   extraHeaders: extraHeaders)
    }

    func writeError(status: HTTPResponseStatus, reason: String, kind: String, close: Bool, extraHeaders: [(String, String)] = []) {
        guard let context else { return }
        var body = context.channel.allocator.buffer(capacity: reason.utf8.count + 1)
        body.writeString(reason + "\n")
        var headers = HTTPHeaders([
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", "\(body.readableBytes)"),
            ("Sightline-Error", kind),
        ])
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        if close { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if close {
            done.assumeIsolated().whenComplete { [weak self] _ in self?.context?.close(promise: nil) }
        }
    }

    /// `text/event-stream` or NDJSON: responses whose chunk arrival times are kept for event timing.
    /// Byte-level on purpose: this runs for every response, and Foundation's string search is slow.
    static func isStreamingContentType(_ value: String?) -> Bool {
        guard let value else { return false }
        let bytes = Array(value.utf8.prefix(64)).map { $0 | 0x20 }
        func has(_ word: StaticString) -> Bool {
            let needle = Array(UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
            guard bytes.count >= needle.count else { return false }
            return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
        }
        return has("event-stream") || has("ndjson")
    }

    static func describe(_ address: SocketAddress) -> String {
        if let ip = address.ipAddress, let port = address.port {
            return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
        }
        return "\(address)"
    }
}

extension ProxyError {
    /// The same classification with a more precise reason, when there is one.
    func withReason(_ reason: String?) -> ProxyError {
        guard let reason else { return self }
        return ProxyError(code: code, reason: reason)
    }
}
