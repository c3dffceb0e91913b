/// Why the CA could not be loaded, created or used. Each reason tells the user what to fix.
public struct CertificateAuthorityError: Error, CustomStringConvertible, Sendable {
    private enum Code: Sendable {
        case keyReadableByOthers
        case unreadable
        case unwritable
        case invalidHost
    }

    private let code: Code
    public let reason: String

    private init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }

    static func keyReadableByOthers(path: String, mode: Int) -> Self {
        .init(.keyReadableByOthers, "the CA private key \(path) has mode \(String(mode, radix: 8)); it must be readable by its owner only. Run: chmod 600 \(path)")
    }

    static func unreadable(path: String, underlying: any Error) -> Self {
        .init(.unreadable, "cannot read the CA from \(path): \(underlying). Move the data directory's ca-* files away to create a new CA.")
    }

    static func unwritable(path: String, underlying: any Error) -> Self {
        .init(.unwritable, "cannot write \(path): \(underlying)")
    }

    static func invalidHost(_ host: String) -> Self {
        .init(.invalidHost, "cannot issue a certificate for \"\(host)\": not a DNS name or IP address")
    }
}
