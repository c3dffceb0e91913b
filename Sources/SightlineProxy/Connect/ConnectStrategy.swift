/// When an intercepted CONNECT reaches its host.
public enum ConnectStrategy: String, Sendable, CaseIterable {
    /// Before answering 200, as mitmproxy does by default: an unreachable host is the CONNECT's 502, but the
    /// client's TLS with Sightline waits for a whole upstream handshake.
    case eager
    /// At once: the client's TLS with Sightline runs while the upstream connection is made (into the pool, where
    /// the first request finds it); an unreachable host is that request's 502.
    case lazy
}
