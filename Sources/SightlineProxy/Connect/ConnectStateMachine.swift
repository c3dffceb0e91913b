import Foundation
import NIOCore
import NIOHTTP1
import SightlineCore

/// The first moments of a client connection, before it is an HTTP relay, an intercepted TLS session or a
/// byte tunnel: the first head decides. A value; the front handler performs its actions.
struct ConnectStateMachine {
    enum State {
        /// Nothing yet: the first request head is awaited (under the head timeout).
        case awaitingHead
        /// A CONNECT head is in; its end is awaited.
        case awaitingConnectEnd(HTTPRequestHead)
        /// The CONNECT's upstream is being reached; bytes that arrive (a ClientHello) are held.
        case connecting(ConnectRequest)
        /// The connection belongs to the handlers added after this one, or is being closed.
        case handedOver
    }

    /// A CONNECT that passed its checks.
    struct ConnectRequest {
        var host: String
        var port: Int
        var head: HTTPRequestHead
        /// Terminate TLS with a minted leaf (a host on the intercept list), else relay bytes.
        var intercept: Bool
        var start: NIODeadline
        var date: Date
    }

    /// What the machine needs to know of the proxy's rules, as plain functions.
    struct Rules {
        var isAuthorized: (HTTPHeaders) -> Bool
        /// Why the relay guard refuses `host:port`, or nil.
        var refusal: (String, Int) -> String?
        var intercepts: (String) -> Bool
    }

    enum Action {
        case none
        /// A plain request (absolute-form or gateway): add the HTTP relay, pass this part on, leave.
        case handOverToExchange
        /// Answer with raw bytes and close; record the refused CONNECT when there is one.
        case reject(LocalAnswer, record: FlowCapture?)
        /// Stop parsing HTTP and reach the upstream of the CONNECT.
        case connect(ConnectRequest)
        /// Keep these bytes until the connection is handed over.
        case hold
        /// Pass the read on to the handlers after this one.
        case passOn
    }

    private(set) var state = State.awaitingHead
    let rules: Rules
    let clientAddress: String?

    init(rules: Rules, clientAddress: String?) {
        self.rules = rules
        self.clientAddress = clientAddress
    }

    mutating func partReceived(_ part: HTTPServerRequestPart, now: NIODeadline, date: Date) -> Action {
        switch state {
        case .awaitingHead:
            guard case .head(let head) = part else { return .none }
            if head.method == .CONNECT {
                state = .awaitingConnectEnd(head)
                return .none
            }
            state = .handedOver
            return .handOverToExchange
        case .awaitingConnectEnd(let head):
            guard case .end = part else { return .none }
            return connectReceived(head, now: now, date: date)
        case .connecting:
            return .hold
        case .handedOver:
            return .passOn
        }
    }

    /// Raw bytes once HTTP parsing stopped (the decoder is gone while connecting).
    mutating func bytesReceived() -> Action {
        if case .connecting = state { return .hold }
        return .passOn
    }

    var isConnecting: Bool { if case .connecting = state { true } else { false } }
    var isWaitingForHead: Bool { if case .awaitingHead = state { true } else { false } }

    private mutating func connectReceived(_ head: HTTPRequestHead, now: NIODeadline, date: Date) -> Action {
        guard let (host, port) = Origin.splitAuthority(head.uri, defaultPort: 443) else {
            return reject(head, .badRequest, .badRequest, "CONNECT target \"\(head.uri)\" is not host:port", date: date)
        }
        guard rules.isAuthorized(head.headers) else {
            return reject(head, .proxyAuthenticationRequired, .proxyAuth, "proxy authentication required", date: date,
                          extraHeaders: [("Proxy-Authenticate", "Basic realm=\"sightline\"")])
        }
        if let refusal = rules.refusal(host, port) {
            return reject(head, .forbidden, .forbidden, refusal, date: date)
        }
        let request = ConnectRequest(host: host, port: port, head: head, intercept: rules.intercepts(host), start: now, date: date)
        state = .connecting(request)
        return .connect(request)
    }

    /// The upstream is there: the connection is handed to TLS termination or the tunnel.
    mutating func upstreamReady() {
        guard case .connecting = state else { return }
        state = .handedOver
    }

    mutating func upstreamFailed(_ error: ProxyError) -> Action {
        guard case .connecting(let request) = state else { return .none }
        return reject(request.head, error.httpStatus, error.code, error.reason, date: request.date, mode: request.intercept ? .proxy : .tunnel)
    }

    mutating func headTimedOut(after seconds: Int64) -> Action {
        guard case .awaitingHead = state else { return .none }
        state = .handedOver
        return .reject(.plainError(.requestTimeout, kind: .requestTimeout, close: true, reason: "no complete request head within \(seconds) s"),
                       record: nil)
    }

    mutating func malformed(_ detail: String) -> Action {
        guard case .awaitingHead = state else { return .none }
        state = .handedOver
        return .reject(.plainError(.badRequest, kind: .badRequest, close: true, reason:
            "malformed HTTP request (\(detail)); Sightline expects HTTP/1.1 proxy, CONNECT or gateway requests"), record: nil)
    }

    private mutating func reject(_ head: HTTPRequestHead, _ status: HTTPResponseStatus, _ kind: FlowErrorKind, _ reason: String, date: Date,
                                 mode: FlowMode = .proxy, extraHeaders: [(String, String)] = []) -> Action {
        state = .handedOver
        var capture = FlowCapture(
            id: FlowID.make(at: date), mode: mode, clientAddress: clientAddress,
            request: CapturedRequest(method: "CONNECT", url: "https://\(head.uri)", httpVersion: head.version.text,
                                     headers: head.headers.fields, body: CapturedBody(capBytes: 0)),
            timings: FlowTimings(start: date))
        capture.error = reason
        capture.errorKind = kind
        return .reject(.plainError(status, kind: kind, close: true, reason: reason, extraHeaders: extraHeaders), record: capture)
    }
}

extension LocalAnswer {
    /// The answer as HTTP/1.1 bytes, for a connection whose encoder is gone or must be bypassed.
    func serialized(allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 256 + body.count)
        buffer.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n")
        for (name, value) in headers { buffer.writeString("\(name): \(value)\r\n") }
        buffer.writeString("\r\n")
        buffer.writeBytes(body)
        return buffer
    }
}
