import Foundation

/// A PEM bundle of the system's roots plus the Sightline CA, for `SSL_CERT_FILE` and friends: a
/// client pointed at it trusts Sightline's leaves and still every real site (tunnelled hosts keep
/// their own certificates).
public enum TrustBundle {
    public static let fileName = "ca-bundle.pem"

    /// Where Debian/Ubuntu, Fedora/RHEL, Arch, openSUSE, Alpine and macOS (Homebrew OpenSSL) keep the roots.
    public static let systemBundleCandidates = [
        "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
        "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem", "/opt/homebrew/etc/openssl@3/cert.pem",
        "/usr/local/etc/openssl@3/cert.pem",
    ]

    public static func systemRootsPath(fileManager: FileManager = .default) -> String? {
        systemBundleCandidates.first { fileManager.isReadableFile(atPath: $0) }
    }

    /// Writes the bundle if its content would change; returns its path.
    @discardableResult
    public static func write(authority: CertificateAuthority, in directory: URL, systemRoots: String? = systemRootsPath()) throws -> URL {
        let url = directory.appendingPathComponent(fileName)
        var content = ""
        if let systemRoots, let roots = try? String(contentsOfFile: systemRoots, encoding: .utf8) {
            content = roots
            if !content.hasSuffix("\n") { content += "\n" }
        }
        content += "# Sightline CA (local interception)\n" + authority.certificatePEM
        if !content.hasSuffix("\n") { content += "\n" }
        if (try? String(contentsOf: url, encoding: .utf8)) != content {
            try content.write(to: url, atomically: true, encoding: .utf8)
        }
        return url
    }
}
