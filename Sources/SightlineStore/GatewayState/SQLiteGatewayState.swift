import Foundation
import GRDB
import Logging
import SightlineGateway
import Synchronization

/// The gateway's cache entries and rate-limit spendings in the SQLite store. The data path tells it what
/// changed (`GatewayStateJournal`, a non-blocking queue); `run` writes the queue in batches off the path,
/// and `load` reads back what has not expired when Sightline starts.
public final class SQLiteGatewayState: GatewayStateJournal {
    /// What `load` found: cache entries oldest first, and spendings oldest first.
    public struct Snapshot: Sendable {
        public var cache: [(key: String, response: CachedResponse)]
        public var spendings: [(windowKey: String, at: Double, units: Double)]
    }

    private let writer: any DatabaseWriter
    private let queue = GatewayChangeQueue()
    private let logger: Logger

    /// Cache entries kept across restarts at most (the newest); the memory cache bounds itself in bytes.
    let maxKeptCacheEntries: Int

    public init(store: SQLiteFlowStore, maxKeptCacheEntries: Int = 50_000, logger: Logger = Logger(label: "sightline.gateway-state")) throws {
        writer = try store.requireWriter()
        self.maxKeptCacheEntries = max(1, maxKeptCacheEntries)
        self.logger = logger
    }


    public func cacheStored(key: String, response: CachedResponse) { queue.append(.cacheStored(key: key, response: response)) }
    public func cacheCleared() { queue.append(.cacheCleared) }
    public func rateLimitSpent(windowKey: String, at: Double, units: Double, windowSeconds: Double) {
        queue.append(.spent(windowKey: windowKey, at: at, units: units, windowSeconds: windowSeconds))
    }

    /// Deletes what has expired (and cache entries beyond the newest `maxKeptCacheEntries`), then reads the rest.
    public func load(now: Date = Date()) async throws -> Snapshot {
        let keep = maxKeptCacheEntries
        return try await writer.write { db in
            try Self.deleteExpired(db, now: now)
            try db.execute(sql: """
                DELETE FROM gateway_cache_entry WHERE rowid <= (SELECT rowid FROM gateway_cache_entry ORDER BY rowid DESC LIMIT 1 OFFSET ?)
                """, arguments: [keep])
            let cache = try Row.fetchAll(db, sql: """
                SELECT key, stored_at, expires_at, status, reason, headers, body FROM gateway_cache_entry ORDER BY rowid
                """).map { row -> (key: String, response: CachedResponse) in
                let storedAt: Int64 = row["stored_at"]
                let expiresAt: Int64 = row["expires_at"]
                let body: Data = row["body"]
                return (row["key"], CachedResponse(
                    status: row["status"], reason: row["reason"], headers: StoredHeaders.decode(row["headers"]),
                    body: [UInt8](body), storedAt: Date(milliseconds: storedAt), maxAgeSeconds: Int((expiresAt - storedAt) / 1000)))
            }
            let spendings = try Row.fetchAll(db, sql: "SELECT window_key, at, units FROM gateway_rate_spend ORDER BY at")
                .map { (windowKey: $0["window_key"] as String, at: $0["at"] as Double, units: $0["units"] as Double) }
            return Snapshot(cache: cache, spendings: spendings)
        }
    }

    /// Writes what is queued, one transaction per wake-up, until `finish`; then writes what is left.
    public func run() async {
        var lastExpiry = Date()
        var reportedDrops = 0
        while true {
            let (changes, finished, dropped) = queue.take()
            if dropped > reportedDrops {
                logger.warning("gateway state writer fell behind: changes not stored (the cache and rate limits still hold in memory)",
                               metadata: ["dropped": "\(dropped - reportedDrops)", "dropped_total": "\(dropped)"])
                reportedDrops = dropped
            }
            await write(changes, expire: &lastExpiry)
            if finished { return }
            await queue.wait(timeout: .seconds(60))
        }
    }

    /// Makes `run` write what is queued and return.
    public func finish() {
        queue.finish()
    }

    private func write(_ changes: [GatewayChange], expire lastExpiry: inout Date) async {
        let now = Date()
        let expireNow = now.timeIntervalSince(lastExpiry) > 60
        guard !changes.isEmpty || expireNow else { return }
        if expireNow { lastExpiry = now }
        do {
            try await writer.write { db in
                for change in changes { try Self.apply(change, db) }
                if expireNow { try Self.deleteExpired(db, now: now) }
            }
        } catch {
            logger.error("gateway state not stored; the cache and rate limits still hold in memory",
                         metadata: ["error": "\(error)", "changes": "\(changes.count)"])
        }
    }

    static func apply(_ change: GatewayChange, _ db: Database) throws {
        switch change {
        case .cacheStored(let key, let response):
            let storedAt = RFC3339.milliseconds(response.storedAt)
            let headers = try StoredHeaders.encode(response.headers)
            try db.execute(sql: """
                INSERT INTO gateway_cache_entry (key, stored_at, expires_at, status, reason, headers, body) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [key, storedAt, storedAt + Int64(response.maxAgeSeconds) * 1000, response.status, response.reason,
                                 headers, Data(response.body)])
        case .cacheCleared:
            try db.execute(sql: "DELETE FROM gateway_cache_entry")
        case .spent(let windowKey, let at, let units, let windowSeconds):
            try db.execute(sql: "INSERT INTO gateway_rate_spend (window_key, at, units, expires_at) VALUES (?, ?, ?, ?)",
                           arguments: [windowKey, at, units, at + windowSeconds])
        }
    }

    static func deleteExpired(_ db: Database, now: Date) throws {
        try db.execute(sql: "DELETE FROM gateway_cache_entry WHERE expires_at <= ?", arguments: [RFC3339.milliseconds(now)])
        try db.execute(sql: "DELETE FROM gateway_rate_spend WHERE expires_at <= ?", arguments: [now.timeIntervalSince1970])
    }
}
