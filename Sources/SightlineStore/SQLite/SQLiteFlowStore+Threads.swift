import GRDB
import SightlineCore

// Threads on SQLite: `thread_key` maps each key a call left (a hash of its conversation, its response id, its
// MCP session) to that call and its thread; the batch looks up its keys with one indexed read, then writes back
// what it left, in the same transaction as its flows.
extension SQLiteFlowStore {
    static let threadTables = [
        """
        CREATE TABLE thread_key (
            key TEXT PRIMARY KEY, -- `c:` conversation hash, `r:` response id, `m:` MCP session id
            flow_id TEXT NOT NULL, -- the newest call that left it
            thread_id TEXT NOT NULL,
            started_at INTEGER NOT NULL -- that call's start (Unix ms): retention forgets keys of removed flows
        ) WITHOUT ROWID
        """,
        "CREATE INDEX thread_key_on_started_at ON thread_key(started_at)",
        "CREATE INDEX flow_on_thread_id ON flow(thread_id, id) WHERE thread_id IS NOT NULL",
    ]

    /// Threads the batch (setting each call's parent and thread) before its flows are inserted.
    static func linkThreads(_ records: inout [FlowRecord], _ db: Database) throws -> [String: ThreadLink] {
        let wanted = ThreadLinking.candidateKeys(records)
        var stored: [String: ThreadLink] = [:]
        // SQLite's bound-parameter limit is far above a batch's keys; chunks keep it so for any batch.
        for start in stride(from: 0, to: wanted.count, by: 500) {
            let keys = wanted[start..<min(start + 500, wanted.count)]
            let rows = try Row.fetchAll(db, sql: """
                SELECT key, flow_id, thread_id, started_at FROM thread_key WHERE key IN (\(keys.map { _ in "?" }.joined(separator: ",")))
                """, arguments: StatementArguments(Array(keys)))
            for row in rows {
                stored[row["key"]] = ThreadLink(flowID: row["flow_id"], threadID: row["thread_id"], startedAt: row["started_at"])
            }
        }
        return ThreadLinking.link(&records, stored: stored)
    }

    static func storeThreadLinks(_ links: [String: ThreadLink], _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO thread_key (key, flow_id, thread_id, started_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET flow_id = excluded.flow_id, thread_id = excluded.thread_id, started_at = excluded.started_at
            """)
        for (key, link) in links.sorted(by: { $0.key < $1.key }) {
            try statement.execute(arguments: [key, link.flowID, link.threadID, link.startedAt])
        }
    }

    /// After retention: keys of calls older than the oldest flow left lead nowhere.
    static func pruneThreadKeys(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM thread_key WHERE started_at < coalesce((SELECT min(started_at) FROM flow), 9223372036854775807)")
    }
}
