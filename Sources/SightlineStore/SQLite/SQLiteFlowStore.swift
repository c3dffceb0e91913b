import Foundation
import GRDB
import SightlineCore

/// The embedded flow store: one SQLite file in WAL mode, read concurrently by the UI and the CLI
/// while the recorder writes.
public final class SQLiteFlowStore: FlowStore {
    /// nil when opened read-only.
    let writer: (any DatabaseWriter)?
    let reader: any DatabaseReader
    public let path: String
    /// Flows deleted per transaction by `prune`.
    let pruneChunkSize: Int

    /// Opens (creating if needed) and migrates the store at `path`.
    public convenience init(path: String) throws {
        try self.init(path: path, pruneChunkSize: 1000)
    }

    init(path: String, pruneChunkSize: Int) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // WAL makes NORMAL safe against corruption; only the last commits may be lost on power loss.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.writeWithoutTransaction { db in try FlowStoreSchema.prepareNewDatabase(db) }
        try FlowStoreSchema.migrator.migrate(pool)
        writer = pool
        reader = pool
        self.path = path
        self.pruneChunkSize = pruneChunkSize
    }

    /// Opens an existing store for reading only (the CLI beside a running proxy). Never migrates.
    public init(readOnlyPath path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        let pool = try DatabasePool(path: path, configuration: configuration)
        let hasSchema = try pool.read { db in try db.tableExists(FlowRow.databaseTableName) }
        guard hasSchema else { throw StoreError.schemaMissing(path) }
        writer = nil
        reader = pool
        self.path = path
        pruneChunkSize = 1000
    }

    func requireWriter() throws -> any DatabaseWriter {
        guard let writer else { throw StoreError.readOnly }
        return writer
    }

    @discardableResult
    public func insert(_ records: [FlowRecord]) async throws -> [FlowRecord] {
        guard !records.isEmpty else { return [] }
        return try await requireWriter().write { db in
            var batch = records
            let links = try Self.linkThreads(&batch, db)
            var change = RollupChange()
            for record in batch {
                if let replaced = try Self.insert(record, db) { change.remove(replaced) }
                change.add(CallFacts(record.summary))
            }
            try Self.apply(change, db)
            try Self.storeThreadLinks(links, db)
            return batch
        }
    }

    /// Inserting an id that is already stored replaces that flow (a re-recorded flow, a spool replayed
    /// after a crash); the delete goes through the trigger and the cascades so nothing stale is left
    /// behind. It is done only when the insert meets the id: deleting first, for every flow, was a
    /// fifth of the store's time. Returns the facts of the flow it replaced, if any.
    @discardableResult
    static func insert(_ record: FlowRecord, _ db: Database) throws -> CallFacts? {
        var row = FlowRow(record)
        var replaced: CallFacts?
        do {
            try row.insertFast(db)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            replaced = try storedFacts(id: record.id.description, db)
            // Cached statements: these run for every flow, and parsing SQL each time showed in profiles.
            try db.cachedStatement(sql: "DELETE FROM flow WHERE id = ?").execute(arguments: [record.id.description])
            try row.insertFast(db)
        }
        try FlowBodyRow(record).insertFast(db)
        for property in FlowPropertyRow.rows(record) {
            try property.insertFast(db)
        }
        try db.cachedStatement(sql: "INSERT INTO flow_fts(rowid, url, text) VALUES (?, ?, ?)")
            .execute(arguments: [row.seq, record.summary.url, record.searchText])
        return replaced
    }

    public func flow(id: FlowID) async throws -> FlowDetail? {
        try await reader.read { db in
            guard let row = try FlowRow.filter(FlowRow.Columns.id == id.description).fetchOne(db) else { return nil }
            let body = try FlowBodyRow.filter(FlowBodyRow.CodingKeys.flowID == id.description).fetchOne(db)
            return try row.detail(body: body)
        }
    }

    /// One flow's summary, without reading its bodies (`sightline tail` following an open WebSocket session).
    public func summary(id: FlowID) async throws -> FlowSummary? {
        try await reader.read { db in try FlowRow.filter(FlowRow.Columns.id == id.description).fetchOne(db)?.summary() }
    }

    public func flowCount() async throws -> Int {
        try await reader.read { db in try FlowRow.fetchCount(db) }
    }
}
