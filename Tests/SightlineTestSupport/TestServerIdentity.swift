import Foundation
import NIOSSL
import SightlineCA

/// A throwaway CA and a leaf it signed for `hosts`, ready to serve TLS: a test upstream is then a real
/// HTTPS server that nothing trusts by default, and the proxy under test trusts it only because the
/// test hands it `caFile` (`--upstream-ca`, `upstreamCAFiles`).
public struct TestServerIdentity: Sendable {
    public let authority: CertificateAuthority
    /// The CA certificate as PEM, written where the caller asked.
    public let caFile: URL
    public let context: NIOSSLContext

    public init(commonName: String, hosts: [String], caFile: URL) throws {
        let authority = try CertificateAuthority.create(commonName: commonName)
        try authority.certificatePEM.write(to: caFile, atomically: true, encoding: .utf8)
        let leaf = try LeafCertificateIssuer(authority: authority).issue(forNames: hosts)
        let chain: [NIOSSLCertificateSource] = [.certificate(try NIOSSLCertificate(bytes: leaf.certificateDER, format: .der))]
        let key = try NIOSSLPrivateKey(bytes: leaf.privateKeyDER, format: .der)
        self.authority = authority
        self.caFile = caFile
        context = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
    }
}
