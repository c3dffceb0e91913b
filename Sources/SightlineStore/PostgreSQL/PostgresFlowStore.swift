import Foundation
import Logging
import PostgresNIO
import SightlineCore
import Synchronization

/// The team store (SPEC §8): flows in one PostgreSQL database that several Sightline instances record into and
/// read from. Same contract as `SQLiteFlowStore` (the contract suite runs against both); batches are written in
/// one transaction as multi-row inserts; tables are partitioned by day, so retention drops days.
public final class PostgresFlowStore: FlowStore {
    public let url: PostgresStoreURL
    /// Who records here (the runtime's builder writes the same name into each flow): a restart closes only this
    /// instance's interrupted sessions, and its own batch notifications are not read back.
    public let instance: String
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>
    /// Days whose partitions this process knows exist.
    private let partitions = Mutex<Set<Int64>>([])

    /// Connects, checks the credentials and the database, and migrates (under the advisory lock). Throws a
    /// `StoreError` naming the problem (never the password) when any of that fails.
    public static func connect(_ url: PostgresStoreURL, instance: String, logger: Logger) async throws -> PostgresFlowStore {
        do {
            let probe = try await PostgresConnection.connect(configuration: try url.connectionConfiguration(), id: 0, logger: logger)
            try await probe.close()
        } catch {
            throw StoreError.postgres("cannot use \(url.redacted): \(Self.describe(error))")
        }
        let store = PostgresFlowStore(url: url, instance: instance, logger: logger)
        do {
            try await store.migrate()
            return store
        } catch {
            await store.close()
            throw StoreError.postgres("cannot use \(url.redacted): \(Self.describe(error))")
        }
    }

    private init(url: PostgresStoreURL, instance: String, logger: Logger) {
        self.url = url
        self.instance = instance
        self.logger = logger
        let client = PostgresClient(configuration: url.clientConfiguration, backgroundLogger: logger)
        self.client = client
        running = Task { await client.run() }
    }

    /// Ends the pool's connections.
    public func close() async {
        running.cancel()
        await running.value
    }

    /// What went wrong, in PostgreSQL's words where it said any (`password authentication failed for user "ada"`,
    /// `database "flows" does not exist`); postgres-nio's own description hides even those.
    static func describe(_ error: any Error) -> String {
        guard let psql = error as? PSQLError else { return "\(error)" }
        if let message = psql.serverInfo?[.message] {
            return psql.serverInfo?[.sqlState].map { "\(message) (SQLSTATE \($0))" } ?? message
        }
        if let underlying = psql.underlying { return "\(underlying)" }
        return "\(psql.code)"
    }

