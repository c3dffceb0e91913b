import Foundation
import NIOSSL
import PostgresNIO

/// `--store postgres://user:password@host:port/database?sslmode=…` read into postgres-nio's configuration.
/// `redacted` is the only form that is ever printed or logged: the password never leaves this value.
public struct PostgresStoreURL: Sendable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let username: String
    let password: String?
    public let database: String
    public let sslMode: String

    /// True when `text` names a PostgreSQL store rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(_ text: String) throws {
        guard Self.isPostgres(text), let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw StoreError.postgres("not a PostgreSQL URL (postgres://user:password@host:port/database): \(Self.redact(text))")
        }
        self.host = host
        port = components.port ?? 5432
        guard let user = components.user, !user.isEmpty else {
            throw StoreError.postgres("the PostgreSQL URL names no user: \(Self.redact(text))")
        }
        username = user
        password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.isEmpty ? user : (path.removingPercentEncoding ?? path)
        sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslMode) else {
            throw StoreError.postgres("sslmode=\(sslMode) is not one of disable, allow, prefer, require, verify-ca, verify-full")
        }
    }

    private enum Encryption {
        case disable, prefer(TLSConfiguration), require(TLSConfiguration)
    }

    /// As libpq reads `sslmode`: `require` encrypts without checking the certificate, `verify-ca` checks the
    /// chain, `verify-full` the chain and the host name; `prefer` (the default) and `allow` use TLS when offered.
    private var encryption: Encryption {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case "disable": return .disable
        case "require": configuration.certificateVerification = .none; return .require(configuration)
        case "verify-ca": configuration.certificateVerification = .noHostnameVerification; return .require(configuration)
        case "verify-full": return .require(configuration)
        default: configuration.certificateVerification = .none; return .prefer(configuration)
        }
    }

    private var tls: PostgresClient.Configuration.TLS {
        switch encryption {
        case .disable: .disable
        case .prefer(let configuration): .prefer(configuration)
        case .require(let configuration): .require(configuration)
        }
    }

    /// One connection's configuration, for the check at start: unlike the pool, which retries a refused or
    /// failing connection without end, it fails at once with the server's reason.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = switch encryption {
        case .disable: .disable
        case .prefer(let configuration): .prefer(try NIOSSLContext(configuration: configuration))
        case .require(let configuration): .require(try NIOSSLContext(configuration: configuration))
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: username, password: password,
                                                             database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    var clientConfiguration: PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password,
                                                         database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 8
        return configuration
    }

    public var description: String { redacted }

    /// `postgres://ada:****@db:5432/flows`.
    public var redacted: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(username)\(password == nil ? "" : ":****")@\(shownHost):\(port)/\(database)"
    }

    /// Hides whatever sits between `//user:` and `@` in a URL that could not be read.
    static func redact(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text.range(of: "@", range: scheme.upperBound..<text.endIndex),
              let colon = text.range(of: ":", range: scheme.upperBound..<at.lowerBound) else { return text }
        return text.replacingCharacters(in: colon.upperBound..<at.lowerBound, with: "****")
    }
}
