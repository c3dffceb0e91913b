import Foundation
import NIOHTTP1

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1): never forwarded.
/// `Transfer-Encoding` is kept because the relay re-frames bodies exactly as announced.
enum HopByHopHeaders {
    static let names: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
        "te", "trailer", "upgrade",
    ]

    /// Removes hop-by-hop headers, including any the `Connection` header names, keeping order and case.
    static func strip(_ headers: HTTPHeaders) -> HTTPHeaders {
        var named = names
        for value in headers[canonicalForm: "connection"] { named.insert(value.lowercased()) }
        var result = HTTPHeaders()
        result.reserveCapacity(headers.count)
        for (name, value) in headers where !named.contains(name.lowercased()) {
            result.add(name: name, value: value)
        }
        return result
    }

    /// The `Upgrade` value of a WebSocket handshake (`Upgrade: websocket` with `Connection: upgrade`), which
    /// the relay passes on instead of stripping: a proxy that drops it breaks the app (RFC 6455 §4.1).
    /// Other upgrades (h2c) are still stripped.
    static func webSocketUpgrade(_ headers: HTTPHeaders) -> String? {
        let connection = headers[canonicalForm: "connection"].map { $0.lowercased() }
        guard connection.contains("upgrade"), let upgrade = headers.first(name: "upgrade"),
              upgrade.lowercased().split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == "websocket" })
        else { return nil }
        return upgrade
    }

    /// Whether the sender asked to close the connection after this message.
    static func wantsClose(_ headers: HTTPHeaders, version: HTTPVersion) -> Bool {
        let tokens = headers[canonicalForm: "connection"].map { $0.lowercased() }
        if tokens.contains("close") { return true }
        if version.major == 1 && version.minor == 0 { return !tokens.contains("keep-alive") }
        return false
    }
}