    private func migrate() async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS sightline_migration (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT name FROM sightline_migration", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            for migration in PostgresSchema.migrations where !applied.contains(migration.name) {
                for statement in migration.sql { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger) }
                if migration.name == PostgresRollups.migrationName { try await PostgresRollups.build(connection, logger: logger) }
                try await connection.query("INSERT INTO sightline_migration (name) VALUES (\(migration.name))", logger: logger)
                logger.info("PostgreSQL store migrated", metadata: ["migration": "\(migration.name)"])
            }
        }
    }

    // MARK: Writing

    /// Creates the day partitions the batch needs (once per process per day; under the advisory lock, since
    /// two instances may meet the same new day at once).
    private func ensurePartitions(forMilliseconds times: [Int64]) async throws {
        let days = Set(times.map(PostgresSchema.day(ofMilliseconds:)))
        let missing = partitions.withLock { days.subtracting($0) }
        guard !missing.isEmpty else { return }
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockKey))", logger: logger)
            for day in missing.sorted() {
                for table in PostgresSchema.partitionedTables {
                    try await connection.query(PostgresQuery(unsafeSQL: """
                        CREATE TABLE IF NOT EXISTS \(PostgresSchema.partitionName(table, day: day)) PARTITION OF \(table)
                        FOR VALUES FROM (\(day * 86_400_000)) TO (\((day + 1) * 86_400_000))
                        """), logger: logger)
                }
            }
        }
        partitions.withLock { $0.formUnion(missing) }
    }

    @discardableResult
    public func insert(_ records: [FlowRecord]) async throws -> [FlowRecord] {
        try await PostgresDeadline.run(within: PostgresDeadline.writes, "a write") { try await self.write(records) }
    }

    /// Returns the batch as stored: each flow once (its last version), threaded.
    private func write(_ records: [FlowRecord]) async throws -> [FlowRecord] {
        // A flow recorded twice in one batch (a WebSocket session's updates) is written as its last version.
        var latest: [FlowID: Int] = [:]
        for (index, record) in records.enumerated() { latest[record.id] = index }
        let deduplicated = records.indices.filter { latest[records[$0].id] == $0 }.map { records[$0] }
        guard !deduplicated.isEmpty else { return [] }
        try await ensurePartitions(forMilliseconds: deduplicated.map { RFC3339.milliseconds($0.summary.startedAt) })
        return try await client.withTransaction(logger: logger) { connection in
            var batch = deduplicated
            let links = try await PostgresThreads.link(&batch, connection, logger: logger)
            let statements = try Self.insertStatements(batch, rows: batch.map(FlowRow.init))
            var change = RollupChange()
            let decoder = FlowRow.databaseJSONDecoder(for: "gateway")
            for (index, statement) in statements.enumerated() {
                let rows = try await connection.query(statement, logger: logger)
                // The first statement deletes the flows this batch replaces and returns their facts, to count them out.
                guard index == 0 else { continue }
                for try await row in rows {
                    if let facts = try PostgresRollups.facts(row, decoder) { change.remove(facts) }
                }
            }
            for record in batch { change.add(CallFacts(record.summary)) }
            try await PostgresRollups.apply(change, connection, logger: logger)
            try await PostgresThreads.store(links, connection, logger: logger)
            // One notification per batch, not per flow: NOTIFY serialises commits. Delivered once this commits.
            try await connection.query("SELECT pg_notify(\(Self.notificationChannel), \(instance))", logger: logger)
            return batch
        }
    }

    /// Replaces what is stored under the batch's ids (a re-recorded flow, a spool replayed after a crash), then
    /// one multi-row INSERT per table. The deletes name the batch's time range, so they touch its partitions only;
    /// the first, of `flow`, returns the replaced flows' facts.
    static func insertStatements(_ records: [FlowRecord], rows: [FlowRow]) throws -> [PostgresQuery] {
        let ids = rows.map(\.id)
        let first = rows.map(\.startedAt).min() ?? 0, last = rows.map(\.startedAt).max() ?? 0
        var statements: [PostgresQuery] = []
        for (table, key) in [("flow", "id"), ("flow_body", "flow_id"), ("flow_property", "flow_id")] {
            var binds = PostgresBindings()
            binds.append(ids)
            binds.append(first)
            binds.append(last)
            let returning = table == "flow" ? " RETURNING \(SQLiteFlowStore.factColumns)" : ""
            statements.append(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE \(key) = ANY($1) AND started_at BETWEEN $2 AND $3" + returning,
                                            binds: binds))
        }

        let columns = FlowRow.postgresColumns + ["search"]
        var flowBinds = PostgresBindings(capacity: rows.count * columns.count)
        var tuples: [String] = []
        for (record, row) in zip(records, rows) {
            let base = flowBinds.count
            try row.bind(into: &flowBinds)
            flowBinds.append(PostgresFullText.words(record.summary.url + " " + record.searchText))
            let placeholders = (1...columns.count - 1).map { "$\(base + $0)" } + ["to_tsvector('simple', $\(base + columns.count))"]
            tuples.append("(" + placeholders.joined(separator: ", ") + ")")
        }
        statements.append(PostgresQuery(unsafeSQL: "INSERT INTO flow (\(columns.joined(separator: ", "))) VALUES " + tuples.joined(separator: ", "),
                                        binds: flowBinds))

        var bodyBinds = PostgresBindings(capacity: rows.count * 7)
        var bodyTuples: [String] = []
        var propertyBinds = PostgresBindings()
        var propertyTuples: [String] = []
        for (record, row) in zip(records, rows) {
            let body = FlowBodyRow(record)
            let base = bodyBinds.count
            bodyBinds.append(body.flowID)
            bodyBinds.append(row.startedAt)
            bodyBinds.append(ByteBuffer(bytes: record.detail.request.body.bytes))
            bodyBinds.append(record.detail.response.map { ByteBuffer(bytes: $0.body.bytes) })
            bodyBinds.append(body.events)
            bodyBinds.append(body.conversation)
            bodyBinds.append(body.websocket)
            bodyTuples.append("(" + (1...7).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
            for property in FlowPropertyRow.rows(record) {
                let base = propertyBinds.count
                propertyBinds.append(property.flowID)
                propertyBinds.append(row.startedAt)
                propertyBinds.append(property.name)
                propertyBinds.append(property.value)
                propertyTuples.append("(" + (1...4).map { "$\(base + $0)" }.joined(separator: ", ") + ")")
            }
        }
        statements.append(PostgresQuery(unsafeSQL: """
            INSERT INTO flow_body (flow_id, started_at, request_body, response_body, events, conversation, websocket) VALUES \
            \(bodyTuples.joined(separator: ", "))
            """, binds: bodyBinds))
        if !propertyTuples.isEmpty {
            statements.append(PostgresQuery(unsafeSQL: "INSERT INTO flow_property (flow_id, started_at, name, value) VALUES "
                                            + propertyTuples.joined(separator: ", "), binds: propertyBinds))
        }
        return statements
    }

    // MARK: Other instances

    static let notificationChannel = "sightline_flows"

    /// The flows other instances store, as they store them (a shared live view): each batch's notification names
    /// its instance, whose flows written since the last one seen are then read. Listens again after a lost
    /// connection (a restart of PostgreSQL); what was written meanwhile is read at the next notification.
    public func otherInstancesFlows() -> AsyncStream<FlowSummary> {
        let (stream, continuation) = AsyncStream.makeStream(of: FlowSummary.self, bufferingPolicy: .bufferingNewest(1000))
        let task = Task { [self] in
            var floor: Int64?
            var seen: [String: Int64] = [:]
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: Self.notificationChannel) { notifications in
                            if floor == nil {
                                for try await value in try await connection.query(
                                    "SELECT coalesce(max(recorded_seq), 0)::bigint FROM flow", logger: logger).decode(Int64.self) {
                                    floor = value
                                }
                            }
                            for try await notification in notifications where notification.payload != instance {
                                let other = notification.payload
                                let after = seen[other] ?? floor ?? 0
                                let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                                    SELECT \(Self.selectedColumns), flow.recorded_seq FROM flow WHERE instance = $1 AND recorded_seq > $2
                                    ORDER BY recorded_seq LIMIT 5000
                                    """, binds: { var b = PostgresBindings(); b.append(other); b.append(after); return b }()), logger: logger)
                                for try await row in rows {
                                    seen[other] = try row.makeRandomAccess()["recorded_seq"].decode(Int64.self)
                                    if let summary = try FlowRow(postgres: row).summary() { continuation.yield(summary) }
                                }
                            }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.debug("PostgreSQL store: listening again for other instances' flows", metadata: ["error": "\(Self.describe(error))"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    // MARK: Reading

    static let selectedColumns = FlowRow.postgresColumns.map { "flow.\($0)" }.joined(separator: ", ")

    public func flows(_ query: FlowQuery) async throws -> FlowPage {
        try await PostgresDeadline.run(within: PostgresDeadline.reads, "a list") { try await self.page(query) }
    }

    private func page(_ query: FlowQuery) async throws -> FlowPage {
        let statement = try PostgresListSQL.make(query, columns: Self.selectedColumns, limit: query.limit + 1, ordered: true)
        var rows: [FlowRow] = []
        for try await row in try await client.query(statement, logger: logger) { rows.append(try FlowRow(postgres: row)) }
        let hasMore = rows.count > query.limit
        return FlowPage(flows: rows.prefix(query.limit).compactMap { $0.summary() }, next: hasMore ? rows[query.limit - 1].id : nil)
    }

    public func flow(id: FlowID) async throws -> FlowDetail? {
        try await PostgresDeadline.run(within: PostgresDeadline.reads, "a read") { try await self.detail(id: id) }
    }

    private func detail(id: FlowID) async throws -> FlowDetail? {
        guard let row = try await flowRow(id: id) else { return nil }
        var body: FlowBodyRow?
        let rows = try await client.query("""
            SELECT flow_id, request_body, response_body, events, conversation, websocket FROM flow_body
            WHERE flow_id = \(id.description) AND started_at = \(row.startedAt)
            """, logger: logger)
        for try await found in rows { body = try FlowBodyRow(postgres: found) }
        return try row.detail(body: body)
    }

    /// One flow's summary, without its bodies.
    public func summary(id: FlowID) async throws -> FlowSummary? {
        try await flowRow(id: id)?.summary()
    }

    private func flowRow(id: FlowID) async throws -> FlowRow? {
        // By id alone: `flow_on_id` in each day's partition answers it (the id's own time may be a millisecond off `started_at`).
        let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT \(Self.selectedColumns) FROM flow WHERE id = $1 LIMIT 1",
                                                        binds: { var b = PostgresBindings(); b.append(id.description); return b }()),
                                          logger: logger)
        var found: FlowRow?
        for try await row in rows { found = try FlowRow(postgres: row) }
        return found
    }

    public func flowCount() async throws -> Int {
        try await PostgresDeadline.run(within: PostgresDeadline.reads, "a count") { try await self.count() }
    }

    private func count() async throws -> Int {
        var count = 0
        for try await value in try await client.query("SELECT count(*) FROM flow", logger: logger).decode(Int.self) { count = value }
        return count
    }

    public func accumulate<A: FlowAccumulator>(_ query: FlowQuery, into accumulator: A, maxFlows: Int) async throws -> (result: A, complete: Bool) {
        var query = query
        query.before = nil
        let statement = try PostgresListSQL.make(query, columns: SQLiteFlowStore.factColumns, limit: maxFlows + 1, ordered: false)
        var result = accumulator
        var visited = 0
        let decoder = FlowRow.databaseJSONDecoder(for: "gateway")
        for try await row in try await client.query(statement, logger: logger) {
            if visited == maxFlows { return (result, false) }
            visited += 1
            if let facts = try PostgresRollups.facts(row, decoder) { result.add(facts) }
        }
        return (result, true)
    }

    // MARK: Retention and restarts

    /// Whole days older than `cutoff` are dropped (their three partitions), then the rest of the cut day's older
    /// flows deleted; while the tables are over `maxStoreBytes`, the oldest day is dropped.
    public func prune(olderThan cutoff: Date?, maxStoreBytes: Int?) async throws -> Int {
        var deleted = 0
        var days = try await storedDays()
        if let cutoff {
            let cut = RFC3339.milliseconds(cutoff)
            for day in days where (day + 1) * 86_400_000 <= cut {
                deleted += try await drop(day: day)
            }
            days.removeAll { ($0 + 1) * 86_400_000 <= cut }
            try await client.withTransaction(logger: logger) { connection in
                let rows = try await connection.query("DELETE FROM flow WHERE started_at < \(cut) RETURNING id", logger: logger)
                for try await _ in rows { deleted += 1 }
                try await connection.query("DELETE FROM flow_body WHERE started_at < \(cut)", logger: logger)
                try await connection.query("DELETE FROM flow_property WHERE started_at < \(cut)", logger: logger)
            }
        }
        if let maxStoreBytes {
            while days.count > 1, try await storeBytes() > maxStoreBytes {
                deleted += try await drop(day: days.removeFirst())
            }
        }
        if deleted > 0 { try await pruneRollups() }
        return deleted
    }

    /// The days that have partitions, oldest first.
    private func storedDays() async throws -> [Int64] {
        let rows = try await client.query("""
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname = 'flow'
            """, logger: logger)
        var days: [Int64] = []
        for try await name in rows.decode(String.self) {
            guard let suffix = name.split(separator: "_").last, suffix.hasPrefix("d"), let date = Self.dayFormatter.date(from: String(suffix.dropFirst()))
            else { continue }
            days.append(PostgresSchema.day(ofMilliseconds: Int64(date.timeIntervalSince1970 * 1000)))
        }
        return days.sorted()
    }

    private static let dayFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd"
        return formatter
    }()

    private func drop(day: Int64) async throws -> Int {
        let count = try await client.withTransaction(logger: logger) { connection -> Int in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.lockKey))", logger: logger)
            var count = 0
            let name = PostgresSchema.partitionName("flow", day: day)
            for try await value in try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(name)"), logger: logger).decode(Int.self) {
                count = value
            }
            for table in PostgresSchema.partitionedTables {
                try await connection.query(PostgresQuery(unsafeSQL: "DROP TABLE IF EXISTS \(PostgresSchema.partitionName(table, day: day))"),
                                           logger: logger)
            }
            return count
        }
        _ = partitions.withLock { $0.remove(day) }
        return count
    }

    /// Bytes the flow tables take (heap, indexes and TOAST of every partition).
    public func storeBytes() async throws -> Int {
        var bytes = 0
        let rows = try await client.query("""
            SELECT coalesce(sum(pg_total_relation_size(i.inhrelid)), 0)::bigint FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname IN ('flow', 'flow_body', 'flow_property')
            """, logger: logger)
        for try await value in rows.decode(Int.self) { bytes = value }
        return bytes
    }

    /// As `SQLiteFlowStore.closeInterruptedWebSockets`, for this instance's sessions only: another instance's
    /// open sessions are still being relayed.
    public func closeInterruptedWebSockets() async throws -> Int {
        try await client.withTransaction(logger: logger) { connection -> Int in
            // The error makes them failed calls: the rollups count them out as they were and in as they are now.
            var change = RollupChange()
            let decoder = FlowRow.databaseJSONDecoder(for: "gateway")
            let before = try await connection.query(PostgresQuery(unsafeSQL: "SELECT \(SQLiteFlowStore.factColumns) FROM flow WHERE ws_open AND instance = $1",
                                                                  binds: { var b = PostgresBindings(); b.append(instance); return b }()), logger: logger)
            for try await row in before { if let call = try PostgresRollups.facts(row, decoder) { change.remove(call) } }
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                UPDATE flow SET ws_open = false, error = coalesce(error, $1)
                WHERE ws_open AND instance = $2 RETURNING \(SQLiteFlowStore.factColumns), flow.id
                """, binds: { var b = PostgresBindings(); b.append(SQLiteFlowStore.interruptedWebSocketError); b.append(instance); return b }()),
                logger: logger)
            var closed: [(String, Int64)] = []
            for try await row in rows {
                if let call = try PostgresRollups.facts(row, decoder) { change.add(call) }
                let r = row.makeRandomAccess()
                closed.append((try r["id"].decode(String.self), try r["started_at"].decode(Int64.self)))
            }
            try await PostgresRollups.apply(change, connection, logger: logger)
            for (id, startedAt) in closed {
                try await connection.query("""
                    UPDATE flow_body SET websocket = jsonb_set(websocket::jsonb, '{open}', 'false')::text
                    WHERE flow_id = \(id) AND started_at = \(startedAt) AND websocket IS NOT NULL
                    """, logger: logger)
            }
            return closed.count
        }
    }
}
