import Crypto
import Foundation
import SwiftASN1
import X509

/// The bench upstream's throwaway PKI, written as PEM files before the proxy starts (the proxy is
/// started with `--upstream-ca <dir>/ca-cert.pem`): a CA and one server certificate for every host
/// the bench dials, including the extra loopback addresses used to make hosts new to the proxy.
enum UpstreamCertificates {
    static let caFileName = "ca-cert.pem"
    static let serverCertificateFileName = "server-cert.pem"
    static let serverKeyFileName = "server-key.pem"

    static func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let now = Date()
        let caKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let caName = try DistinguishedName { CommonName("Sightline bench upstream CA (throwaway)") }
        let ca = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: caKey.publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(7 * 86_400),
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
            },
            issuerPrivateKey: caKey)

        let serverKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let server = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: serverKey.publicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(7 * 86_400),
            issuer: caName,
            subject: try DistinguishedName { CommonName("localhost") },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(subjectAlternativeNames(for: BenchHosts.all))
            },
            issuerPrivateKey: caKey)

        try ca.serializeAsPEM().pemString.write(to: directory.appendingPathComponent(caFileName), atomically: true, encoding: .utf8)
        try server.serializeAsPEM().pemString
            .write(to: directory.appendingPathComponent(serverCertificateFileName), atomically: true, encoding: .utf8)
        try serverKey.serializeAsPEM().pemString
            .write(to: directory.appendingPathComponent(serverKeyFileName), atomically: true, encoding: .utf8)
    }

    /// IP literals need `iPAddress` names: clients (and the proxy) that send no SNI for an IP check
    /// the certificate against the address they connected to.
    private static func subjectAlternativeNames(for hosts: [String]) -> [GeneralName] {
        hosts.map { host in
            let octets = host.split(separator: ".").compactMap { UInt8($0) }
            guard octets.count == 4 else { return .dnsName(host) }
            return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(octets)))
        }
    }
}
