import Foundation
import GRDB

// Per-minute call rollups and per-session totals (migration v9), changed in the same transaction as the flows they
// count, so the dashboard and the sessions view read a few rows per minute instead of every flow.
extension SQLiteFlowStore {
    static let rollupTables = [
        """
        CREATE TABLE call_minute (
            minute INTEGER NOT NULL, instance TEXT NOT NULL, grp TEXT NOT NULL, provider TEXT, totals TEXT NOT NULL,
            PRIMARY KEY (minute, instance, grp)) WITHOUT ROWID
        """,
        """
        CREATE TABLE session_total (
            session_id TEXT NOT NULL, instance TEXT NOT NULL, name TEXT, first_started_at INTEGER NOT NULL,
            last_started_at INTEGER NOT NULL, last_ended_at REAL NOT NULL, totals TEXT NOT NULL, models TEXT NOT NULL,
            users TEXT NOT NULL, PRIMARY KEY (session_id, instance)) WITHOUT ROWID
        """,
        "CREATE INDEX session_total_on_last_started ON session_total(last_started_at)",
    ]

    /// Builds the rollups of the flows already stored (a store from before v9), inside the migration.
    static func buildRollups(_ db: Database) throws {
        var change = RollupChange()
        let rows = try Row.fetchCursor(db, sql: "SELECT \(factColumns) FROM flow")
        let decoder = JSONDecoder()
        while let row = try rows.next() {
            if let facts = facts(row, decoder) { change.add(facts) }
        }
        try apply(change, db)
    }

    /// The stored facts of a flow about to be replaced, so its old figures can be taken out of the rollups.
    static func storedFacts(id: String, _ db: Database) throws -> CallFacts? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(factColumns) FROM flow WHERE id = ?"), arguments: [id])
        else { return nil }
        return facts(row, JSONDecoder())
    }

    /// Adds a change to the stored rows, in key order; a row left without calls is deleted.
    static func apply(_ change: RollupChange, _ db: Database) throws {
        for key in change.minutes.keys.sorted() {
            guard let delta = change.minutes[key] else { continue }
            let stored = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT provider, totals FROM call_minute WHERE minute = ? AND instance = ? AND grp = ?"),
                arguments: [key.minute, key.instance, key.group])
                .map { RollupText.decodeMinute(key: key, provider: $0[0], text: $0[1]) }
            if let updated = RollupChange.applied(delta, to: stored) {
                try db.cachedStatement(sql: "INSERT OR REPLACE INTO call_minute (minute, instance, grp, provider, totals) VALUES (?, ?, ?, ?, ?)")
                    .execute(arguments: [key.minute, key.instance, key.group, updated.totals.provider, RollupText.encode(updated)])
            } else {
                try db.cachedStatement(sql: "DELETE FROM call_minute WHERE minute = ? AND instance = ? AND grp = ?")
                    .execute(arguments: [key.minute, key.instance, key.group])
            }
        }
        for key in change.sessions.keys.sorted() {
            guard let delta = change.sessions[key] else { continue }
            let stored = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT name, first_started_at, last_started_at, last_ended_at, totals, models, users FROM session_total
                WHERE session_id = ? AND instance = ?
                """), arguments: [key.id, key.instance]).map(sessionTotals(key))
            if let updated = RollupChange.applied(delta, to: stored) {
                try db.cachedStatement(sql: """
                    INSERT OR REPLACE INTO session_total
                    (session_id, instance, name, first_started_at, last_started_at, last_ended_at, totals, models, users)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).execute(arguments: [key.id, key.instance, updated.name, updated.firstStartedAt, updated.lastStartedAt,
                                             updated.lastEndedAt, RollupText.encode(updated), RollupText.list(updated.models),
                                             RollupText.list(updated.users)])
            } else {
                try db.cachedStatement(sql: "DELETE FROM session_total WHERE session_id = ? AND instance = ?").execute(arguments: [key.id, key.instance])
            }
        }
    }

    private static func sessionTotals(_ key: SessionTotals.Key) -> (Row) -> SessionTotals {
        { row in
            RollupText.decodeSession(key: key, name: row[0], first: row[1], last: row[2], lastEnded: row[3], text: row[4],
                                     models: row[5], users: row[6])
        }
    }

    /// After retention: rollups of minutes before the oldest flow left, and sessions that ended before it, go too.
    static func pruneRollups(_ db: Database) throws {
        let oldest = try Int64.fetchOne(db, sql: "SELECT started_at FROM flow ORDER BY id LIMIT 1") ?? Int64.max
        try db.execute(sql: "DELETE FROM call_minute WHERE minute < ?", arguments: [oldest == .max ? Int64.max : oldest / 60_000])
        try db.execute(sql: "DELETE FROM session_total WHERE last_started_at < ?", arguments: [oldest])
    }

    public func callMinutes(from: Int64, to: Int64) async throws -> [CallMinute] {
        try await reader.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT minute, instance, grp, provider, totals FROM call_minute WHERE minute >= ? AND minute < ?
                """, arguments: [from, to])
            var minutes: [CallMinute] = []
            while let row = try rows.next() {
                minutes.append(RollupText.decodeMinute(key: CallMinute.Key(minute: row[0], instance: row[1], group: row[2]),
                                                       provider: row[3], text: row[4]))
            }
            return minutes
        }
    }

    public func sessionTotals(since: Date, until: Date, limit: Int) async throws -> [SessionTotals] {
        try await reader.read { db in
            let since = RFC3339.milliseconds(since), until = RFC3339.milliseconds(until)
            // The newest sessions first (by their last call, over every instance), then every instance's row of each.
            let ids = try String.fetchAll(db, sql: """
                SELECT session_id FROM session_total WHERE last_started_at >= ? AND first_started_at <= ?
                GROUP BY session_id ORDER BY max(last_started_at) DESC, session_id DESC LIMIT ?
                """, arguments: [since, until, limit])
            guard !ids.isEmpty else { return [] }
            let rows = try Row.fetchAll(db, sql: """
                SELECT session_id, instance, name, first_started_at, last_started_at, last_ended_at, totals, models, users
                FROM session_total WHERE session_id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ", ")))
                """, arguments: StatementArguments(ids))
            return rows.map { row in
                RollupText.decodeSession(key: SessionTotals.Key(id: row[0], instance: row[1]), name: row[2], first: row[3],
                                         last: row[4], lastEnded: row[5], text: row[6], models: row[7], users: row[8])
            }
        }
    }
}
