import Crypto
import Foundation
import SightlineCA
import X509

/// What setup needs to know about the Sightline CA: where its PEM file is, its bytes, and how the
/// platforms name it (macOS deletes certificates by SHA-1 fingerprint; people compare SHA-256).
public struct CertificateFacts: Sendable, Hashable {
    /// The PEM file every plan copies from (`ca-cert.pem` in the data directory).
    public var pemPath: String
    public var pem: String
    public var subject: String
    public var notValidBefore: Date
    public var notValidAfter: Date
    public var sha1Hex: String
    public var sha256Hex: String

    public init(pemPath: String, pem: String, subject: String, notValidBefore: Date, notValidAfter: Date, sha1Hex: String, sha256Hex: String) {
        self.pemPath = pemPath
        self.pem = pem
        self.subject = subject
        self.notValidBefore = notValidBefore
        self.notValidAfter = notValidAfter
        self.sha1Hex = sha1Hex
        self.sha256Hex = sha256Hex
    }

    public init(authority: CertificateAuthority, pemPath: String) {
        let der = authority.certificateDER
        self.init(pemPath: pemPath, pem: authority.certificatePEM, subject: authority.certificate.subject.description,
                  notValidBefore: authority.certificate.notValidBefore, notValidAfter: authority.certificate.notValidAfter,
                  sha1Hex: Insecure.SHA1.hash(data: der).map { String(format: "%02X", $0) }.joined(),
                  sha256Hex: SHA256.hash(data: der).map { String(format: "%02X", $0) }.joined())
    }

    /// `AB:CD:…`, the way browsers and `openssl x509 -fingerprint` show it.
    public var sha256Colons: String {
        stride(from: 0, to: sha256Hex.count, by: 2).map { i -> String in
            let start = sha256Hex.index(sha256Hex.startIndex, offsetBy: i)
            return String(sha256Hex[start..<sha256Hex.index(start, offsetBy: 2)])
        }.joined(separator: ":")
    }

    /// The base64 body of the PEM, whitespace removed: finds the CA in a bundle whatever its line endings.
    public var pemBody: String {
        Self.body(of: pem)
    }

    static func body(of pem: String) -> String {
        pem.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
            .filter { !$0.isWhitespace }
    }

    /// True when `text` (a PEM bundle) contains this certificate.
    public func isContained(in text: String) -> Bool {
        let body = pemBody
        guard !body.isEmpty else { return false }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined().contains(body)
    }
}
