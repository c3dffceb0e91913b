/// The lines `sightline start` prints once it listens, read the way a user reads them: the addresses
/// a test then talks to are the ones Sightline announced, not ones the test assumed.
///
///     proxy    http://127.0.0.1:PORT   (forward proxy …)
///     ca       /data/ca-cert.pem   (trust bundle …)
///     store    /data/flows.sqlite
///     env      HTTPS_PROXY=… HTTP_PROXY=… SSL_CERT_FILE=…
///     ui       http://127.0.0.1:PORT
public struct StartBanner: Sendable {
    /// Empty for a line that has not been printed (yet).
    public var proxy = "", ui = "", ca = "", store = ""
    /// The `otel` line's text after its label (where spans and metrics go), when export is on.
    public var otel = ""
    /// True once the `env` line, printed after everything the proxy side sets up, has arrived.
    public var hasEnv = false

    /// A last line without its newline is still being written (its port may be cut short): left out.
    public init(_ text: String) {
        let complete = text.hasSuffix("\n") ? Substring(text) : text[..<(text.lastIndex(of: "\n") ?? text.startIndex)]
        for line in complete.split(separator: "\n") {
            let words = line.split(separator: " ")
            guard let label = words.first, words.count > 1 else { continue }
            let value = String(words[1])
            switch label {
            case "proxy": proxy = value
            case "ui": ui = value
            case "ca": ca = value
            case "store": store = value
            case "env": hasEnv = true
            case "otel": otel = words.dropFirst().joined(separator: " ")
            default: break
            }
        }
    }

    public var proxyPort: Int { Self.port(of: proxy) }
    public var uiPort: Int { Self.port(of: ui) }

    private static func port(of url: String) -> Int {
        Int(url.split(separator: ":").last ?? "") ?? 0
    }
}
