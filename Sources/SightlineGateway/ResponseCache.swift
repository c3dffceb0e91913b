import Foundation
import Synchronization

/// A complete upstream answer kept for replay: status, headers in wire order, body bytes.
public struct CachedResponse: Sendable, Equatable {
    public var status: Int
    public var reason: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var storedAt: Date
    public var maxAgeSeconds: Int

    public init(status: Int, reason: String, headers: [(String, String)], body: [UInt8], storedAt: Date, maxAgeSeconds: Int) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.storedAt = storedAt
        self.maxAgeSeconds = maxAgeSeconds
    }

    public static func == (a: CachedResponse, b: CachedResponse) -> Bool {
        a.status == b.status && a.body == b.body && a.headers.map { $0.0 + ":" + $0.1 } == b.headers.map { $0.0 + ":" + $0.1 }
    }

    func isFresh(at now: Date) -> Bool { now.timeIntervalSince(storedAt) < Double(maxAgeSeconds) }
}

/// Cache entries by key, each key a bucket of up to N answers (GATEWAY.md "Cache").
public protocol ResponseCache: Sendable {
    /// A random fresh entry when the key's bucket is full (a HIT), else nil (a MISS: go upstream and `store`).
    func lookup(key: String, bucketSize: Int, now: Date) -> (response: CachedResponse, index: Int)?
    func store(key: String, bucketSize: Int, response: CachedResponse)
    func removeAll()
}

/// The cache in this process's memory, bounded in bytes (oldest keys go first). Shared PostgreSQL-backed
/// entries for team mode are a later step; the rules (key, bucket, freshness) are the same.
public final class MemoryResponseCache: ResponseCache {
    private struct State {
        var buckets: [String: [CachedResponse]] = [:]
        var order: [String] = []
        var bytes = 0
    }

    private let state = Mutex(State())
    public let capacityBytes: Int

    public init(capacityBytes: Int = 256 * 1024 * 1024) {
        self.capacityBytes = capacityBytes
    }

    public func lookup(key: String, bucketSize: Int, now: Date) -> (response: CachedResponse, index: Int)? {
        state.withLock { state in
            guard var bucket = state.buckets[key] else { return nil }
            let fresh = bucket.filter { $0.isFresh(at: now) }
            if fresh.count != bucket.count {
                state.bytes -= bucket.filter { !$0.isFresh(at: now) }.reduce(0) { $0 + $1.body.count }
                bucket = fresh
                state.buckets[key] = fresh.isEmpty ? nil : fresh
            }
            guard bucket.count >= bucketSize, !bucket.isEmpty else { return nil }
            let index = Int.random(in: 0..<bucket.count)
            return (bucket[index], index)
        }
    }

    public func store(key: String, bucketSize: Int, response: CachedResponse) {
        guard response.body.count <= capacityBytes / 4 else { return }
        state.withLock { state in
            var bucket = state.buckets[key] ?? []
            guard bucket.count < bucketSize else { return }
            bucket.append(response)
            state.buckets[key] = bucket
            state.bytes += response.body.count
            state.order.removeAll { $0 == key }
            state.order.append(key)
            while state.bytes > capacityBytes, let oldest = state.order.first {
                state.order.removeFirst()
                state.bytes -= state.buckets.removeValue(forKey: oldest)?.reduce(0) { $0 + $1.body.count } ?? 0
            }
        }
    }

    public func removeAll() {
        state.withLock { $0 = State() }
    }
}

/// Sliding windows by segment key, in this process's memory.
public final class RateLimiter: Sendable {
    private let windows = Mutex([String: SlidingWindow]())

    public init() {}

    public func admit(policy: RateLimitPolicy, segment: String, now: Double) -> SlidingWindow.Decision {
        windows.withLock { windows in
            let key = policy.text + "\u{0}" + segment
            var window = windows[key] ?? SlidingWindow(quota: policy.quota, windowSeconds: policy.windowSeconds)
            let decision = window.admit(now: now, units: policy.unit == .request ? 1 : 0)
            windows[key] = window
            return decision
        }
    }

    /// Charges units known after the call (its cost in cents for `u=cents`).
    public func charge(policy: RateLimitPolicy, segment: String, units: Double, now: Double) {
        windows.withLock { windows in
            let key = policy.text + "\u{0}" + segment
            var window = windows[key] ?? SlidingWindow(quota: policy.quota, windowSeconds: policy.windowSeconds)
            window.charge(now: now, units: units)
            windows[key] = window
        }
    }
}
