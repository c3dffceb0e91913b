import Foundation
import NIOConcurrencyHelpers
import NIOSSL
import SightlineCA

/// Server TLS contexts per intercepted host, each with a leaf minted on first use.
/// Minting happens under the lock so many racing first connections mint once (it costs ~0.2 ms).
public final class LeafContextCache: Sendable {
    private struct Entry {
        let context: NIOSSLContext
        let leaf: LeafCertificate
    }

    private let issuer: LeafCertificateIssuer
    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    private let mints = NIOLockedValueBox(0)

    public init(issuer: LeafCertificateIssuer) {
        self.issuer = issuer
    }

    /// How many leaves have been minted since start (for tests and metrics).
    public var mintCount: Int { mints.withLockedValue { $0 } }

    public func context(for host: String, now: Date = Date()) throws -> NIOSSLContext {
        let key = host.lowercased()
        return try entries.withLockedValue { entries in
            if let entry = entries[key], !entry.leaf.needsRenewal(at: now) { return entry.context }
            let leaf = try issuer.issue(for: key, now: now)
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: [.certificate(try NIOSSLCertificate(bytes: leaf.certificateDER, format: .der))],
                privateKey: .privateKey(try NIOSSLPrivateKey(bytes: leaf.privateKeyDER, format: .der))
            )
            configuration.applicationProtocols = ["http/1.1"]
            configuration.shutdownTimeout = .seconds(1) // as upstream: a client that went away holds no descriptor for long
            let context = try NIOSSLContext(configuration: configuration)
            entries[key] = Entry(context: context, leaf: leaf)
            mints.withLockedValue { $0 += 1 }
            return context
        }
    }

    public func clear() {
        entries.withLockedValue { $0.removeAll() }
    }
}
