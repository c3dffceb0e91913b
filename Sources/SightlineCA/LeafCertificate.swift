import Crypto
import Foundation
import SwiftASN1
import X509

/// A host certificate signed by the local CA, with the key it certifies.
public struct LeafCertificate: Sendable {
    public let host: String
    public let certificateDER: [UInt8]
    public let privateKeyDER: [UInt8]
    public let notValidAfter: Date

    /// Re-mint a day before expiry so a long-running proxy never serves an expired leaf.
    public func needsRenewal(at now: Date) -> Bool {
        now.addingTimeInterval(86_400) >= notValidAfter
    }
}

/// Signs leaf certificates. One P-256 key serves every host: key generation is the cost of minting,
/// and mitmproxy and HTTP Toolkit make the same trade.
public struct LeafCertificateIssuer: Sendable {
    public let authority: CertificateAuthority
    private let leafKey: Certificate.PrivateKey
    private let leafKeyDER: [UInt8]
    /// Short validity limits the harm of a leaked leaf; backdating absorbs clock skew.
    public static let validity: TimeInterval = 30 * 86_400
    public static let backdate: TimeInterval = 86_400

    public init(authority: CertificateAuthority) {
        self.authority = authority
        let key = P256.Signing.PrivateKey()
        self.leafKey = Certificate.PrivateKey(key)
        self.leafKeyDER = Array(key.derRepresentation)
    }

    public func issue(for host: String, now: Date = Date()) throws -> LeafCertificate {
        try issue(forNames: [host], now: now)
    }

    /// A leaf valid for every name given (DNS names and IP literals); the first is the subject's CN.
    public func issue(forNames rawNames: [String], now: Date = Date()) throws -> LeafCertificate {
        let names = rawNames.map(Self.normalize)
        guard let host = names.first else { throw CertificateAuthorityError.invalidHost("") }
        let sans = try zip(rawNames, names).map { raw, name -> GeneralName in
            if let ip = IPAddressBytes(name) { return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(ip.bytes))) }
            if Self.isDNSName(name) { return .dnsName(name) }
            throw CertificateAuthorityError.invalidHost(raw)
        }
        let commonName = String(host.prefix(64))
        let subject = try DistinguishedName {
            CommonName(commonName)
            OrganizationName("Sightline")
        }
        let notAfter = now.addingTimeInterval(Self.validity)
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames(sans)
            AuthorityKeyIdentifier(keyIdentifier: authority.subjectKeyIdentifier)
            SubjectKeyIdentifier(keyIdentifier: CertificateAuthority.keyIdentifier(for: leafKey.publicKey))
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: leafKey.publicKey,
            notValidBefore: now.addingTimeInterval(-Self.backdate),
            notValidAfter: notAfter,
            issuer: authority.certificate.subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: authority.privateKey
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return LeafCertificate(host: host, certificateDER: serializer.serializedBytes, privateKeyDER: leafKeyDER, notValidAfter: notAfter)
    }

    static func normalize(_ host: String) -> String {
        var host = host.lowercased()
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        return host
    }

    static func isDNSName(_ host: String) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 253 else { return false }
        return host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63
                && label.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 || $0 == 42 }
        }
    }
}
