import Foundation

/// postgres-nio's pool waits for a connection as long as it takes: with the server away, a write or a read would
/// wait until it returns. Each store operation is given a deadline instead, so that the recorder learns the store
/// is unreachable (and says so in `/api/stats` and the UI) and an API read answers with an error. Cancelling the
/// operation ends its wait for a connection; a write it cut short is simply written again (inserts replace by id).
enum PostgresDeadline {
    static let writes = Duration.seconds(10)
    static let reads = Duration.seconds(10)

    static func run<T: Sendable>(within limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw StoreError.postgres("the PostgreSQL store did not answer \(what) within \(limit.components.seconds) s")
            }
            return value
        }
    }
}
