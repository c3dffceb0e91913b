import NIOSSL

/// How the client reaches the upstream: directly, or through an HTTP proxy by CONNECT. One column
/// of the report.
struct Route: Sendable {
    /// The column title: "direct", "sightline", "mitmproxy".
    let name: String
    /// The proxy to send CONNECT to; nil when going direct.
    let proxy: Endpoint?
    /// Trusts the upstream's CA (direct) or the proxy's CA (proxied).
    let tls: NIOSSLContext
    /// The proxy's process, for its memory and CPU time; nil when going direct.
    let proxyPID: Int32?

    /// A client context trusting only `caFile`.
    ///
    /// Host-name checking is off on every route alike: behind a proxy, the address the client is
    /// connected to is the proxy's, so NIOSSL's check of an IP literal (made against the peer
    /// address when no SNI is sent) would test the wrong address. The chain is still verified
    /// against `caFile`, which is what proves the proxy minted the leaf.
    static func clientTLS(trusting caFile: String) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(caFile)
        configuration.certificateVerification = .noHostnameVerification
        // Close like curl and OpenSSL-based SDKs: send close_notify, then close the socket without
        // waiting for the peer's. NIOSSL's default is to wait up to 5 s for it, and a peer that never
        // answers would then stall every close by 5 s.
        configuration.shutdownTimeout = .milliseconds(10)
        return try NIOSSLContext(configuration: configuration)
    }
}
