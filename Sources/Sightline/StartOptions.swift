import ArgumentParser
import Foundation
import Logging
import NIOCore
import SightlineCore
import SightlineProxy
import SightlineStore

/// The flags of `sightline start` (SPEC §1), also taken by commands that start a proxy.
struct StartOptions: ParsableArguments {
    @Option(help: "Proxy listen address (forward proxy and gateway), host:port; port 0 lets the OS choose.")
    var listen = ListenAddress(host: "127.0.0.1", port: 9020)

    @Option(help: "Web UI and JSON API address, host:port.")
    var ui = ListenAddress(host: "127.0.0.1", port: 9021)

    @Flag(help: "Do not serve the web UI and API.")
    var noUI = false

    @OptionGroup var data: DataDirectoryOption

    @Option(help: "Where flows are stored: a SQLite file path (default: flows.sqlite in the data directory), or postgres://user:password@host:port/database?sslmode=… for a team's shared store. Also SIGHTLINE_STORE.")
    var store: String?

    @Option(help: "The name this Sightline records its flows under (default: host name and proxy port).")
    var instanceName: String?

    @Option(help: "Also intercept this host (pattern with * wildcards); repeatable.")
    var intercept: [String] = []

    @Flag(help: "Intercept every CONNECT host, not only the known LLM APIs.")
    var interceptAll = false

    @Option(help: "Never intercept this host pattern (tunnel it untouched); repeatable.")
    var passthrough: [String] = []

    @Option(help: "Send requests for one origin to another: https://api.openai.com=https://127.0.0.1:8443; repeatable.")
    var mapRemote: [String] = []

    @Option(help: "Add or replace a request header: [HOST:]Name=value; repeatable.")
    var setHeader: [String] = []

    @Option(help: "Also trust this PEM file for upstream TLS; repeatable. Reloaded on SIGHUP.")
    var upstreamCA: [String] = []

    @Flag(help: "Do not verify upstream TLS certificates (dangerous).")
    var insecureUpstream = false

    @Option(help: ArgumentHelp("When an intercepted CONNECT reaches its host: eager or lazy.",
                               discussion: "eager (default): before answering 200, so an unreachable host is the CONNECT's 502. lazy: at once, while the client's TLS with Sightline runs (a first connection is faster); an unreachable host is then the first request's 502."))
    var connect = ConnectStrategy.eager

    @Option(help: "Where gateway (base-URL) requests go without a target header or path prefix.")
    var gatewayTarget = "https://api.openai.com"

    @Option(help: "Also allow this gateway target host beyond loopback (pattern); repeatable.")
    var gatewayAllow: [String] = []

    @Flag(help: "Honour Sightline-Fault headers even when listening beyond loopback.")
    var allowFaults = false

    @Option(help: "Password for the UI/API (required beyond loopback). Also SIGHTLINE_UI_PASSWORD.")
    var uiPassword: String?

    @Option(help: "user:password that proxy clients must send (required beyond loopback).")
    var proxyAuth: String?

    @Option(help: "Largest body kept per request or response (e.g. 32MiB); the true size is always recorded.")
    var bodyCap = "32MiB"

    @Option(help: "Delete flows older than this (e.g. 7d, 12h).")
    var retain: String?

    @Option(help: "Keep the store under this size by deleting the oldest flows (e.g. 2GiB).")
    var maxStoreSize: String?

    @Option(help: "Seconds an upstream may stay silent before the exchange fails with 504.")
    var upstreamTimeout = 600

    @Flag(help: "Let clients on other machines reach loopback and link-local addresses through the proxy.")
    var allowLocalTargets = false

    @Option(help: "Client connections open at once; more are answered 503.")
    var maxConnections = 8192

    @Option(help: "Seconds a new client connection may take to send its request head before a 408 (slow clients are closed).")
    var requestHeadTimeout = 30

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    @Option(help: "Export a span per LLM call and the GenAI metrics over OTLP/HTTP to this collector (base URL, e.g. http://127.0.0.1:4318). Also OTEL_EXPORTER_OTLP_ENDPOINT.")
    var otlpEndpoint: String?

    @Flag(help: "Put prompts, outputs, system instructions and tool definitions in the spans. Also OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true.")
    var otelContent = false

