import Foundation
import NIOCore
import NIOHTTP1
import SightlineCore
import SightlineGateway

/// Decides what becomes of a request head before anything goes upstream: refused (auth, framing, routing,
/// allow-list, relay guard, bad gateway headers), or admitted as an exchange with its upstream head built.
struct RequestAdmission {
    enum Verdict {
        case refuse(LocalAnswer, FlowCapture, closeAfter: Bool)
        /// `answersContinue`: the client sent `Expect: 100-continue`, answered here rather than relayed, so that
        /// it sends its body at once and the relay keeps one response per request.
        case admit(Exchange, answersContinue: Bool)
    }

    let services: ProxyServices
    /// The CONNECT origin when the connection is an intercepted TLS tunnel; nil for plain proxy/gateway.
    let interceptedOrigin: Origin?
    let clientAddress: String?
    let remoteAddress: SocketAddress?

    func decide(_ head: HTTPRequestHead, now: NIODeadline, date: Date) -> Verdict {
        let configuration = services.configuration
        if interceptedOrigin == nil, !services.isAuthorized(head.headers) {
            return refuse(head, .proxyAuthenticationRequired, .proxyAuth, "proxy authentication required", date: date,
                          extraHeaders: [("Proxy-Authenticate", "Basic realm=\"sightline\"")])
        }
        var head = head
        switch RequestFraming.check(head.headers) {
        case .forward(let headers):
            head.headers = headers
        case .refuse(let status, let reason):
            // What follows on this connection cannot be trusted to be where the next request starts.
            return refuse(head, status, .badFraming, reason, date: date, close: true)
        }
        let routed: RoutedRequest
        do {
            routed = try RequestRouter.route(head, interceptedOrigin: interceptedOrigin, gatewayTarget: configuration.gatewayTarget)
        } catch {
            return refuse(head, error.httpStatus, error.code, error.reason, date: date)
        }
        if routed.mode == .gateway, let allowed = configuration.gatewayAllowList, !allowed.contains(where: { $0.matches(routed.origin.host) }) {
            return refuse(head, .forbidden, .forbidden,
                          "gateway target \(routed.origin.host) is not on the allow-list (--gateway-allow)", date: date)
        }
        if interceptedOrigin == nil, let refusal = guardRefusal(routed.origin) {
            return refuse(head, .forbidden, .forbidden, refusal, date: date)
        }
        let upstreamOrigin = configuration.mapped(routed.origin)
        let asksForFeatures = GatewayHeaders(head.headers.fields).asksForFeatures
        // Held, retried or cached exchanges are request/response; a handshake asking for them is not upgraded.
        let webSocketUpgrade = asksForFeatures ? nil : HopByHopHeaders.webSocketUpgrade(head.headers)
        var (upstreamHead, answersContinue) = upstreamHead(head, routed: routed, upstreamOrigin: upstreamOrigin)
        if let webSocketUpgrade {
            upstreamHead.headers.add(name: "Connection", value: "Upgrade")
            upstreamHead.headers.add(name: "Upgrade", value: webSocketUpgrade)
        }

        let recordedHeaders = head.headers.fields
        var capture = FlowCapture(
            id: FlowAnnotations.requestedID(recordedHeaders) ?? FlowID.make(), mode: routed.mode, clientAddress: clientAddress,
            request: CapturedRequest(method: head.method.rawValue, url: routed.url, httpVersion: head.version.text,
                                     headers: recordedHeaders, body: CapturedBody(capBytes: configuration.bodyCapBytes)),
            timings: FlowTimings(start: date))
        capture.annotations = FlowAnnotations.parse(recordedHeaders)
        if upstreamOrigin != routed.origin || routed.mode == .gateway {
            capture.upstreamURL = upstreamOrigin.description + routed.upstreamTarget
        }
        var exchange = Exchange(start: now, origin: upstreamOrigin, head: upstreamHead,
                                clientWantsClose: HopByHopHeaders.wantsClose(head.headers, version: head.version), capture: capture)
        exchange.upgradesToWebSocket = webSocketUpgrade != nil
        if asksForFeatures {
            let options: GatewayOptions
            do throws(GatewayHeaderError) {
                options = try GatewayOptions.parse(recordedHeaders)
                if options.fault != nil, !configuration.allowFaults {
                    throw GatewayHeaderError(header: "Sightline-Fault", reason: "fault injection is off beyond loopback (start with --allow-faults)")
                }
            } catch {
                return refuse(head, .badRequest, .badRequest, "bad gateway header \(error.description)", date: date)
            }
            for fallback in options.fallbacks {
                guard let target = Origin(parsing: fallback.targetURL), let refusal = guardRefusal(target) else { continue }
                return refuse(head, .forbidden, .forbidden, "fallback target refused: \(refusal)", date: date)
            }
            exchange.gateway = GatewayExchange(options: options, primaryOrigin: upstreamOrigin, primaryHead: upstreamHead)
            exchange.capture.gateway = GatewayRecord()
        }
        return .admit(exchange, answersContinue: answersContinue)
    }

    private static let helicone = HostPattern("*.helicone.ai")

    private func guardRefusal(_ origin: Origin) -> String? {
        guard let refusal = services.relayGuard.refusal(host: origin.host, port: origin.port, client: remoteAddress) else { return nil }
        services.logger.warning("relay refused", metadata: ["client": "\(clientAddress ?? "?")", "reason": "\(refusal)"])
        return refusal
    }

    /// The head as it goes upstream: hop-by-hop and gateway headers removed, `Host` for a mapped origin, `--set-header` rules.
    private func upstreamHead(_ head: HTTPRequestHead, routed: RoutedRequest, upstreamOrigin: Origin) -> (HTTPRequestHead, Bool) {
        let configuration = services.configuration
        let towardHelicone = Self.helicone.matches(upstreamOrigin.host)
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
        let answersContinue = headers[canonicalForm: "expect"].contains { $0.lowercased() == "100-continue" }
        if answersContinue { headers.remove(name: "expect") }
        return (HTTPRequestHead(version: .http1_1, method: head.method, uri: routed.upstreamTarget, headers: headers), answersContinue)
    }

    /// A refused request is recorded too, as an error flow without a response.
    private func refuse(_ head: HTTPRequestHead, _ status: HTTPResponseStatus, _ kind: FlowErrorKind, _ reason: String, date: Date,
                        close: Bool = false, extraHeaders: [(String, String)] = []) -> Verdict {
        services.logger.info("request refused", metadata: ["status": "\(status.code)", "reason": "\(reason)"])
        var capture = FlowCapture(
            id: FlowID.make(), mode: interceptedOrigin == nil && head.uri.hasPrefix("/") ? .gateway : .proxy, clientAddress: clientAddress,
            request: CapturedRequest(method: head.method.rawValue, url: head.uri, httpVersion: head.version.text,
                                     headers: head.headers.fields, body: CapturedBody(capBytes: 0)),
            timings: FlowTimings(start: date))
        capture.error = reason
        capture.errorKind = kind
        let closeAfter = close || HopByHopHeaders.wantsClose(head.headers, version: head.version)
        return .refuse(.plainError(status, kind: kind, close: closeAfter, reason: reason, extraHeaders: extraHeaders), capture,
                       closeAfter: closeAfter)
    }
}
