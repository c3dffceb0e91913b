/// Why an exchange did not end normally, as a stable word for the API (`error_kind`), metrics and the
/// `Sightline-Error` header. The human sentence stays in `FlowCapture.error`; this is what code counts by,
/// so that metrics can tell an upstream failure from a client that went away.
public enum FlowErrorKind: String, Sendable, Codable, CaseIterable, Hashable {
    case upstreamRefused = "upstream_refused"
    case upstreamDNS = "upstream_dns"
    case upstreamTLS = "upstream_tls"
    case upstreamReset = "upstream_reset"
    case upstreamTimeout = "upstream_timeout"
    case upstreamProtocol = "upstream_protocol"
    case clientGone = "client_gone"
    case proxyAuth = "proxy_auth"
    case rateLimited = "rate_limited"
    case badRequest = "bad_request"
    case badFraming = "bad_framing"
    case forbidden = "forbidden"
    case requestTooLarge = "request_too_large"
    case injectedFault = "injected_fault"
    case interceptFailed = "intercept_failed"
    /// No complete request head within the head timeout (a slowloris, or a client that never spoke).
    case requestTimeout = "request_timeout"
    /// Past `--max-connections`: the connection was answered 503 and closed.
    case tooManyConnections = "too_many_connections"

    /// The upstream (or the way to it) failed, as opposed to the client or a rule of Sightline's.
    public var isUpstream: Bool {
        switch self {
        case .upstreamRefused, .upstreamDNS, .upstreamTLS, .upstreamReset, .upstreamTimeout, .upstreamProtocol: true
        case .clientGone, .proxyAuth, .rateLimited, .badRequest, .badFraming, .forbidden, .requestTooLarge, .injectedFault,
             .interceptFailed, .requestTimeout, .tooManyConnections: false
        }
    }
}
