/// The environment that sends a program's HTTP(S) through Sightline and makes it trust the CA
/// (SPEC §6): proxy variables in both cases, since curl reads only lower-case `http_proxy` and some
/// tools only upper-case, and every CA-bundle variable a common client reads.
public struct ProxyEnvironment: Sendable, Hashable {
    /// Hosts that must never go through the proxy: the local machine (a program's own local servers,
    /// and Sightline's UI).
    public static let noProxy = "localhost,127.0.0.1,::1"

    public var proxyURL: String
    public var caBundlePath: String

    public init(proxyURL: String, caBundlePath: String) {
        self.proxyURL = proxyURL
        self.caBundlePath = caBundlePath
    }

    /// `http://host:port` for a listen address; a wildcard host is reached on loopback.
    public init(listenHost: String, port: Int, caBundlePath: String) {
        var host = listenHost
        if host == "0.0.0.0" || host.isEmpty { host = "127.0.0.1" }
        if host == "::" { host = "::1" }
        self.init(proxyURL: "http://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)", caBundlePath: caBundlePath)
    }

    /// Name and value, in the order printed.
    public var variables: [(name: String, value: String)] {
        [
            ("HTTPS_PROXY", proxyURL), ("HTTP_PROXY", proxyURL), ("https_proxy", proxyURL), ("http_proxy", proxyURL),
            ("NO_PROXY", Self.noProxy), ("no_proxy", Self.noProxy),
            // OpenSSL's default verify paths (Python's ssl, aiohttp, httpx, Go, Ruby, rustls-native-certs).
            ("SSL_CERT_FILE", caBundlePath),
            ("REQUESTS_CA_BUNDLE", caBundlePath), // requests, which otherwise uses certifi
            ("CURL_CA_BUNDLE", caBundlePath),
            ("NODE_EXTRA_CA_CERTS", caBundlePath),
            // Node ≥ 24.5 / 22.21: built-in fetch and http(s) honour the proxy variables only with this.
            ("NODE_USE_ENV_PROXY", "1"),
            ("GIT_SSL_CAINFO", caBundlePath),
            ("AWS_CA_BUNDLE", caBundlePath),
            ("DENO_CERT", caBundlePath),
            ("CARGO_HTTP_CAINFO", caBundlePath),
            ("PERL_LWP_SSL_CA_FILE", caBundlePath),
            ("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH", caBundlePath),
        ]
    }

    public var names: [String] { variables.map(\.name) }

    /// Lines that, evaluated by `shell`, set the variables.
    public func exportScript(shell: Shell) -> String {
        variables.map { shell.exportLine(name: $0.name, value: $0.value) }.joined(separator: "\n")
    }

    /// Lines that, evaluated by `shell`, remove what `exportScript` set.
    public func unsetScript(shell: Shell) -> String {
        shell.unsetLines(names: names).joined(separator: "\n")
    }

    /// The environment for a child of `sightline run`: `base` with the variables set and, when given a
    /// directory holding `sitecustomize.py` and the Node preload, that directory first on `PYTHONPATH`
    /// (aiohttp comes through too) and the preload in `NODE_OPTIONS` (fetch on an older Node comes through too).
    public func childEnvironment(base: [String: String], runDirectory: String?) -> [String: String] {
        var environment = base
        for (name, value) in variables { environment[name] = value }
        if let runDirectory {
            let existing = base["PYTHONPATH"].flatMap { $0.isEmpty ? nil : $0 }
            environment["PYTHONPATH"] = existing.map { runDirectory + ":" + $0 } ?? runDirectory
            let preload = "--require \"" + runDirectory + "/" + NodePreload.fileName + "\""
            let options = base["NODE_OPTIONS"].flatMap { $0.isEmpty ? nil : $0 }
            environment["NODE_OPTIONS"] = options.map { $0 + " " + preload } ?? preload
        }
        return environment
    }
}
