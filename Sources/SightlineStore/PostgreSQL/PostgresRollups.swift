import Foundation
import Logging
import PostgresNIO
import SightlineCore

/// The rollups on PostgreSQL (as `SQLiteFlowStore+Rollups`): `call_minute` and `session_total`, changed in the
/// transaction of the batch they count. Each instance writes only its own rows (the instance is part of every key)
/// under an advisory lock named for it, so two instances never wait on each other's rows and never deadlock;
/// readers sum the instances' rows.
enum PostgresRollups {
    static let migration: [String] = [
        """
        CREATE TABLE call_minute (
            minute bigint NOT NULL, instance text NOT NULL, grp text NOT NULL, provider text, totals text NOT NULL,
            PRIMARY KEY (minute, instance, grp))
        """,
        """
        CREATE TABLE session_total (
            session_id text NOT NULL, instance text NOT NULL, name text, first_started_at bigint NOT NULL,
            last_started_at bigint NOT NULL, last_ended_at double precision NOT NULL, totals text NOT NULL, models text NOT NULL,
            users text NOT NULL, PRIMARY KEY (session_id, instance))
        """,
        "CREATE INDEX session_total_on_last_started ON session_total (last_started_at)",
    ]
    static let migrationName = "v3: call_minute, session_total (rollups)"

    /// A row of `SQLiteFlowStore.factColumns`, read by name; nil for a mode this build does not know.
    static func facts(_ row: PostgresRow, _ decoder: JSONDecoder) throws -> CallFacts? {
        let r = row.makeRandomAccess()
        guard let mode = FlowMode(rawValue: try r["mode"].decode(String.self)) else { return nil }
        let errorKind = try r["error_kind"].decode(String?.self)
        let gateway = try r["gateway"].decode(String?.self)
        let cost = try r["cost_usd"].decode(String?.self)
        return CallFacts(
            startedAt: Date(milliseconds: try r["started_at"].decode(Int64.self)), mode: mode,
            host: try r["host"].decode(String.self), status: try r["status"].decode(Int?.self),
            error: try r["error"].decode(String?.self), errorKind: errorKind.flatMap(FlowErrorKind.init(rawValue:)),
            durationMs: try r["duration_ms"].decode(Double?.self), provider: try r["provider"].decode(String?.self),
            model: try r["model"].decode(String?.self), inputTokens: try r["input_tokens"].decode(Int?.self),
            outputTokens: try r["output_tokens"].decode(Int?.self), costUSD: cost.flatMap { Decimal(string: $0) },
            ttftMs: try r["ttft_ms"].decode(Double?.self), sessionID: try r["session_id"].decode(String?.self),
            sessionName: try r["session_name"].decode(String?.self), userID: try r["user_id"].decode(String?.self),
            gateway: gateway.flatMap { try? decoder.decode(GatewayRecord.self, from: Data($0.utf8)) },
            instance: try r["instance"].decode(String?.self))
    }

    /// Builds the rollups of the flows already stored, inside the migration that creates the tables.
    static func build(_ connection: PostgresConnection, logger: Logger) async throws {
        var change = RollupChange()
        let decoder = FlowRow.databaseJSONDecoder(for: "gateway")
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT \(SQLiteFlowStore.factColumns) FROM flow"), logger: logger)
        for try await row in rows {
            if let facts = try facts(row, decoder) { change.add(facts) }
        }
        try await apply(change, connection, logger: logger)
    }

