import Foundation
import NIOCore
import NIOHTTP1
import SightlineCore
import Testing
@testable import SightlineProxy

/// The front of a connection as a value: which first heads become a relay, a CONNECT, or a refusal.
@Suite struct ConnectStateMachineTests {
    func machine(authorized: Bool = true, refusal: String? = nil, intercepts: Bool = true) -> ConnectStateMachine {
        ConnectStateMachine(rules: .init(isAuthorized: { _ in authorized }, refusal: { _, _ in refusal }, intercepts: { _ in intercepts }),
                            clientAddress: "127.0.0.1:5000")
    }

    func head(_ method: HTTPMethod, _ uri: String) -> HTTPServerRequestPart {
        .head(HTTPRequestHead(version: .http1_1, method: method, uri: uri))
    }

    let now = NIODeadline.now()

    @Test func aPlainRequestIsHandedToTheRelayWithItsFirstPart() {
        var m = machine()
        guard case .handOverToExchange = m.partReceived(head(.POST, "http://example.com/x"), now: now, date: Date()) else {
            Issue.record("expected hand-over"); return
        }
        guard case .passOn = m.partReceived(.end(nil), now: now, date: Date()) else { Issue.record("expected pass-on"); return }
    }

    @Test func aConnectWaitsForItsEndThenConnectsAndHoldsTheClientHello() {
        var m = machine(intercepts: false)
        guard case .none = m.partReceived(head(.CONNECT, "api.example.com:8443"), now: now, date: Date()) else { Issue.record("early"); return }
        guard case .connect(let request) = m.partReceived(.end(nil), now: now, date: Date()) else { Issue.record("no connect"); return }
        #expect(request.host == "api.example.com" && request.port == 8443 && request.intercept == false)
        guard case .hold = m.bytesReceived() else { Issue.record("bytes must wait while connecting"); return }
        m.upstreamReady()
        guard case .passOn = m.bytesReceived() else { Issue.record("after hand-over bytes pass on"); return }
    }

    @Test func refusalsAreAnsweredAndRecordedWithTheirKind() {
        for (m, status, kind) in [(machine(authorized: false), 407, FlowErrorKind.proxyAuth), (machine(refusal: "loop"), 403, .forbidden)] {
            var m = m
            _ = m.partReceived(head(.CONNECT, "api.example.com:443"), now: now, date: Date())
            guard case .reject(let answer, let record?) = m.partReceived(.end(nil), now: now, date: Date()) else {
                Issue.record("expected a refusal"); continue
            }
            #expect(Int(answer.status.code) == status && record.errorKind == kind && answer.headers["Connection"] == ["close"])
        }
        var bad = machine()
        _ = bad.partReceived(head(.CONNECT, "no-port-here:x"), now: now, date: Date())
        guard case .reject(let answer, _) = bad.partReceived(.end(nil), now: now, date: Date()) else { Issue.record("bad target"); return }
        #expect(answer.status == .badRequest)
    }

    @Test func anUnreachableUpstreamIsItsErrorStatusAndATunnelFlow() {
        var m = machine(intercepts: false)
        _ = m.partReceived(head(.CONNECT, "api.example.com:443"), now: now, date: Date())
        _ = m.partReceived(.end(nil), now: now, date: Date())
        let error = ProxyError(code: .upstreamRefused, reason: "cannot connect")
        guard case .reject(let answer, let record?) = m.upstreamFailed(error) else { Issue.record("expected a refusal"); return }
        #expect(answer.status == .badGateway && record.mode == .tunnel && record.errorKind == .upstreamRefused)
    }

    @Test func theHeadTimeoutOnlyFiresBeforeTheFirstHead() {
        var waiting = machine()
        guard case .reject(let answer, nil) = waiting.headTimedOut(after: 30) else { Issue.record("expected 408"); return }
        #expect(answer.status == .requestTimeout && answer.headers["Sightline-Error"] == ["request_timeout"])
        var spoke = machine()
        _ = spoke.partReceived(head(.CONNECT, "a:443"), now: now, date: Date())
        guard case .none = spoke.headTimedOut(after: 30) else { Issue.record("a head arrived: no timeout"); return }
    }

    @Test func anAnswerSerialisesAsHTTP11Bytes() {
        let answer = LocalAnswer.plainError(.forbidden, kind: .forbidden, close: true, reason: "no")
        let text = String(buffer: answer.serialized(allocator: ByteBufferAllocator()))
        #expect(text == "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\nSightline-Error: forbidden\r\nConnection: close\r\n\r\nno\n")
    }
}
