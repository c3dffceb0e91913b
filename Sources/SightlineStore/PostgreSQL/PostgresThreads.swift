import Logging
import PostgresNIO
import SightlineCore

// Threads on PostgreSQL: as on SQLite (`SQLiteFlowStore+Threads`), one `thread_key` table shared by every
// instance, so a conversation continued through another instance, or after a restart, is still one thread.
enum PostgresThreads {
    static let migrationName = "v4: flow.parent_id, flow.thread_id, thread_key"
    static let migration = [
        "ALTER TABLE flow ADD COLUMN parent_id text",
        "ALTER TABLE flow ADD COLUMN thread_id text",
        "CREATE INDEX flow_on_thread_id ON flow (thread_id, id) WHERE thread_id IS NOT NULL",
        """
        CREATE TABLE thread_key (
            key text PRIMARY KEY, -- `c:` conversation hash, `r:` response id, `m:` MCP session id
            flow_id text NOT NULL, -- the newest call that left it
            thread_id text NOT NULL,
            started_at bigint NOT NULL -- that call's start (Unix ms): retention forgets keys of removed flows
        )
        """,
        "CREATE INDEX thread_key_on_started_at ON thread_key (started_at)",
    ]

    /// Threads the batch (setting each call's parent and thread) inside the transaction that inserts it.
    static func link(_ records: inout [FlowRecord], _ connection: PostgresConnection, logger: Logger) async throws -> [String: ThreadLink] {
        let wanted = ThreadLinking.candidateKeys(records)
        var stored: [String: ThreadLink] = [:]
        if !wanted.isEmpty {
            var binds = PostgresBindings()
            binds.append(wanted)
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT key, flow_id, thread_id, started_at FROM thread_key WHERE key = ANY($1)",
                                                                binds: binds), logger: logger)
            for try await (key, flowID, threadID, startedAt) in rows.decode((String, String, String, Int64).self) {
                stored[key] = ThreadLink(flowID: flowID, threadID: threadID, startedAt: startedAt)
            }
        }
        return ThreadLinking.link(&records, stored: stored)
    }

    /// One multi-row upsert, in key order: two instances writing the same keys then lock them in the same order.
    static func store(_ links: [String: ThreadLink], _ connection: PostgresConnection, logger: Logger) async throws {
        guard !links.isEmpty else { return }
        var binds = PostgresBindings(capacity: links.count * 4)
        var tuples: [String] = []
        for (key, link) in links.sorted(by: { $0.key < $1.key }) {
            let base = binds.count
            binds.append(key)
            binds.append(link.flowID)
            binds.append(link.threadID)
            binds.append(link.startedAt)
            tuples.append("($\(base + 1), $\(base + 2), $\(base + 3), $\(base + 4))")
        }
        try await connection.query(PostgresQuery(unsafeSQL: """
            INSERT INTO thread_key (key, flow_id, thread_id, started_at) VALUES \(tuples.joined(separator: ", "))
            ON CONFLICT (key) DO UPDATE SET flow_id = excluded.flow_id, thread_id = excluded.thread_id, started_at = excluded.started_at
            """, binds: binds), logger: logger)
    }

    /// After retention: keys of calls older than the oldest flow left lead nowhere.
    static func prune(olderThan oldest: Int64, _ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("DELETE FROM thread_key WHERE started_at < \(oldest)", logger: logger)
    }
}
