import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SightlineCore

/// Why an exchange failed, phrased for the user who sees it in a 502/504 body and in the flow.
public struct ProxyError: Error, CustomStringConvertible, Sendable {
    let code: FlowErrorKind
    public let reason: String

    public var description: String { reason }

    var httpStatus: HTTPResponseStatus {
        switch code {
        case .upstreamTimeout: .gatewayTimeout
        case .badRequest: .badRequest
        case .forbidden: .forbidden
        case .injectedFault: .internalServerError
        case .proxyAuth: .proxyAuthenticationRequired
        case .rateLimited: .tooManyRequests
        case .requestTooLarge: .payloadTooLarge
        case .badFraming: .badRequest
        case .requestTimeout: .requestTimeout
        case .tooManyConnections: .serviceUnavailable
        case .upstreamRefused, .upstreamDNS, .upstreamTLS, .upstreamReset, .upstreamProtocol, .clientGone, .interceptFailed: .badGateway
        }
    }

    static func badRequest(_ reason: String) -> Self { .init(code: .badRequest, reason: reason) }
    static func forbidden(_ reason: String) -> Self { .init(code: .forbidden, reason: reason) }
    static func injected(_ reason: String) -> Self { .init(code: .injectedFault, reason: reason) }
    static func upstreamReset(_ target: String, afterResponseStarted: Bool) -> Self {
        .init(code: .upstreamReset, reason: afterResponseStarted
              ? "upstream \(target) closed the connection in the middle of the response"
              : "upstream \(target) closed the connection before sending a response")
    }
    static func upstreamTimeout(_ target: String, after timeout: TimeAmount) -> Self {
        .init(code: .upstreamTimeout, reason: "upstream \(target) sent nothing for \(describe(timeout))")
    }

    /// `500 ms`, `2.5 s`, `600 s`.
    static func describe(_ amount: TimeAmount) -> String {
        let ms = amount.nanoseconds / 1_000_000
        if ms < 1000 { return "\(ms) ms" }
        return ms % 1000 == 0 ? "\(ms / 1000) s" : String(format: "%.1f s", Double(ms) / 1000)
    }
    static func clientDisconnected() -> Self {
        .init(code: .clientGone, reason: "client disconnected before the response was complete")
    }
    static func upstreamProtocol(_ target: String, _ detail: String) -> Self {
        .init(code: .upstreamProtocol, reason: "upstream \(target) sent an invalid HTTP response: \(detail)")
    }

    /// `connection refused` rather than NIO's `connection reset (error set): Connection refused) (errno: 111)`.
    static func describe(_ error: any Error) -> String {
        if let ioError = error as? IOError {
            return String(cString: strerror(ioError.errnoCode)).lowercased()
        }
        return "\(error)"
    }

    /// Classifies a connect or I/O failure toward `target`.
    static func connecting(to target: String, error: any Error, timeout: TimeAmount) -> Self {
        if let proxyError = error as? ProxyError { return proxyError }
        if error is NIOSSLError || error is BoringSSLError || "\(type(of: error))".contains("SSL") {
            return .init(code: .upstreamTLS, reason: "TLS handshake with upstream \(target) failed: \(error)")
        }
        if let connectError = error as? NIOConnectionError {
            if connectError.dnsAAAAError != nil || connectError.dnsAError != nil, connectError.connectionErrors.isEmpty {
                return .init(code: .upstreamDNS, reason: "cannot resolve upstream host \(target)")
            }
            let detail = connectError.connectionErrors.first.map { describe($0.error) } ?? describe(error)
            return .init(code: .upstreamRefused, reason: "cannot connect to upstream \(target): \(detail)")
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return .init(code: .upstreamTimeout, reason: "connecting to upstream \(target) timed out after \(describe(timeout))")
        }
        if error is IOError {
            return .init(code: .upstreamRefused, reason: "cannot connect to upstream \(target): \(describe(error))")
        }
        return .init(code: .upstreamRefused, reason: "cannot connect to upstream \(target): \(error)")
    }
}

extension ProxyError {
    /// The same classification with a more precise reason, when there is one.
    func withReason(_ reason: String?) -> ProxyError {
        guard let reason else { return self }
        return ProxyError(code: code, reason: reason)
    }

    /// Why an upstream connection ended while an exchange used it (`error` nil: a clean close).
    static func upstreamClosed(_ target: String, error: (any Error)?, afterResponseStarted started: Bool, connectTimeout: TimeAmount) -> ProxyError {
        if let parserError = error as? HTTPParserError, parserError == .invalidEOFState {
            // The decoder's word for "the connection closed before the message was complete".
            return .upstreamReset(target, afterResponseStarted: started)
        }
        if let error, !(error is ProxyError), error is HTTPParserError || "\(error)".contains("HTTPParserError") {
            return .upstreamProtocol(target, "\(error)")
        }
        if let error {
            return ProxyError.connecting(to: target, error: error, timeout: connectTimeout)
                .withReason(started ? "upstream \(target) failed in the middle of the response: \(error)" : nil)
        }
        return .upstreamReset(target, afterResponseStarted: started)
    }
}
