import Foundation
import SightlineGateway
@testable import SightlineStore
import Testing

@Suite("gateway state in the store")
struct GatewayStateTests {
    @Test("cache entries and spendings written by run() load back; expired ones and cleared caches do not")
    func roundTripExpiryAndClear() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let now = Date()
        let fresh = CachedResponse(status: 200, reason: "OK", headers: [("Content-Type", "application/json"), ("x-b", "2")],
                                   body: Array(#"{"ok":true}"#.utf8), storedAt: now.addingTimeInterval(-10), maxAgeSeconds: 60)
        let stale = CachedResponse(status: 200, reason: "OK", headers: [], body: [1, 2, 3],
                                   storedAt: now.addingTimeInterval(-120), maxAgeSeconds: 60)

        let state = try SQLiteGatewayState(store: store)
        let writer = Task { await state.run() }
        state.cacheStored(key: "k1", response: fresh)
        state.cacheStored(key: "k2", response: stale)
        let t = now.timeIntervalSince1970
        state.rateLimitSpent(windowKey: "3;w=60\nada", at: t - 30, units: 1, windowSeconds: 60)
        state.rateLimitSpent(windowKey: "3;w=60\nada", at: t - 90, units: 1, windowSeconds: 60)
        state.finish()
        await writer.value

        let loaded = try await SQLiteGatewayState(store: store).load(now: now)
        #expect(loaded.cache.map(\.key) == ["k1"], "the entry past its max-age is gone")
        #expect(loaded.cache.first?.response == fresh)
        #expect(loaded.cache.first?.response.maxAgeSeconds == 60)
        #expect(loaded.spendings.count == 1)
        #expect(loaded.spendings.first?.windowKey == "3;w=60\nada")

        // Restored into the memory state, the window still counts the spending.
        let limiter = RateLimiter()
        for s in loaded.spendings { limiter.restore(windowKey: s.windowKey, at: s.at, units: s.units) }
        let decision = limiter.admit(policy: try RateLimitPolicy.parse("3;w=60"), segment: "ada", now: t)
        #expect(decision.remaining == 1, "one restored + this one out of 3")

        let clearing = try SQLiteGatewayState(store: store)
        let cache = MemoryResponseCache(journal: clearing)
        let clearWriter = Task { await clearing.run() }
        cache.removeAll()
        clearing.finish()
        await clearWriter.value
        #expect(try await SQLiteGatewayState(store: store).load(now: now).cache.isEmpty)
    }

    @Test("only the newest cache entries are kept across a restart, so the table cannot grow without bound")
    func keepsTheNewestCacheEntries() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let state = try SQLiteGatewayState(store: store, maxKeptCacheEntries: 3)
        let writer = Task { await state.run() }
        for i in 0..<5 {
            state.cacheStored(key: "k\(i)", response: CachedResponse(status: 200, reason: "OK", headers: [], body: [UInt8(i)],
                                                                     storedAt: Date(), maxAgeSeconds: 600))
        }
        state.finish()
        await writer.value
        let loaded = try await SQLiteGatewayState(store: store, maxKeptCacheEntries: 3).load()
        #expect(loaded.cache.map(\.key) == ["k2", "k3", "k4"])
    }
}
