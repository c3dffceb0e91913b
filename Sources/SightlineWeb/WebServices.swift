import SightlineCore
import SightlineStore

/// What the web API reads and controls. The executable wires the real pieces in.
public struct WebServices: Sendable {
    public var store: any FlowStore
    public var recorder: FlowRecorder?
    public var caCertificatePEM: String
    /// Re-reads upstream trust and clears the leaf cache (nil when no proxy runs in this process).
    public var reload: (@Sendable () throws -> Void)?
    /// Empties the gateway's response cache, in memory and in the store (nil when no proxy runs here).
    public var clearCache: (@Sendable () -> Void)?
    /// Required as a bearer token, basic password or `sightline_token` cookie; nil on loopback.
    public var password: String?
    /// This Sightline's own proxy port, which `POST /api/flows/{id}/replay` sends requests through
    /// (nil when no proxy runs in this process: replay then answers 503).
    public var replayTarget: ReplayTarget?
    /// What the Setup page shows: the proxy URL clients use (`http://127.0.0.1:9020`) and the trust
    /// bundle (system roots + Sightline CA) that `SSL_CERT_FILE` and friends point at.
    public var proxyURL: String?
    public var caBundlePath: String?
    /// How the OpenTelemetry export is going (`/api/stats` → `telemetry`); nil when it is off.
    public var telemetryStats: (@Sendable () -> TelemetryStats)?

    public init(store: any FlowStore, recorder: FlowRecorder?, caCertificatePEM: String, reload: (@Sendable () throws -> Void)?,
                password: String?, replayTarget: ReplayTarget? = nil, proxyURL: String? = nil, caBundlePath: String? = nil,
                clearCache: (@Sendable () -> Void)? = nil, telemetryStats: (@Sendable () -> TelemetryStats)? = nil) {
        self.store = store
        self.recorder = recorder
        self.caCertificatePEM = caCertificatePEM
        self.reload = reload
        self.password = password
        self.replayTarget = replayTarget
        self.proxyURL = proxyURL
        self.caBundlePath = caBundlePath
        self.clearCache = clearCache
        self.telemetryStats = telemetryStats
    }
}

/// Where replayed requests go: the proxy port of this process, reached as a gateway (origin-form
/// request plus `Sightline-Target-Url`), so the proxy records the new flow and answers its id.
public struct ReplayTarget: Sendable {
    /// An address the proxy listens on (`127.0.0.1` when it listens on all addresses).
    public var host: String
    public var port: Int
    /// `user:password` when the proxy asks for `Proxy-Authorization`.
    public var proxyCredentials: String?

    public init(host: String = "127.0.0.1", port: Int, proxyCredentials: String? = nil) {
        self.host = host
        self.port = port
        self.proxyCredentials = proxyCredentials
    }
}
