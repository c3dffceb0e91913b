import Foundation
import GRDB

// Retention. Deletes go oldest first in chunks, each in its own short transaction, so the recorder
// and readers are never held up for long; the FTS trigger and the cascades clean the other tables.
extension SQLiteFlowStore {
    public func prune(olderThan cutoff: Date?, maxStoreBytes: Int?) async throws -> Int {
        let writer = try requireWriter()
        let chunk = pruneChunkSize
        var deleted = 0
        if let cutoff {
            while true {
                let count = try await writer.write { db in
                    try db.execute(sql: """
                        DELETE FROM flow WHERE seq IN (
                            SELECT seq FROM flow WHERE started_at < ? ORDER BY id LIMIT ?)
                        """, arguments: [RFC3339.milliseconds(cutoff), chunk])
                    return db.changesCount
                }
                deleted += count
                if count < chunk { break }
            }
        }
        if let maxStoreBytes {
            while try await writer.read({ db in try Self.usedBytes(db) }) > maxStoreBytes {
                let count = try await writer.write { db in
                    try db.execute(sql: """
                        DELETE FROM flow WHERE seq IN (SELECT seq FROM flow ORDER BY id LIMIT ?)
                        """, arguments: [chunk])
                    return db.changesCount
                }
                deleted += count
                if count == 0 { break } // nothing left to delete: the schema alone is over the limit
            }
        }
        if deleted > 0 {
            try await writer.write { db in
                try Self.pruneRollups(db)
                try Self.pruneThreadKeys(db)
            }
            try await writer.writeWithoutTransaction { db in
                // Give the freed pages back to the file system, then fold the WAL into the main file
                // and truncate it, so the files on disk shrink too.
                try db.execute(sql: "PRAGMA incremental_vacuum")
                // TRUNCATE needs a moment without readers; when it cannot get one, the next prune will.
                _ = try? db.checkpoint(.truncate)
            }
        }
        return deleted
    }

    /// Bytes held by live pages: the main file less its free pages. Pages freed by a delete count as
    /// free at once, before any vacuum, which is what lets the size loop above make progress.
    static func usedBytes(_ db: Database) throws -> Int {
        let pageCount = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        let freePages = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        let pageSize = try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        return (pageCount - freePages) * pageSize
    }

    /// The live size of the store, for `/metrics` and `sightline stats`.
    public func storeBytes() async throws -> Int {
        try await reader.read { db in try Self.usedBytes(db) }
    }
}
