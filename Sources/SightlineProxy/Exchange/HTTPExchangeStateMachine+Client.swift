import NIOCore
import NIOHTTP1
import SightlineCore

/// Client events: a request head admitted or refused, its body and end, the client's bytes going bad or the client leaving.
extension HTTPExchangeStateMachine {
    /// The head was refused before any upstream was involved (see `RequestAdmission`).
    mutating func requestRefused(_ answer: LocalAnswer, record: FlowCapture, closeAfter: Bool) -> Action {
        guard case .idle = state else { return .none }
        state = closeAfter ? .closed : .discardingRequest
        return .answer(answer, record: record, upstream: .reuse, closeClient: closeAfter)
    }

    mutating func requestAdmitted(_ exchange: Exchange) -> Action {
        guard case .idle = state else { return .none }
        if exchange.gateway != nil {
            state = .holdingRequest(exchange)
            return .none
        }
        state = .connecting(exchange, pending: [.head(exchange.head)])
        return .connect(exchange.origin, attempt: nextAttemptNumber(), fresh: exchange.upgradesToWebSocket)
    }

    mutating func requestBodyReceived(_ buffer: ByteBuffer) -> Action {
        switch state {
        case .holdingRequest(var exchange):
            state = .modifying
            exchange.captureRequestBody(buffer)
            // Past the body cap the request is answered 413 at its end: what is over the cap is not held.
            if !exchange.capture.request.body.isTruncated { exchange.gateway?.body.append(buffer) }
            state = .holdingRequest(exchange)
            return .none
        case .connecting(var exchange, var pending):
            state = .modifying
            exchange.captureRequestBody(buffer)
            pending.append(.body(.byteBuffer(buffer)))
            state = .connecting(exchange, pending: pending)
            return .none
        case .awaitingResponse(var exchange):
            state = .modifying
            exchange.captureRequestBody(buffer)
            state = .awaitingResponse(exchange)
            return .sendUpstream([.body(.byteBuffer(buffer))], flush: false)
        case .responding(var exchange, let progress):
            state = .modifying
            exchange.captureRequestBody(buffer)
            state = .responding(exchange, progress)
            return .sendUpstream([.body(.byteBuffer(buffer))], flush: false)
        case .discardingRequest, .upgraded, .closed:
            return .none
        case .idle, .checkingGateway, .waitingForAttempt, .drainingAttempt:
            // A body part without a head, or after the request's end: the decoder never produces one.
            return .none
        case .modifying:
            preconditionFailure("event during modification")
        }
    }

    mutating func requestEndReceived(_ trailers: HTTPHeaders?, now: NIODeadline) -> Action {
        switch state {
        case .discardingRequest:
            state = .idle
            return .none
        case .holdingRequest(var exchange):
            state = .modifying
            exchange.requestComplete = true
            return gatewayRequestComplete(exchange, now: now)
        case .connecting(var exchange, var pending):
            state = .modifying
            exchange.requestComplete = true
            pending.append(.end(trailers))
            state = .connecting(exchange, pending: pending)
            return .none
        case .awaitingResponse(var exchange):
            state = .modifying
            exchange.requestComplete = true
            exchange.capture.timings.requestSentMs = exchange.ms(now)
            state = .awaitingResponse(exchange)
            return .sendUpstream([.end(trailers)], flush: true)
        case .responding(var exchange, let progress):
            state = .modifying
            exchange.requestComplete = true
            exchange.capture.timings.requestSentMs = exchange.ms(now)
            state = .responding(exchange, progress)
            return .sendUpstream([.end(trailers)], flush: true)
        case .idle, .upgraded, .closed, .checkingGateway, .waitingForAttempt, .drainingAttempt:
            return .none
        case .modifying:
            preconditionFailure("event during modification")
        }
    }

    /// The client closed, reset, half-closed or failed: nothing will read a response any more.
    mutating func clientClosed(now: NIODeadline) -> Action {
        guard var exchange = takeExchange() else {
            if isClosed { return .none }
            state = .closed
            return .closeConnection(record: nil, upstream: .reuse)
        }
        exchange.fail(.clientDisconnected(), now: now, endsResponse: false)
        state = .closed
        return .closeConnection(record: exchange.capture, upstream: .close)
    }

    /// The client's bytes are not HTTP.
    mutating func requestMalformed(_ detail: String, now: NIODeadline) -> Action {
        if case .upgraded = state { return .none }
        let responding = if case .responding = state { true } else { false }
        let answer = LocalAnswer.plainError(.badRequest, kind: .badRequest, close: true, reason: "malformed HTTP request (\(detail))")
        guard var exchange = takeExchange() else {
            state = .closed
            return .answer(answer, record: nil, upstream: .reuse, closeClient: true)
        }
        exchange.fail(.badRequest("malformed request: \(detail)"), now: now, endsResponse: false)
        state = .closed
        // A response already under way cannot be followed by an answer: the connection just ends.
        if responding { return .closeConnection(record: exchange.capture, upstream: .close) }
        return .answer(answer, record: exchange.capture, upstream: .close, closeClient: true)
    }
}
