import Foundation
import SightlineCA
import SightlineTestSupport
import Testing

/// `sightline ca install|uninstall --root TREE` against a real Debian trust layout, rebuilt by the real
/// `update-ca-certificates`; and the exact steps each platform's dry run prints.
@Suite(.serialized) struct CATrustTests {
    /// Every file, symlink (by target) and directory under `root`, with contents: "byte for byte".
    private func snapshot(_ root: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: root.path) else { return result }
        for case let relative as String in walker {
            let path = root.path + "/" + relative
            let type = try fm.attributesOfItem(atPath: path)[.type] as? FileAttributeType
            if type == .typeSymbolicLink {
                result[relative] = "-> " + (try fm.destinationOfSymbolicLink(atPath: path))
            } else if type == .typeDirectory {
                result[relative] = "dir"
            } else {
                result[relative] = (try Data(contentsOf: URL(fileURLWithPath: path))).base64EncodedString()
            }
        }
        return result
    }

    /// A Debian trust tree with one distribution root, as `update-ca-certificates` leaves it.
    private func makeDebianTree(at root: URL) throws {
        let fm = FileManager.default
        for dir in ["etc/ssl/certs", "etc/ca-certificates/update.d", "usr/share/ca-certificates/test", "usr/local/share/ca-certificates"] {
            try fm.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        try "ID=debian\n".write(to: root.appendingPathComponent("etc/os-release"), atomically: true, encoding: .utf8)
        try "test/other.crt\n".write(to: root.appendingPathComponent("etc/ca-certificates.conf"), atomically: true, encoding: .utf8)
        try CertificateAuthority.create(commonName: "Some Distribution Root").certificatePEM
            .write(to: root.appendingPathComponent("usr/share/ca-certificates/test/other.crt"), atomically: true, encoding: .utf8)
        let r = root.path
        let baseline = try run(Self.updateCACertificates!, ["--fresh", "--certsconf", r + "/etc/ca-certificates.conf", "--certsdir", r + "/usr/share/ca-certificates",
                                                          "--localcertsdir", r + "/usr/local/share/ca-certificates", "--etccertsdir", r + "/etc/ssl/certs",
                                                          "--hooksdir", r + "/etc/ca-certificates/update.d"])
        try #require(baseline.status == 0, "\(baseline.stderr)")
    }

    /// `openssl verify` of `leaf` against only the tree's bundle file, or only its hashed directory.
    private func verifies(_ leaf: String, root: URL) throws -> (file: Bool, directory: Bool) {
        let file = try run("openssl", ["verify", "-no-CApath", "-no-CAstore", "-CAfile", root.path + "/etc/ssl/certs/ca-certificates.crt", leaf])
        let directory = try run("openssl", ["verify", "-no-CAfile", "-no-CAstore", "-CApath", root.path + "/etc/ssl/certs", leaf])
        return (file.status == 0 && file.stdoutText.contains("OK"), directory.status == 0 && directory.stdoutText.contains("OK"))
    }

    static let updateCACertificates = ["/usr/sbin/update-ca-certificates", "/usr/bin/update-ca-certificates"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Needs Debian's ca-certificates package (`.ci/run` installs it).
    @Test(.enabled(if: updateCACertificates != nil))
    func installTrustsALeafAndUninstallRestoresTheTreeByteForByte() throws {
        let directory = try makeTemporaryDirectory("sightline-ca-install")
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("root")
        try makeDebianTree(at: root)
        let before = try snapshot(root)

        let data = directory.appendingPathComponent("data")
        let authority = try CertificateAuthority.loadOrCreate(in: data)
        let leaf = try LeafCertificateIssuer(authority: authority).issue(for: "api.openai.com")
        let leafPath = directory.appendingPathComponent("leaf.pem").path
        let base64 = Data(leaf.certificateDER).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        try "-----BEGIN CERTIFICATE-----\n\(base64)\n-----END CERTIFICATE-----\n".write(toFile: leafPath, atomically: true, encoding: .utf8)
        #expect(try verifies(leafPath, root: root) == (false, false))

        let install = try run(SightlineBinary.path, ["ca", "install", "--root", root.path, "--data-dir", data.path])
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stdoutText.contains("+ install -m 644 \(data.path)/ca-cert.pem \(root.path)/usr/local/share/ca-certificates/sightline-ca.crt"))
        #expect(try verifies(leafPath, root: root) == (true, true))
        let installed = try snapshot(root)

        // Idempotent: a second install changes nothing.
        let again = try run(SightlineBinary.path, ["ca", "install", "--root", root.path, "--data-dir", data.path])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdoutText.contains("already holds this CA"))
        #expect(try snapshot(root) == installed)

        let uninstall = try run(SightlineBinary.path, ["ca", "uninstall", "--root", root.path, "--data-dir", data.path])
        #expect(uninstall.status == 0, "\(uninstall.stderr)")
        #expect(try snapshot(root) == before)
        #expect(try verifies(leafPath, root: root) == (false, false))

        let nothing = try run(SightlineBinary.path, ["ca", "uninstall", "--root", root.path, "--data-dir", data.path])
        #expect(nothing.status == 0 && nothing.stdoutText.contains("not installed"))
    }

    @Test func dryRunPrintsEachPlatformsExactStepsAndChangesNothing() throws {
        let directory = try makeTemporaryDirectory("sightline-ca-dry")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        let ca = data + "/ca-cert.pem"
        func dryRun(_ arguments: [String]) throws -> [String] {
            let result = try run(SightlineBinary.path, ["ca"] + arguments + ["--dry-run", "--data-dir", data])
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdoutText.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
        }
        // Ubuntu (ID_LIKE=debian), and a tree without the local directory: it is created first.
        let ubuntu = directory.appendingPathComponent("ubuntu").path
        try FileManager.default.createDirectory(atPath: ubuntu + "/etc", withIntermediateDirectories: true)
        try "ID=ubuntu\nID_LIKE=debian\n".write(toFile: ubuntu + "/etc/os-release", atomically: true, encoding: .utf8)
        let before = try snapshot(URL(fileURLWithPath: ubuntu))
        #expect(try dryRun(["install", "--root", ubuntu]) == [
            "mkdir -p \(ubuntu)/usr/local/share/ca-certificates",
            "install -m 644 \(ca) \(ubuntu)/usr/local/share/ca-certificates/sightline-ca.crt",
            "update-ca-certificates --certsconf \(ubuntu)/etc/ca-certificates.conf --certsdir \(ubuntu)/usr/share/ca-certificates "
                + "--localcertsdir \(ubuntu)/usr/local/share/ca-certificates --etccertsdir \(ubuntu)/etc/ssl/certs "
                + "--hooksdir \(ubuntu)/etc/ca-certificates/update.d",
        ])
        #expect(try snapshot(URL(fileURLWithPath: ubuntu)) == before)

        // Fedora and Arch trees, told apart by os-release; their p11-kit refresh reads only the real paths.
        for (id, anchor) in [("rocky", "/etc/pki/ca-trust/source/anchors/sightline-ca.pem"), ("manjaro", "/etc/ca-certificates/trust-source/anchors/sightline-ca.crt")] {
            let tree = directory.appendingPathComponent(id).path
            try FileManager.default.createDirectory(atPath: tree + (anchor as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try "ID=\(id)\n".write(toFile: tree + "/etc/os-release", atomically: true, encoding: .utf8)
            #expect(try dryRun(["install", "--root", tree]) == ["install -m 644 \(ca) \(tree)\(anchor)"])
        }

        let home = FileManager.default.homeDirectoryForCurrentUser.path
        #expect(try dryRun(["install", "--platform", "macos"]) == ["security add-trusted-cert -r trustRoot -k \(home)/Library/Keychains/login.keychain-db \(ca)"])
        #expect(try dryRun(["install", "--platform", "macos", "--system"]) == ["security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain \(ca)"])
        // macOS deletes by SHA-1 fingerprint, checked here against openssl's.
        let fingerprint = try run("openssl", ["x509", "-noout", "-fingerprint", "-sha1", "-in", ca]).stdoutText
            .split(separator: "=").last.map { $0.replacingOccurrences(of: ":", with: "").trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        #expect(fingerprint.count == 40)
        #expect(try dryRun(["uninstall", "--platform", "macos"]) == [
            "security remove-trusted-cert \(ca)",
            "security delete-certificate -Z \(fingerprint) \(home)/Library/Keychains/login.keychain-db",
        ])

        let show = try run(SightlineBinary.path, ["ca", "show", "--data-dir", data])
        let sha256 = try run("openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", ca]).stdoutText.split(separator: "=").last
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? "?"
        #expect(show.stdoutText.contains("sha256       \(sha256)"), "\(show.stdoutText)")
        #expect(show.stdoutText.contains("certificate  \(ca)"))
    }
}
