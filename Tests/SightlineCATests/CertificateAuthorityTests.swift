import Foundation
import SightlineCA
import SwiftASN1
import Testing
import X509

@Suite struct CertificateAuthorityTests {
    private func tempDir() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("sightline-ca-\(UUID().uuidString)")
    }

    @Test func createsFilesWithOwnerOnlyKeyAndReusesThem() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try CertificateAuthority.loadOrCreate(in: dir)
        let keyMode = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("ca-key.pem").path)[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("ca-cert.cer").path))
        let second = try CertificateAuthority.loadOrCreate(in: dir)
        #expect(first.certificate == second.certificate)
        #expect(try first.certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
    }

    @Test func refusesAKeyOthersCanRead() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try CertificateAuthority.loadOrCreate(in: dir)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir.appendingPathComponent("ca-key.pem").path)
        #expect(throws: CertificateAuthorityError.self) { try CertificateAuthority.loadOrCreate(in: dir) }
    }

    @Test func leafHasShortBackdatedValidityAndTheRightSAN() throws {
        let ca = try CertificateAuthority.create()
        let issuer = LeafCertificateIssuer(authority: ca)
        let now = Date()
        for (host, expected) in [("api.openai.com", GeneralName.dnsName("api.openai.com")),
                                 ("127.0.0.1", GeneralName.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])))] {
            let leaf = try issuer.issue(for: host, now: now)
            let cert = try Certificate(derEncoded: leaf.certificateDER)
            #expect(try cert.extensions.subjectAlternativeNames?.contains(expected) == true)
            #expect(cert.notValidBefore <= now.addingTimeInterval(-86_000))
            #expect(cert.notValidAfter.timeIntervalSince(now) <= 31 * 86_400)
            #expect(cert.issuer == ca.certificate.subject)
            #expect(try cert.extensions.extendedKeyUsage?.contains(.serverAuth) == true)
            #expect(leaf.needsRenewal(at: now.addingTimeInterval(30 * 86_400)))
            #expect(!leaf.needsRenewal(at: now))
        }
    }

    @Test func leafVerifiesWithOpenSSLAgainstTheCA() throws {
        let dir = tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ca = try CertificateAuthority.loadOrCreate(in: dir)
        let leaf = try LeafCertificateIssuer(authority: ca).issue(for: "api.anthropic.com")
        let leafPEM = try Certificate(derEncoded: leaf.certificateDER).serializeAsPEM().pemString
        let leafFile = dir.appendingPathComponent("leaf.pem")
        try leafPEM.write(to: leafFile, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "verify", "-x509_strict", "-purpose", "sslserver", "-verify_hostname", "api.anthropic.com",
                             "-CAfile", dir.appendingPathComponent("ca-cert.pem").path, leafFile.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
    }
}