    /// Adds a change to the stored rows: per instance, in a fixed order, under that instance's lock.
    static func apply(_ change: RollupChange, _ connection: PostgresConnection, logger: Logger) async throws {
        let instances = Set(change.minutes.keys.map(\.instance)).union(change.sessions.keys.map(\.instance)).sorted()
        for instance in instances {
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\("sightline-rollup:" + instance), 0))", logger: logger)
            try await applyMinutes(change.minutes.values.filter { $0.key.instance == instance }.sorted { $0.key < $1.key },
                                   instance: instance, connection, logger: logger)
            try await applySessions(change.sessions.values.filter { $0.key.instance == instance }.sorted { $0.key < $1.key },
                                    instance: instance, connection, logger: logger)
        }
    }

    private static func applyMinutes(_ deltas: [CallMinute], instance: String, _ connection: PostgresConnection, logger: Logger) async throws {
        guard !deltas.isEmpty else { return }
        var stored: [CallMinute.Key: CallMinute] = [:]
        let rows = try await connection.query("""
            SELECT minute, grp, provider, totals FROM call_minute WHERE instance = \(instance) AND minute = ANY(\(Array(Set(deltas.map(\.key.minute)))))
            """, logger: logger)
        for try await (minute, group, provider, text) in rows.decode((Int64, String, String?, String).self) {
            let key = CallMinute.Key(minute: minute, instance: instance, group: group)
            stored[key] = RollupText.decodeMinute(key: key, provider: provider, text: text)
        }
        var upserts: [CallMinute] = []
        var emptied: [CallMinute.Key] = []
        for delta in deltas {
            if let updated = RollupChange.applied(delta, to: stored[delta.key]) { upserts.append(updated) } else { emptied.append(delta.key) }
        }
        if !upserts.isEmpty {
            var binds = PostgresBindings(capacity: upserts.count * 5)
            var tuples: [String] = []
            for minute in upserts {
                let base = binds.count
                binds.append(minute.key.minute)
                binds.append(instance)
                binds.append(minute.key.group)
                binds.append(minute.totals.provider)
                binds.append(RollupText.encode(minute))
                tuples.append("(" + (1...5).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
            }
            try await connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO call_minute (minute, instance, grp, provider, totals) VALUES \(tuples.joined(separator: ", "))
                ON CONFLICT (minute, instance, grp) DO UPDATE SET provider = excluded.provider, totals = excluded.totals
                """, binds: binds), logger: logger)
        }
        for key in emptied {
            try await connection.query("""
                DELETE FROM call_minute WHERE minute = \(key.minute) AND instance = \(instance) AND grp = \(key.group)
                """, logger: logger)
        }
    }

    private static func applySessions(_ deltas: [SessionTotals], instance: String, _ connection: PostgresConnection, logger: Logger) async throws {
        guard !deltas.isEmpty else { return }
        var stored: [SessionTotals.Key: SessionTotals] = [:]
        let rows = try await connection.query("""
            SELECT session_id, name, first_started_at, last_started_at, last_ended_at, totals, models, users FROM session_total
            WHERE instance = \(instance) AND session_id = ANY(\(deltas.map(\.key.id)))
            """, logger: logger)
        for try await (id, name, first, last, ended, text, models, users) in rows.decode((String, String?, Int64, Int64, Double, String, String, String).self) {
            let key = SessionTotals.Key(id: id, instance: instance)
            stored[key] = RollupText.decodeSession(key: key, name: name, first: first, last: last, lastEnded: ended, text: text,
                                                   models: models, users: users)
        }
        var upserts: [SessionTotals] = []
        var emptied: [SessionTotals.Key] = []
        for delta in deltas {
            if let updated = RollupChange.applied(delta, to: stored[delta.key]) { upserts.append(updated) } else { emptied.append(delta.key) }
        }
        if !upserts.isEmpty {
            var binds = PostgresBindings(capacity: upserts.count * 9)
            var tuples: [String] = []
            for session in upserts {
                let base = binds.count
                binds.append(session.key.id)
                binds.append(instance)
                binds.append(session.name)
                binds.append(session.firstStartedAt)
                binds.append(session.lastStartedAt)
                binds.append(session.lastEndedAt)
                binds.append(RollupText.encode(session))
                binds.append(RollupText.list(session.models))
                binds.append(RollupText.list(session.users))
                tuples.append("(" + (1...9).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
            }
            try await connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO session_total (session_id, instance, name, first_started_at, last_started_at, last_ended_at, totals, models, users)
                VALUES \(tuples.joined(separator: ", "))
                ON CONFLICT (session_id, instance) DO UPDATE SET name = excluded.name, first_started_at = excluded.first_started_at,
                last_started_at = excluded.last_started_at, last_ended_at = excluded.last_ended_at, totals = excluded.totals,
                models = excluded.models, users = excluded.users
                """, binds: binds), logger: logger)
        }
        for key in emptied {
            try await connection.query("DELETE FROM session_total WHERE session_id = \(key.id) AND instance = \(instance)", logger: logger)
        }
    }
}

extension PostgresFlowStore {
    public func callMinutes(from: Int64, to: Int64) async throws -> [CallMinute] {
        try await PostgresDeadline.run(within: PostgresDeadline.reads, "a dashboard read") {
            var minutes: [CallMinute] = []
            let rows = try await self.client.query("""
                SELECT minute, instance, grp, provider, totals FROM call_minute WHERE minute >= \(from) AND minute < \(to)
                """, logger: self.logger)
            for try await (minute, instance, group, provider, text) in rows.decode((Int64, String, String, String?, String).self) {
                minutes.append(RollupText.decodeMinute(key: CallMinute.Key(minute: minute, instance: instance, group: group),
                                                       provider: provider, text: text))
            }
            return minutes
        }
    }

    public func sessionTotals(since: Date, until: Date, limit: Int) async throws -> [SessionTotals] {
        try await PostgresDeadline.run(within: PostgresDeadline.reads, "a sessions read") {
            let since = RFC3339.milliseconds(since), until = RFC3339.milliseconds(until)
            var sessions: [SessionTotals] = []
            let rows = try await self.client.query("""
                SELECT session_id, instance, name, first_started_at, last_started_at, last_ended_at, totals, models, users
                FROM session_total WHERE session_id IN (
                    SELECT session_id FROM session_total WHERE last_started_at >= \(since) AND first_started_at <= \(until)
                    GROUP BY session_id ORDER BY max(last_started_at) DESC, session_id DESC LIMIT \(limit))
                """, logger: self.logger)
            for try await (id, instance, name, first, last, ended, text, models, users)
                in rows.decode((String, String, String?, Int64, Int64, Double, String, String, String).self) {
                sessions.append(RollupText.decodeSession(key: SessionTotals.Key(id: id, instance: instance), name: name, first: first,
                                                         last: last, lastEnded: ended, text: text, models: models, users: users))
            }
            return sessions
        }
    }

    /// After retention, as on SQLite: rollups of minutes before the oldest flow left, and sessions that ended before it.
    func pruneRollups() async throws {
        try await client.withTransaction(logger: logger) { connection in
            var oldest = Int64.max
            for try await value in try await connection.query("SELECT started_at FROM flow ORDER BY started_at LIMIT 1", logger: logger)
                .decode(Int64.self) { oldest = value }
            try await connection.query("DELETE FROM call_minute WHERE minute < \(oldest == .max ? Int64.max : oldest / 60_000)", logger: logger)
            try await connection.query("DELETE FROM session_total WHERE last_started_at < \(oldest)", logger: logger)
            try await PostgresThreads.prune(olderThan: oldest, connection, logger: logger)
        }
    }
}
