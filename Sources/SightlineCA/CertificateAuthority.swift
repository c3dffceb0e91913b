import Crypto
import Foundation
import SwiftASN1
import X509

/// The local certificate authority: created once per data directory, trusted by the user,
/// and used to sign a leaf certificate for each intercepted host.
public struct CertificateAuthority: Sendable {
    public static let certificateFileName = "ca-cert.pem"
    public static let certificateDERFileName = "ca-cert.cer"
    public static let keyFileName = "ca-key.pem"

    public let certificate: Certificate
    let privateKey: Certificate.PrivateKey
    let subjectKeyIdentifier: ArraySlice<UInt8>

    /// The CA certificate in PEM, as users install it.
    public var certificatePEM: String {
        (try? certificate.serializeAsPEM().pemString) ?? ""
    }

    public var certificateDER: [UInt8] {
        var serializer = DER.Serializer()
        try? serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    init(certificate: Certificate, privateKey: Certificate.PrivateKey) {
        self.certificate = certificate
        self.privateKey = privateKey
        let ski = try? certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        self.subjectKeyIdentifier = ski ?? Self.keyIdentifier(for: privateKey.publicKey)
    }

    /// Loads the CA from `directory`, creating it (and the directory, mode 0700) on first use.
    /// Refuses a private key that others can read.
    public static func loadOrCreate(in directory: URL, now: Date = Date()) throws -> CertificateAuthority {
        let fm = FileManager.default
        let certURL = directory.appendingPathComponent(certificateFileName)
        let derURL = directory.appendingPathComponent(certificateDERFileName)
        let keyURL = directory.appendingPathComponent(keyFileName)

        if fm.fileExists(atPath: keyURL.path) && fm.fileExists(atPath: certURL.path) {
            let mode = try filePermissions(keyURL.path)
            guard mode & 0o077 == 0 else { throw CertificateAuthorityError.keyReadableByOthers(path: keyURL.path, mode: mode) }
            let ca: CertificateAuthority
            do {
                let key = try Certificate.PrivateKey(pemEncoded: String(contentsOf: keyURL, encoding: .utf8))
                let cert = try Certificate(pemEncoded: String(contentsOf: certURL, encoding: .utf8))
                ca = CertificateAuthority(certificate: cert, privateKey: key)
            } catch {
                throw CertificateAuthorityError.unreadable(path: directory.path, underlying: error)
            }
            if !fm.fileExists(atPath: derURL.path) {
                try write(Data(ca.certificateDER), to: derURL, mode: 0o644)
            }
            return ca
        }

        let ca = try create(now: now)
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CertificateAuthorityError.unwritable(path: directory.path, underlying: error)
        }
        try write(Data(try ca.privateKey.serializeAsPEM().pemString.utf8), to: keyURL, mode: 0o600)
        try write(Data(ca.certificatePEM.utf8), to: certURL, mode: 0o644)
        try write(Data(ca.certificateDER), to: derURL, mode: 0o644)
        return ca
    }

    /// A new CA with a P-256 key, valid for ten years from a day ago.
    public static func create(commonName: String = "Sightline CA", now: Date = Date()) throws -> CertificateAuthority {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let ski = keyIdentifier(for: key.publicKey)
        let name = try DistinguishedName {
            CommonName("\(commonName) (\(ProcessInfo.processInfo.hostName))")
            OrganizationName("Sightline")
            OrganizationalUnitName("local interception CA; trust only on this machine")
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(keyIdentifier: ski)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-86_400),
            notValidAfter: now.addingTimeInterval(10 * 365 * 86_400),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: key
        )
        return CertificateAuthority(certificate: certificate, privateKey: key)
    }

    /// RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
    static func keyIdentifier(for publicKey: Certificate.PublicKey) -> ArraySlice<UInt8> {
        ArraySlice(Insecure.SHA1.hash(data: publicKey.subjectPublicKeyInfoBytes.subjectPublicKeyBits))
    }

    private static func filePermissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
    }

    private static func write(_ data: Data, to url: URL, mode: Int) throws {
        do {
            // Create with the final mode so the key is never readable by others, not even briefly.
            let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, mode_t(mode))
            guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            defer { close(fd) }
            _ = fchmod(fd, mode_t(mode))
            try data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    guard n > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                    offset += n
                }
            }
        } catch {
            throw CertificateAuthorityError.unwritable(path: url.path, underlying: error)
        }
    }
}

extension Certificate.PublicKey {
    /// The DER SubjectPublicKeyInfo, split so the key bits can be hashed for key identifiers.
    var subjectPublicKeyInfoBytes: (der: [UInt8], subjectPublicKeyBits: [UInt8]) {
        var serializer = DER.Serializer()
        try? serializer.serialize(self)
        let der = serializer.serializedBytes
        // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
        guard let node = try? DER.parse(der), case .constructed(let children) = node.content else { return (der, der) }
        var iterator = children.makeIterator()
        _ = iterator.next()
        guard let bits = iterator.next(), case .primitive(let content) = bits.content, content.count > 1 else { return (der, der) }
        return (der, Array(content.dropFirst())) // drop the unused-bits byte
    }
}
