import NIOCore
import Synchronization

/// Keeps the proxy from being a relay into places a client could not reach by itself:
/// - Sightline's own ports (the proxy, which would loop on itself until descriptors run out, and the
///   UI/API, which would then see a loopback client) are never a target, from anyone;
/// - a client that is not on this machine may not reach loopback or link-local addresses (the services
///   bound to 127.0.0.1, a cloud metadata endpoint) unless `--allow-local-targets` says so.
/// Hosts are judged as the client named them (an IP literal or `localhost`), before `--map-remote`, which
/// the operator configured. A DNS name that resolves to a loopback address is not caught here.
final class RelayGuard: Sendable {
    private let ownPorts = Mutex<Set<Int>>([])
    let allowLocalTargetsFromRemoteClients: Bool

    init(allowLocalTargetsFromRemoteClients: Bool) {
        self.allowLocalTargetsFromRemoteClients = allowLocalTargetsFromRemoteClients
    }

    /// Adds a port Sightline listens on (the proxy's once bound, the UI's once it is).
    func protect(port: Int) {
        _ = ownPorts.withLock { $0.insert(port) }
    }

    /// Why a request from `client` to `host:port` is refused, or nil when it may go.
    func refusal(host: String, port: Int, client: SocketAddress?) -> String? {
        let host = Self.bare(host)
        let local = Self.isLocal(host)
        if (local || host == "0.0.0.0" || host == "::"), ownPorts.withLock({ $0.contains(port) }) {
            return "\(host):\(port) is Sightline itself; it does not proxy to its own ports"
        }
        if local, !allowLocalTargetsFromRemoteClients, let client, !Self.isLoopback(client) {
            return "\(host) is a local address; clients on other machines may not reach it through Sightline (--allow-local-targets)"
        }
        return nil
    }

    static func isLoopback(_ address: SocketAddress) -> Bool {
        guard let ip = address.ipAddress else { return true } // a Unix socket is local
        return isLoopbackIP(ip) || ip.hasPrefix("::ffff:127.")
    }

    /// Loopback, link-local, unspecified, or the name `localhost`.
    static func isLocal(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        if isLoopbackIP(host) || host.hasPrefix("169.254.") || host.hasPrefix("fe80:") || host == "0.0.0.0" || host == "::" { return true }
        if host.hasPrefix("::ffff:") { return isLocal(String(host.dropFirst("::ffff:".count))) }
        return false
    }

    private static func isLoopbackIP(_ ip: String) -> Bool {
        ip.hasPrefix("127.") || ip == "::1" || ip == "0:0:0:0:0:0:0:1"
    }

    private static func bare(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}
