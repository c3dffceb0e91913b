import SightlineCore

// Summary fields derived from the raw capture.
extension FlowRecordBuilder {
    /// The lowercased host of an absolute URL, without port or user info; a CONNECT target
    /// (`host:443`) works too. Empty when there is none.
    static func host(of url: String) -> String {
        var rest = Substring(url)
        if let scheme = rest.firstRange(ofASCII: "://") { rest = rest[scheme.upperBound...] }
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("[") {
            // An IPv6 literal keeps its brackets off and its colons on.
            if let close = rest.firstIndex(of: "]") { return String(rest[rest.index(after: rest.startIndex)..<close]).lowercased() }
            return String(rest).lowercased()
        }
        if let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        return rest.lowercased()
    }

    /// Time to first byte from the moment the request was sent (from the flow start when that is unknown).
    static func ttfb(_ timings: FlowTimings) -> Double? {
        guard let first = timings.firstByteMs else { return nil }
        guard let sent = timings.requestSentMs else { return first }
        return max(0, first - sent)
    }
}