    /// `--store`, else `SIGHTLINE_STORE`, else nil (the SQLite file in the data directory).
    var storeArgument: String? {
        store ?? ProcessInfo.processInfo.environment["SIGHTLINE_STORE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The PostgreSQL store asked for, nil for SQLite.
    var postgresStore: PostgresStoreURL? {
        get throws { try storeArgument.flatMap { PostgresStoreURL.isPostgres($0) ? try PostgresStoreURL($0) : nil } }
    }

    /// The SQLite file: `--store PATH`, or `flows.sqlite` in the data directory (also beside a PostgreSQL store,
    /// for the spool).
    var storePath: String {
        storeArgument.flatMap { PostgresStoreURL.isPostgres($0) ? nil : ($0 as NSString).expandingTildeInPath } ?? data.storePath
    }

    /// What the banner and the logs show of the store: a path, or the URL with its password hidden.
    var storeDescription: String { (try? postgresStore)?.redacted ?? storePath }

    var level: Logger.Level { Logger.Level(rawValue: logLevel.lowercased()) ?? .info }

    func validate() throws {
        do {
            _ = try postgresStore
        } catch let error as StoreError {
            throw ValidationError("--store: \(error.reason)")
        }
        if Logger.Level(rawValue: logLevel.lowercased()) == nil { throw ValidationError("unknown --log-level \(logLevel)") }
        if Quantities.parseByteCount(bodyCap) == nil { throw ValidationError("--body-cap \(bodyCap) is not a size like 32MiB") }
        if let retain, Quantities.parseDurationSeconds(retain) == nil { throw ValidationError("--retain \(retain) is not a duration like 7d") }
        if let maxStoreSize, Quantities.parseByteCount(maxStoreSize) == nil {
            throw ValidationError("--max-store-size \(maxStoreSize) is not a size like 2GiB")
        }
        for rule in mapRemote where MapRemoteRule(parsing: rule) == nil {
            throw ValidationError("--map-remote \(rule) must be FROM=TO with http(s) origins, e.g. https://api.openai.com=https://127.0.0.1:8443")
        }
        for rule in setHeader where SetHeaderRule(parsing: rule) == nil {
            throw ValidationError("--set-header \(rule) must be [HOST:]Name=value")
        }
        if Origin(parsing: gatewayTarget) == nil { throw ValidationError("--gateway-target \(gatewayTarget) is not an http(s) URL") }
        if !listen.isLoopback && proxyAuth == nil {
            throw ValidationError("listening on \(listen) beyond loopback needs --proxy-auth user:password")
        }
        if let proxyAuth, !proxyAuth.contains(":") { throw ValidationError("--proxy-auth must be user:password") }
        for file in upstreamCA where !FileManager.default.isReadableFile(atPath: file) {
            throw ValidationError("--upstream-ca \(file): no such readable file")
        }
    }

    func proxyConfiguration() -> ProxyConfiguration {
        var configuration = ProxyConfiguration()
        configuration.listenHost = listen.host
        configuration.listenPort = listen.port
        configuration.interceptPolicy = InterceptPolicy(
            intercept: KnownLLMHosts.patterns + intercept.map(HostPattern.init),
            passthrough: passthrough.map(HostPattern.init),
            interceptAll: interceptAll)
        configuration.mapRemote = mapRemote.compactMap(MapRemoteRule.init(parsing:))
        configuration.setHeaders = setHeader.compactMap(SetHeaderRule.init(parsing:))
        configuration.upstreamCAFiles = upstreamCA
        configuration.insecureUpstream = insecureUpstream
        configuration.connectStrategy = connect
        configuration.bodyCapBytes = Quantities.parseByteCount(bodyCap) ?? configuration.bodyCapBytes
        configuration.upstreamIdleTimeout = .seconds(Int64(max(1, upstreamTimeout)))
        configuration.allowLocalTargetsFromRemoteClients = allowLocalTargets
        configuration.maxClientConnections = max(1, maxConnections)
        configuration.maxPendingRequestHeads = max(1, min(1024, maxConnections / 4))
        configuration.requestHeadTimeout = .seconds(Int64(max(1, requestHeadTimeout)))
        configuration.gatewayTarget = Origin(parsing: gatewayTarget) ?? configuration.gatewayTarget
        configuration.proxyCredentials = proxyAuth
        if !listen.isLoopback {
            configuration.gatewayAllowList = KnownLLMHosts.patterns + gatewayAllow.map(HostPattern.init)
            configuration.allowFaults = allowFaults
        }
        return configuration
    }
}

extension ConnectStrategy: ExpressibleByArgument {}
