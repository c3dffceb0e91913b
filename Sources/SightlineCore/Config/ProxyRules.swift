/// A scheme, host and port: where a request is sent.
public struct Origin: Hashable, Sendable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int

    public init(scheme: String, host: String, port: Int) {
        self.scheme = scheme.lowercased()
        self.host = host.lowercased()
        self.port = port
    }

    public var isTLS: Bool { scheme == "https" || scheme == "wss" }

    public static func defaultPort(for scheme: String) -> Int {
        switch scheme.lowercased() {
        case "https", "wss": 443
        default: 80
        }
    }

    /// `host` or `host:port` when the port is not the scheme's default; IPv6 hosts in brackets.
    /// Concatenated, not interpolated, and the scheme not lowercased again: made for every proxied request.
    public var authority: String {
        let bracketed = host.utf8.contains(UInt8(ascii: ":")) ? "[" + host + "]" : host
        return port == (isTLS ? 443 : 80) ? bracketed : bracketed + ":" + String(port)
    }

    public var description: String { scheme + "://" + authority }

    /// Parses `https://host[:port]` (a path, if any, is ignored).
    public init?(parsing text: String) {
        guard let sep = text.firstRange(ofASCII: "://") else { return nil }
        let scheme = String(text[..<sep.lowerBound]).lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = text[sep.upperBound...]
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) { rest = rest[..<slash] }
        guard let (host, port) = Self.splitAuthority(String(rest), defaultPort: Self.defaultPort(for: scheme)) else { return nil }
        self.init(scheme: scheme, host: host, port: port)
    }

    /// Splits `host[:port]` or `[v6]:port`.
    public static func splitAuthority(_ authority: String, defaultPort: Int) -> (String, Int)? {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty { return (host, defaultPort) }
            guard after.hasPrefix(":"), let port = Int(after.dropFirst()), (1...65535).contains(port) else { return nil }
            return (host, port)
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            guard !parts[0].isEmpty else { return nil }
            return (String(parts[0]), defaultPort)
        case 2:
            guard !parts[0].isEmpty, let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
            return (String(parts[0]), port)
        default:
            return nil
        }
    }
}

/// `--map-remote FROM=TO`: requests for one origin go to another.
public struct MapRemoteRule: Sendable, Hashable {
    public var from: Origin
    public var to: Origin

    public init(from: Origin, to: Origin) {
        self.from = from
        self.to = to
    }

    public init?(parsing text: String) {
        // Split at the `=` that starts the second URL, not one inside the first.
        guard let eq = text.range(of: "=http") else { return nil }
        guard let from = Origin(parsing: String(text[..<eq.lowerBound])),
              let to = Origin(parsing: String(text[text.index(after: eq.lowerBound)...])) else { return nil }
        self.init(from: from, to: to)
    }
}

/// `--set-header [HOST:]Name=value`: adds or replaces a request header, for all hosts or one pattern.
public struct SetHeaderRule: Sendable, Hashable {
    public var host: HostPattern?
    public var name: String
    public var value: String

    public init(host: HostPattern?, name: String, value: String) {
        self.host = host
        self.name = name
        self.value = value
    }

    public init?(parsing text: String) {
        guard let eq = text.firstIndex(of: "=") else { return nil }
        let left = text[..<eq]
        let value = String(text[text.index(after: eq)...])
        if let colon = left.lastIndex(of: ":") {
            let host = left[..<colon], name = left[left.index(after: colon)...]
            guard !host.isEmpty, !name.isEmpty else { return nil }
            self.init(host: HostPattern(String(host)), name: String(name), value: value)
        } else {
            guard !left.isEmpty else { return nil }
            self.init(host: nil, name: String(left), value: value)
        }
    }

    public func applies(to host: String) -> Bool { self.host?.matches(host) ?? true }
}
