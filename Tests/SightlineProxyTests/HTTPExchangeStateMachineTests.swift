import Foundation
import NIOCore
import NIOHTTP1
import SightlineCore
import SightlineGateway
import Testing
@testable import SightlineProxy

/// The exchange state machine as a value: events in, actions out, no channel, no clock.
@Suite struct HTTPExchangeStateMachineTests {
    let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)
    func at(_ ms: Int64) -> NIODeadline { t0 + .milliseconds(ms) }
    let origin = Origin(scheme: "https", host: "api.example.com", port: 443)

    func exchange(gateway headers: [(String, String)] = [], wantsClose: Bool = false) throws -> Exchange {
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1/chat", headers: HTTPHeaders([("Host", "api.example.com")] + headers))
        var capture = FlowCapture(id: FlowID.make(), mode: .proxy, clientAddress: nil,
                                  request: CapturedRequest(method: "POST", url: "https://api.example.com/v1/chat", httpVersion: "HTTP/1.1",
                                                           headers: head.headers.fields, body: CapturedBody(capBytes: 1024)),
                                  timings: FlowTimings(start: Date()))
        var exchange = Exchange(start: t0, origin: origin, head: head, clientWantsClose: wantsClose, capture: capture)
        if !headers.isEmpty {
            let options = try GatewayOptions.parse(head.headers.fields)
            exchange.gateway = GatewayExchange(options: options, primaryOrigin: origin, primaryHead: head)
            capture.gateway = GatewayRecord()
            exchange.capture.gateway = GatewayRecord()
        }
        return exchange
    }

    func machine() -> HTTPExchangeStateMachine {
        var configuration = ProxyConfiguration()
        configuration.bodyCapBytes = 1024
        return HTTPExchangeStateMachine(configuration: configuration)
    }

    func response(_ status: HTTPResponseStatus, _ headers: [(String, String)] = [("Content-Type", "application/json")]) -> HTTPResponseHead {
        HTTPResponseHead(version: .http1_1, status: status, headers: HTTPHeaders(headers))
    }

    // MARK: Plain relay

    @Test func aStreamedExchangeConnectsSendsRelaysAndRecordsOnce() throws {
        var m = machine()
        #expect(m.requestAdmitted(try exchange()).summary == "connect https://api.example.com #1")
        #expect(m.requestBodyReceived(ByteBuffer(string: "{}")).summary == "none")
        #expect(m.clientReadsShouldWait(upstreamWritable: true) == false)
        #expect(m.requestEndReceived(nil, now: at(1)).summary == "none")
        #expect(m.upstreamConnected(attempt: 1, connectedAt: at(3), tlsDoneAt: at(5), now: at(5)).summary == "send head,body(2),end flush")
        #expect(m.responseHeadReceived(response(.ok), now: at(10), jitter: 0).summary == "head 200")
        #expect(m.responseBodyReceived(ByteBuffer(string: "hello"), now: at(11)).summary == "body(5)")
        let end = m.responseEndReceived(nil, now: at(12))
        #expect(end.summary == "finish reuse")
        guard case .finishResponse(_, let record, _, _, _) = end else { Issue.record("no finish"); return }
        #expect(record.request.body.bytes == Array("{}".utf8))
        #expect(record.response?.status == 200)
        #expect(record.response?.body.bytes == Array("hello".utf8))
        #expect(record.timings.upstreamConnectedMs == 3 && record.timings.tlsDoneMs == 5 && record.timings.firstByteMs == 10)
        #expect(record.timings.lastByteMs == 12 && record.errorKind == nil)
        #expect(m.isIdle)
    }

    // MARK: WebSocket handshakes

    func webSocketExchange(asked: Bool) throws -> Exchange {
        var exchange = try exchange()
        exchange.upgradesToWebSocket = asked
        return exchange
    }

    @Test func a101ToAWebSocketHandshakeUpgradesOnceAndTheMachineHearsNoMoreHTTP() throws {
        var m = machine()
        #expect(m.requestAdmitted(try webSocketExchange(asked: true)).summary == "connect \(origin) #1 fresh",
                "a handshake goes on a connection that has carried no request")
        _ = m.requestEndReceived(nil, now: at(1))
        _ = m.upstreamConnected(attempt: 1, connectedAt: at(2), tlsDoneAt: at(3), now: at(3))
        let accept = [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")]
        let action = m.responseHeadReceived(response(.switchingProtocols, accept), now: at(8), jitter: 0)
        #expect(action.summary == "upgrade 101")
        guard case .upgrade(let head, let record, let start) = action else { Issue.record("no upgrade"); return }
        #expect(head.headers.first(name: "upgrade") == "websocket", "the handshake's hop-by-hop headers go to the client")
        #expect(head.headers.first(name: "connection") == "Upgrade")
        #expect(head.headers.first(name: "sec-websocket-accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        #expect(record.response?.status == 101 && record.timings.firstByteMs == 8)
        #expect(start == t0)
        #expect(m.isClosed, "no request is read after the upgrade")
        #expect(m.clientReadsShouldWait(upstreamWritable: false) == false)
        // What the codecs may still say on their way out changes nothing.
        #expect(m.responseEndReceived(nil, now: at(9)).summary == "none")
        #expect(m.upstreamClosed(error: nil, now: at(10), jitter: 0).summary == "none")
        #expect(m.clientClosed(now: at(11)).summary == "none")
        #expect(m.requestMalformed("late", now: at(12)).summary == "none")
    }

    @Test func a101NobodyAskedForIsABadGatewayNotAnUpgrade() throws {
        var m = machine()
        _ = m.requestAdmitted(try webSocketExchange(asked: false))
        _ = m.requestEndReceived(nil, now: at(1))
        _ = m.upstreamConnected(attempt: 1, connectedAt: nil, tlsDoneAt: nil, now: at(2))
        let action = m.responseHeadReceived(response(.switchingProtocols, [("Upgrade", "h2c")]), now: at(3), jitter: 0)
        #expect(action.summary == "answer 502 upstream_protocol recorded keep-client")
    }

    @Test func aRefusedHandshakeIsAnOrdinaryResponse() throws {
        var m = machine()
        _ = m.requestAdmitted(try webSocketExchange(asked: true))
        _ = m.requestEndReceived(nil, now: at(1))
        _ = m.upstreamConnected(attempt: 1, connectedAt: nil, tlsDoneAt: nil, now: at(2))
        #expect(m.responseHeadReceived(response(.badRequest), now: at(3), jitter: 0).summary == "head 400")
        #expect(m.responseEndReceived(nil, now: at(4)).summary == "finish reuse")
        #expect(m.isIdle)
    }

    @Test func requestPartsWhileConnectingWaitAndReadsPauseWhenManyArePending() throws {
        var m = machine()
        _ = m.requestAdmitted(try exchange())
        for _ in 0..<17 { _ = m.requestBodyReceived(ByteBuffer(string: "x")) }
        #expect(m.clientReadsShouldWait(upstreamWritable: true))
        #expect(m.upstreamConnected(attempt: 1, connectedAt: nil, tlsDoneAt: nil, now: at(1)).summary
                == "send head," + Array(repeating: "body(1)", count: 17).joined(separator: ",") + " flush")
        #expect(m.requestEndReceived(nil, now: at(2)).summary == "send end flush")
        #expect(m.clientReadsShouldWait(upstreamWritable: false))
    }

    @Test func aConnectionForAnOldAttemptIsGivenBack() throws {
        var m = machine()
        _ = m.requestAdmitted(try exchange())
        #expect(m.upstreamConnected(attempt: 7, connectedAt: nil, tlsDoneAt: nil, now: at(1)).summary == "release")
    }

    @Test func aRefusedConnectIsA502WithItsKindAndTheConnectionStaysWhenTheRequestWasWhole() throws {
        var m = machine()
        _ = m.requestAdmitted(try exchange())
        _ = m.requestEndReceived(nil, now: at(1))
        let action = m.upstreamConnectFailed(attempt: 1, error: .init(code: .upstreamRefused, reason: "cannot connect"), now: at(2), jitter: 0)
        #expect(action.summary == "answer 502 upstream_refused recorded keep-client")
        guard case .answer(_, let record?, _, _) = action else { return }
        #expect(record.errorKind == .upstreamRefused && record.error == "cannot connect")
        #expect(m.isIdle)
    }

    @Test func aFailureBeforeTheRequestEndedClosesTheClient() throws {
        var m = machine()
        _ = m.requestAdmitted(try exchange())
        let action = m.upstreamConnectFailed(attempt: 1, error: .init(code: .upstreamDNS, reason: "no such host"), now: at(2), jitter: 0)
        #expect(action.summary == "answer 502 upstream_dns recorded close-client")
        #expect(m.isClosed)
    }

    @Test func anUpstreamLostMidResponseRecordsAResetAndClosesBoth() throws {
        var m = machine()
        _ = m.requestAdmitted(try exchange())
        _ = m.requestEndReceived(nil, now: at(1))
        _ = m.upstreamConnected(attempt: 1, connectedAt: nil, tlsDoneAt: nil, now: at(1))
        _ = m.responseHeadReceived(response(.ok), now: at(2), jitter: 0)
        let action = m.upstreamClosed(error: nil, now: at(3), jitter: 0)
        #expect(action.summary == "close-connection recorded close-upstream")
        guard case .closeConnection(let record?, _) = action else { return }
        #expect(record.errorKind == .upstreamReset && record.timings.lastByteMs == 3)
        #expect(m.isClosed)
    }

    @Test func aClientThatLeavesIsRecordedAsGoneNotAsAnUpstreamError() throws {
        var m = machine()
        _ = m.requestAdmitted(try exchange())
        let action = m.clientClosed(now: at(4))
        guard case .closeConnection(let record?, .close) = action else { Issue.record("\(action.summary)"); return }
        #expect(record.errorKind == .clientGone && record.errorKind?.isUpstream == false)
        #expect(m.clientClosed(now: at(5)).summary == "none")
    }

    @Test func aResponseThatEndsBeforeItsRequestClosesBothSides() throws {
        var m = machine()
        _ = m.requestAdmitted(try exchange())
        _ = m.upstreamConnected(attempt: 1, connectedAt: nil, tlsDoneAt: nil, now: at(1))
        _ = m.responseHeadReceived(response(.payloadTooLarge), now: at(2), jitter: 0)
        #expect(m.responseEndReceived(nil, now: at(3)).summary == "finish close-upstream close-client")
    }

    @Test func aStreamKeepsChunkTimesAndTheUpstreamsCloseIsHonoured() throws {
        var m = machine()
        _ = m.requestAdmitted(try exchange())
        _ = m.requestEndReceived(nil, now: at(0))
        _ = m.upstreamConnected(attempt: 1, connectedAt: nil, tlsDoneAt: nil, now: at(0))
        _ = m.responseHeadReceived(response(.ok, [("Content-Type", "text/event-stream"), ("Connection", "close")]), now: at(1), jitter: 0)
        _ = m.responseBodyReceived(ByteBuffer(string: "data: 1\n\n"), now: at(2))
        _ = m.responseBodyReceived(ByteBuffer(string: "data: 2\n\n"), now: at(7))
        guard case .finishResponse(_, let record, _, .close, false) = m.responseEndReceived(nil, now: at(8)) else {
            Issue.record("expected a finish that closes the upstream only"); return
        }
        #expect(record.responseChunks == [ChunkArrival(endOffset: 9, tMs: 2), ChunkArrival(endOffset: 18, tMs: 7)])
    }

    @Test func anIdleTimeoutBetweenExchangesOnlyClosesTheIdleConnection() {
        var m = machine()
        #expect(m.upstreamIdleTimedOut(now: at(1), jitter: 0).summary == "close-upstream")
        #expect(m.isIdle)
    }

    // MARK: Gateway

    @Test func aRetriedAttemptIsDrainedThenSentAgainAfterItsBackOff() throws {
        var m = machine()
        _ = m.requestAdmitted(try exchange(gateway: [("Sightline-Retry-Enabled", "true"), ("Sightline-Retry-Num", "2"),
                                                    ("Sightline-Retry-Min-Timeout", "100"), ("Sightline-Retry-Factor", "2")]))
        _ = m.requestBodyReceived(ByteBuffer(string: "{}"))
        #expect(m.requestEndReceived(nil, now: at(0)).summary == "check-gateway")
        #expect(m.gatewayChecked(GatewayCheckResult(), now: at(0)).summary == "next-attempt 0ms #1")
        #expect(m.attemptDue(1, now: at(0), jitter: 0).summary == "connect https://api.example.com #2")
        #expect(m.upstreamConnected(attempt: 2, connectedAt: nil, tlsDoneAt: nil, now: at(1)).summary == "send head,body(2),end flush")
        // A 503 is retried: nothing of it reaches the client, its body is read and dropped.
        #expect(m.responseHeadReceived(response(.serviceUnavailable), now: at(5), jitter: 0.1).summary == "none")
        #expect(m.responseBodyReceived(ByteBuffer(string: "busy"), now: at(5)).summary == "none")
        #expect(m.responseEndReceived(nil, now: at(6)).summary == "next-attempt 110ms #3 drop-upstream")
        #expect(m.attemptDue(2, now: at(116), jitter: 0).summary == "none")
        #expect(m.attemptDue(3, now: at(116), jitter: 0).summary == "connect https://api.example.com #4")
        _ = m.upstreamConnected(attempt: 4, connectedAt: nil, tlsDoneAt: nil, now: at(117))
        // An upstream Retry-After longer than the back-off wins.
        #expect(m.responseHeadReceived(response(.tooManyRequests, [("Retry-After", "1")]), now: at(120), jitter: 0).summary == "none")
        #expect(m.responseEndReceived(nil, now: at(121)).summary == "next-attempt 1000ms #5 drop-upstream")
        _ = m.attemptDue(5, now: at(1121), jitter: 0)
        _ = m.upstreamConnected(attempt: 6, connectedAt: nil, tlsDoneAt: nil, now: at(1122))
        let head = m.responseHeadReceived(response(.ok), now: at(1130), jitter: 0)
        guard case .writeResponseHead(let sent) = head else { Issue.record("\(head.summary)"); return }
        #expect(sent.headers["Sightline-Attempts"] == ["3"])
        guard case .finishResponse(_, let record, _, _, _) = m.responseEndReceived(nil, now: at(1131)) else { return }
        #expect(record.gateway?.attempts.map(\.status) == [503, 429, 200])
        #expect(record.gateway?.attempts.map(\.tMs) == [5, 120, 1130])
    }

    @Test func aFailedConnectFallsBackToTheNextTargetWithItsBodyOverride() throws {
        var m = machine()
        let fallbacks = #"[{"target-url":"https://backup.example.com/base","bodyKeyOverride":{"model":"small"}}]"#
        _ = m.requestAdmitted(try exchange(gateway: [("Sightline-Fallbacks", fallbacks)]))
        _ = m.requestBodyReceived(ByteBuffer(string: #"{"model":"big"}"#))
        _ = m.requestEndReceived(nil, now: at(0))
        _ = m.gatewayChecked(GatewayCheckResult(), now: at(0))
        _ = m.attemptDue(1, now: at(0), jitter: 0)
        let failed = m.upstreamConnectFailed(attempt: 2, error: .init(code: .upstreamRefused, reason: "refused"), now: at(1), jitter: 0)
        #expect(failed.summary == "next-attempt 0ms #3 drop-upstream")
        #expect(m.attemptDue(3, now: at(1), jitter: 0).summary == "connect https://backup.example.com #4")
        let sent = m.upstreamConnected(attempt: 4, connectedAt: nil, tlsDoneAt: nil, now: at(2))
        guard case .sendUpstream(let parts, _) = sent, case .head(let head) = parts[0], case .body(.byteBuffer(let body)) = parts[1] else {
            Issue.record("\(sent.summary)"); return
        }
        #expect(head.uri == "/base/v1/chat" && head.headers["Host"] == ["backup.example.com"])
        #expect(String(buffer: body) == #"{"model":"small"}"# && head.headers["Content-Length"] == ["17"])
    }

    @Test func overTheRateLimitIsA429WithRetryAfterAndNothingGoesUpstream() throws {
        var m = machine()
        _ = m.requestAdmitted(try exchange(gateway: [("Sightline-RateLimit-Policy", "1;w=60")]))
        guard case .checkGateway(let check) = m.requestEndReceived(nil, now: at(0)) else { Issue.record("no check"); return }
        #expect(check.rateLimit?.segment.hasPrefix("credential:") == true)
        let denied = SlidingWindow.Decision(allowed: false, remaining: 0, resetSeconds: 42)
        let action = m.gatewayChecked(GatewayCheckResult(rateLimit: denied), now: at(1))
        guard case .answer(let answer, let record?, _, false) = action else { Issue.record("\(action.summary)"); return }
        #expect(answer.status == .tooManyRequests && answer.headers["Retry-After"] == ["42"])
        #expect(record.gateway?.rateLimited == true && record.errorKind == .rateLimited && record.response?.status == 429)
        #expect(m.isIdle)
    }

    @Test func aCacheHitIsAnsweredLocallyAndAMissIsStoredWhenWhole() throws {
        var m = machine()
        _ = m.requestAdmitted(try exchange(gateway: [("Sightline-Cache-Enabled", "true")]))
        guard case .checkGateway(let check) = m.requestEndReceived(nil, now: at(0)), let key = check.cacheKey else { return }
        let stored = CachedResponse(status: 200, reason: "OK", headers: [("Content-Type", "application/json")], body: Array("{}".utf8),
                                    storedAt: Date(), maxAgeSeconds: 60)
        guard case .answer(let answer, let record?, _, _) = m.gatewayChecked(GatewayCheckResult(cacheHit: (stored, 0)), now: at(1)) else { return }
        #expect(answer.headers["Sightline-Cache"] == ["HIT"] && answer.headers["Content-Length"] == ["2"] && answer.body == Array("{}".utf8))
        #expect(record.gateway?.cache == "HIT" && record.response?.body.bytes == Array("{}".utf8))

        _ = m.requestAdmitted(try exchange(gateway: [("Sightline-Cache-Enabled", "true")]))
        _ = m.requestEndReceived(nil, now: at(10))
        _ = m.gatewayChecked(GatewayCheckResult(), now: at(10))
        #expect(m.attemptDue(1, now: at(10), jitter: 0).summary == "connect https://api.example.com #2")
        _ = m.upstreamConnected(attempt: 2, connectedAt: nil, tlsDoneAt: nil, now: at(11))
        _ = m.responseHeadReceived(response(.ok), now: at(12), jitter: 0)
        _ = m.responseBodyReceived(ByteBuffer(string: "{\"a\":1}"), now: at(13))
        guard case .finishResponse(_, let missed, let entry?, _, _) = m.responseEndReceived(nil, now: at(14)) else {
            Issue.record("a whole 200 is stored"); return
        }
        #expect(entry.key == key.key && entry.copy.body == Array("{\"a\":1}".utf8) && missed.gateway?.cache == "MISS")
    }

    @Test func anInjectedStatusStandsInForTheUpstreamThenTheRealOneAnswers() throws {
        var m = machine()
        _ = m.requestAdmitted(try exchange(gateway: [("Sightline-Fault", "status=503;times=1"), ("Sightline-Retry-Enabled", "true"),
                                                    ("Sightline-Retry-Min-Timeout", "0")]))
        _ = m.requestEndReceived(nil, now: at(0))
        _ = m.gatewayChecked(GatewayCheckResult(), now: at(0))
        #expect(m.attemptDue(1, now: at(0), jitter: 0).summary == "next-attempt 0ms #2")
        #expect(m.attemptDue(2, now: at(0), jitter: 0).summary == "connect https://api.example.com #3")
    }

    @Test func cutAfterEndsTheStreamRightAfterTheNthEvent() throws {
        var m = machine()
        _ = m.requestAdmitted(try exchange(gateway: [("Sightline-Fault", "cut-after=2")]))
        _ = m.requestEndReceived(nil, now: at(0))
        _ = m.gatewayChecked(GatewayCheckResult(), now: at(0))
        _ = m.attemptDue(1, now: at(0), jitter: 0)
        _ = m.upstreamConnected(attempt: 2, connectedAt: nil, tlsDoneAt: nil, now: at(0))
        _ = m.responseHeadReceived(response(.ok, [("Content-Type", "text/event-stream")]), now: at(1), jitter: 0)
        #expect(m.responseBodyReceived(ByteBuffer(string: "data: 1\n\n"), now: at(2)).summary == "body(9)")
        let cut = m.responseBodyReceived(ByteBuffer(string: "data: 2\n\ndata: 3\n\n"), now: at(3))
        #expect(cut.summary == "cut body(9)")
        guard case .cutResponse(_, let record) = cut else { return }
        #expect(record.errorKind == .injectedFault && record.response?.body.bytes == Array("data: 1\n\ndata: 2\n\n".utf8))
        #expect(m.isClosed)
    }

    @Test func aTruncatedGatewayBodyIsRefusedWith413() throws {
        var m = machine()
        _ = m.requestAdmitted(try exchange(gateway: [("Sightline-Cache-Enabled", "true")]))
        _ = m.requestBodyReceived(ByteBuffer(bytes: Array(repeating: 1, count: 2000)))
        let action = m.requestEndReceived(nil, now: at(0))
        guard case .answer(let answer, let record?, _, _) = action else { Issue.record("\(action.summary)"); return }
        #expect(answer.status == .payloadTooLarge && record.errorKind == .requestTooLarge)
    }
}

extension HTTPExchangeStateMachine.Action {
    /// A short line per action, so that a test reads as a playbook.
    var summary: String {
        func parts(_ parts: [HTTPClientRequestPart]) -> String {
            parts.map { part in
                switch part {
                case .head: "head"
                case .body(.byteBuffer(let buffer)): "body(\(buffer.readableBytes))"
                case .body: "body"
                case .end: "end"
                }
            }.joined(separator: ",")
        }
        func upstream(_ disposition: HTTPExchangeStateMachine.UpstreamDisposition) -> String {
            disposition == .reuse ? "reuse" : "close-upstream"
        }
        switch self {
        case .none: return "none"
        case .connect(let origin, let attempt, let fresh): return "connect \(origin) #\(attempt)" + (fresh ? " fresh" : "")
        case .sendUpstream(let list, let flush): return "send \(parts(list))" + (flush ? " flush" : "")
        case .writeResponseHead(let head): return "head \(head.status.code)"
        case .upgrade(let head, _, _): return "upgrade \(head.status.code)"
        case .writeResponseBody(let buffer): return "body(\(buffer.readableBytes))"
        case .finishResponse(_, _, _, let disposition, let close): return "finish \(upstream(disposition))" + (close ? " close-client" : "")
        case .answer(let answer, let record, _, let close):
            return "answer \(answer.status.code) \(answer.headers["Sightline-Error"].first ?? "-")" + (record == nil ? "" : " recorded")
                + (close ? " close-client" : " keep-client")
        case .cutResponse(let last, _): return "cut body(\(last.readableBytes))"
        case .closeConnection(let record, let disposition): return "close-connection" + (record == nil ? "" : " recorded") + " \(upstream(disposition))"
        case .checkGateway: return "check-gateway"
        case .nextAttempt(let ms, let attempt, let drop): return "next-attempt \(ms)ms #\(attempt)" + (drop ? " drop-upstream" : "")
        case .closeUpstream: return "close-upstream"
        case .releaseConnection: return "release"
        }
    }
}
