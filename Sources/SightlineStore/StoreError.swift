/// An error of the flow store. A struct around a private code so that adding a case breaks no caller.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: String, Hashable, Sendable {
        case invalidCursor
        case readOnly
        case schemaMissing
        case spool
        case postgres
    }

    private let code: Code
    /// Detail for logs and the API's `{"error": …}`; never holds secrets.
    public let reason: String

    private init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// A `before=` cursor that is not a flow id.
    public static func invalidCursor(_ cursor: String) -> StoreError {
        StoreError(.invalidCursor, "not a flow cursor: \(cursor.prefix(64))")
    }

    /// A write was asked of a store opened read-only.
    public static let readOnly = StoreError(.readOnly, "the store was opened read-only")

    /// A read-only store was opened on a file that Sightline never migrated.
    public static func schemaMissing(_ path: String) -> StoreError {
        StoreError(.schemaMissing, "no Sightline flows in \(path)")
    }

    /// The recorder's spool file could not be opened, written or cut back (a full disk, permissions).
    public static func spool(_ reason: String) -> StoreError {
        StoreError(.spool, reason)
    }

    /// The PostgreSQL store could not be reached, logged into or used; the reason never holds the password.
    public static func postgres(_ reason: String) -> StoreError {
        StoreError(.postgres, reason)
    }

    /// The store could not be reached or used (not the request's fault): an API answers 503.
    public var isUnavailable: Bool { code == .postgres }

    /// Short and stable, safe as a metrics label.
    public var shortDescription: String { code.rawValue }

    public var description: String { "StoreError.\(code.rawValue): \(reason)" }

    public static func == (lhs: StoreError, rhs: StoreError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

extension StoreError {
    /// Any error of a store's operation, in words for the log and `/api/stats` (PostgreSQL's own message where
    /// it gave one; never a password).
    public static func describe(_ error: any Error) -> String {
        (error as? StoreError)?.reason ?? PostgresFlowStore.describe(error)
    }
}
