import Foundation
import Logging
import PostgresNIO
import SightlineGateway

/// The gateway state a team's instances share in their PostgreSQL store (`PostgresGatewaySchema`). Admissions
/// and cache misses are asked of the database as they happen (`SharedGatewayState`); entries stored and costs
/// charged queue (`GatewayStateJournal`, never waiting on the data path) and `run` writes them, keeping a batch
/// the database refused to try again, so a short outage loses none of them.
public final class PostgresGatewayState: SharedGatewayState {
    private let client: PostgresClient
    private let logger: Logger
    private let queue = GatewayChangeQueue()

    public init(store: PostgresFlowStore, logger: Logger = Logger(label: "sightline.gateway-state")) {
        client = store.client
        self.logger = logger
    }

    // MARK: SharedGatewayState

    public func admit(windowKey: String, quota: Int, windowSeconds: Int, units: Double, now: Double) async throws -> SlidingWindow.Decision {
        let window = Double(windowSeconds)
        let rows = try await client.query("""
            SELECT allowed, used, oldest FROM sightline_admit(\(windowKey), \(now), \(units), \(Double(quota)), \(window))
            """, logger: logger)
        for try await (allowed, used, oldest) in rows.decode((Bool, Double, Double?).self) {
            let decision = SlidingWindow.decide(used: used, oldest: oldest, quota: quota, windowSeconds: window, units: units, now: now)
            // The database's verdict is the one taken; the rule above only phrases it (remaining, reset).
            return allowed ? decision : SlidingWindow.Decision(allowed: false, remaining: 0, resetSeconds: decision.resetSeconds)
        }
        throw StoreError.postgres("sightline_admit returned no row")
    }

    public func cachedResponses(key: String, now: Date) async throws -> [CachedResponse] {
        let rows = try await client.query("""
            SELECT stored_at, expires_at, status, reason, headers, body FROM gateway_cache
            WHERE key = \(key) AND expires_at > \(now.unixMilliseconds) ORDER BY id
            """, logger: logger)
        var responses: [CachedResponse] = []
        for try await (storedAt, expiresAt, status, reason, headers, body) in rows.decode((Int64, Int64, Int, String, String, ByteBuffer).self) {
            responses.append(CachedResponse(status: status, reason: reason, headers: StoredHeaders.decode(headers),
                                            body: Array(buffer: body), storedAt: Date(milliseconds: storedAt),
                                            maxAgeSeconds: Int((expiresAt - storedAt) / 1000)))
        }
        return responses
    }

    // MARK: GatewayStateJournal

    public func cacheStored(key: String, response: CachedResponse) { queue.append(.cacheStored(key: key, response: response)) }
    public func cacheCleared() { queue.append(.cacheCleared) }
    public func rateLimitSpent(windowKey: String, at: Double, units: Double, windowSeconds: Double) {
        queue.append(.spent(windowKey: windowKey, at: at, units: units, windowSeconds: windowSeconds))
    }

    // MARK: Writing

    /// Writes what is queued, one transaction per wake-up, until `finish`; then writes what is left (trying for
    /// a few seconds more if the database is away, since nothing else will).
    public func run() async {
        var lastExpiry = Date.distantPast
        var reportedDrops = 0
        var finalTries = 0
        while true {
            let (changes, finished, dropped) = queue.take()
            if dropped > reportedDrops {
                logger.warning("gateway state writer fell behind: changes not stored in PostgreSQL",
                               metadata: ["dropped": "\(dropped - reportedDrops)", "dropped_total": "\(dropped)"])
                reportedDrops = dropped
            }
            let expire = Date().timeIntervalSince(lastExpiry) > 60
            do {
                try await write(changes, expire: expire)
                if expire { lastExpiry = Date() }
            } catch {
                queue.putBack(changes)
                if finished {
                    finalTries += 1
                    if finalTries > 5 {
                        logger.error("gateway state not stored in PostgreSQL at shutdown",
                                     metadata: ["changes": "\(changes.count)", "error": "\(PostgresFlowStore.describe(error))"])
                        return
                    }
                } else {
                    logger.warning("gateway state not stored in PostgreSQL yet; trying again",
                                   metadata: ["changes": "\(changes.count)", "error": "\(PostgresFlowStore.describe(error))"])
                }
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            if finished { return }
            await queue.wait(timeout: .seconds(60))
        }
    }

    /// Makes `run` write what is queued and return.
    public func finish() {
        queue.finish()
    }

    private func write(_ changes: [GatewayChange], expire: Bool) async throws {
        guard !changes.isEmpty || expire else { return }
        try await client.withTransaction(logger: logger) { connection in
            for change in changes {
                switch change {
                case .cacheStored(let key, let response):
                    let storedAt = response.storedAt.unixMilliseconds
                    let expiresAt = storedAt + Int64(response.maxAgeSeconds) * 1000
                    let headers = try StoredHeaders.encode(response.headers)
                    try await connection.query("""
                        INSERT INTO gateway_cache (key, stored_at, expires_at, status, reason, headers, body)
                        VALUES (\(key), \(storedAt), \(expiresAt), \(response.status), \(response.reason), \(headers), \(ByteBuffer(bytes: response.body)))
                        """, logger: logger)
                case .cacheCleared:
                    try await connection.query("DELETE FROM gateway_cache", logger: logger)
                case .spent(let windowKey, let at, let units, let windowSeconds):
                    var binds = PostgresBindings()
                    binds.append(windowKey)
                    binds.append(at)
                    binds.append(units)
                    binds.append(windowSeconds)
                    try await connection.query(PostgresQuery(unsafeSQL: PostgresGatewaySchema.charge, binds: binds), logger: logger)
                }
            }
            if expire {
                let now = Date()
                try await connection.query("DELETE FROM gateway_cache WHERE expires_at <= \(now.unixMilliseconds)", logger: logger)
                try await connection.query("DELETE FROM gateway_window WHERE expires_at <= \(now.timeIntervalSince1970)", logger: logger)
            }
        }
    }
}
