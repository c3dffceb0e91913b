import Foundation

/// Host, path and query of a request URL, split by hand: recorded URLs can be origin-form, carry
/// Gemini's `:method` suffixes, or odd escapes that `URLComponents` rejects, and detection must still
/// work on them.
struct URLParts: Equatable {
    var host: String
    var port: Int?
    var path: String
    var query: [String: String]

    init(host: String, port: Int? = nil, path: String, query: [String: String] = [:]) {
        self.host = host
        self.port = port
        self.path = path
        self.query = query
    }

    init(_ url: String) {
        var rest = Substring(url)
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var authority: Substring = ""
        if let scheme = rest.firstRange(ofASCII: "://") {
            let afterScheme = rest[scheme.upperBound...]
            let end = afterScheme.firstIndex { $0 == "/" || $0 == "?" } ?? afterScheme.endIndex
            authority = afterScheme[..<end]
            rest = afterScheme[end...]
        }
        var queryText: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            queryText = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var hostText = authority
        var port: Int?
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            hostText = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = Int(after.dropFirst()) }
        } else if let colon = authority.lastIndex(of: ":") {
            hostText = authority[..<colon]
            port = Int(authority[authority.index(after: colon)...])
        }
        var query: [String: String] = [:]
        for pair in queryText.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = kv.first, !key.isEmpty else { continue }
            let value = kv.count > 1 ? String(kv[1]) : ""
            query[String(key)] = Self.percentDecoded(value)
        }
        let path = String(rest)
        self.host = hostText.lowercased()
        self.port = port
        self.path = Self.percentDecoded(path)
        self.query = query
    }

    /// Foundation's decoding is costly and runs on every recorded URL; most have nothing to decode.
    private static func percentDecoded(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        return text.removingPercentEncoding ?? text
    }
}
