import NIOConcurrencyHelpers
import NIOSSL

/// The TLS client context for upstream connections: system roots plus `--upstream-ca` files.
/// Swapped whole on reload, so a connection always sees one consistent trust set.
public final class UpstreamTrust: Sendable {
    private let caFiles: [String]
    private let insecure: Bool
    private let current: NIOLockedValueBox<NIOSSLContext>

    public init(caFiles: [String], insecure: Bool) throws {
        self.caFiles = caFiles
        self.insecure = insecure
        self.current = NIOLockedValueBox(try Self.makeContext(caFiles: caFiles, insecure: insecure))
    }

    public var context: NIOSSLContext { current.withLockedValue { $0 } }

    /// Re-reads the CA files; on failure the previous trust stays in force and the error is thrown.
    public func reload() throws {
        let fresh = try Self.makeContext(caFiles: caFiles, insecure: insecure)
        current.withLockedValue { $0 = fresh }
    }

    private static func makeContext(caFiles: [String], insecure: Bool) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.applicationProtocols = ["http/1.1"]
        // Closing waits this long for the peer's close_notify, holding the descriptor: an upstream streaming to
        // a client that left may not answer soon, and the default 5 s kept 1,000 of them open after 1,000 streams ended.
        configuration.shutdownTimeout = .seconds(1)
        if insecure {
            configuration.certificateVerification = .none
        } else {
            configuration.trustRoots = .default
            var extra: [NIOSSLCertificate] = []
            for file in caFiles {
                extra.append(contentsOf: try NIOSSLCertificate.fromPEMFile(file))
            }
            if !extra.isEmpty { configuration.additionalTrustRoots = [.certificates(extra)] }
        }
        return try NIOSSLContext(configuration: configuration)
    }
}
