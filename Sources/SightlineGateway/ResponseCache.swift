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
    /// Takes in the entries a shared store holds for `key` (other instances stored them), without telling the
    /// journal: they replace this key's bucket when there are more of them than it holds.
    func adopt(key: String, responses: [CachedResponse])
    func removeAll()
}

/// The cache in this process's memory, bounded in bytes (oldest keys go first): lookups on the data path
/// never wait for I/O. A journal, when given, is told of every entry stored so that the store keeps them
/// across restarts (`restore` reads them back at start); the rules (key, bucket, freshness) stay here.
public final class MemoryResponseCache: ResponseCache {
    private struct State {
        var buckets: [String: [CachedResponse]] = [:]
        var order: [String] = []
        var bytes = 0
    }

    private let state = Mutex(State())
    public let capacityBytes: Int
    private let journal: (any GatewayStateJournal)?

    public init(capacityBytes: Int = 256 * 1024 * 1024, journal: (any GatewayStateJournal)? = nil) {
        self.capacityBytes = capacityBytes
        self.journal = journal
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
        if insert(key: key, bucketSize: bucketSize, response: response) {
            journal?.cacheStored(key: key, response: response)
        }
    }

    /// Puts back an entry the journal kept (at start), without telling the journal again.
    public func restore(key: String, response: CachedResponse) {
        _ = insert(key: key, bucketSize: .max, response: response)
    }

    public func adopt(key: String, responses: [CachedResponse]) {
        let held = state.withLock { $0.buckets[key]?.count ?? 0 }
        guard responses.count > held else { return }
        state.withLock { state in
            state.bytes -= state.buckets.removeValue(forKey: key)?.reduce(0) { $0 + $1.body.count } ?? 0
            state.order.removeAll { $0 == key }
        }
        for response in responses { _ = insert(key: key, bucketSize: .max, response: response) }
    }

    private func insert(key: String, bucketSize: Int, response: CachedResponse) -> Bool {
        guard response.body.count <= capacityBytes / 4 else { return false }
        return state.withLock { state in
            var bucket = state.buckets[key] ?? []
            guard bucket.count < bucketSize else { return false }
            bucket.append(response)
            state.buckets[key] = bucket
            state.bytes += response.body.count
            state.order.removeAll { $0 == key }
            state.order.append(key)
            while state.bytes > capacityBytes, let oldest = state.order.first {
                state.order.removeFirst()
                state.bytes -= state.buckets.removeValue(forKey: oldest)?.reduce(0) { $0 + $1.body.count } ?? 0
            }
            return true
        }
    }

    public func removeAll() {
        state.withLock { $0 = State() }
        journal?.cacheCleared()
    }
}

/// Sliding windows by policy and segment, in this process's memory (decisions never wait for I/O); a
/// journal, when given, is told of every spending so that the windows survive a restart (`restore`).
public final class RateLimiter: Sendable {
    private let windows = Mutex([String: SlidingWindow]())
    private let journal: (any GatewayStateJournal)?

    public init(journal: (any GatewayStateJournal)? = nil) {
        self.journal = journal
    }

    /// One window per policy text and segment: the same policy sent by two users counts twice. A line
    /// break separates them because a header value cannot hold one (and SQLite text ends at a NUL).
    public static func windowKey(policy: RateLimitPolicy, segment: String) -> String {
        policy.text + "\n" + segment
    }

    public func admit(policy: RateLimitPolicy, segment: String, now: Double) -> SlidingWindow.Decision {
        let units: Double = policy.unit == .request ? 1 : 0
        let key = Self.windowKey(policy: policy, segment: segment)
        let decision = windows.withLock { windows in
            var window = windows[key] ?? SlidingWindow(quota: policy.quota, windowSeconds: policy.windowSeconds)
            let decision = window.admit(now: now, units: units)
            windows[key] = window
            return decision
        }
        if decision.allowed, units > 0 {
            journal?.rateLimitSpent(windowKey: key, at: now, units: units, windowSeconds: Double(policy.windowSeconds))
        }
        return decision
    }

    /// Charges units known after the call (its cost in cents for `u=cents`).
    public func charge(policy: RateLimitPolicy, segment: String, units: Double, now: Double) {
        let key = Self.windowKey(policy: policy, segment: segment)
        add(key: key, policy: policy, units: units, at: now)
        if units > 0 { journal?.rateLimitSpent(windowKey: key, at: now, units: units, windowSeconds: Double(policy.windowSeconds)) }
    }

    /// Puts back a spending the journal kept (at start, oldest first), without telling the journal again.
    /// Keys whose policy no longer parses are skipped.
    public func restore(windowKey: String, at: Double, units: Double) {
        guard let text = windowKey.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first,
              let policy = try? RateLimitPolicy.parse(String(text)) else { return }
        add(key: windowKey, policy: policy, units: units, at: at)
    }

    private func add(key: String, policy: RateLimitPolicy, units: Double, at: Double) {
        windows.withLock { windows in
            var window = windows[key] ?? SlidingWindow(quota: policy.quota, windowSeconds: policy.windowSeconds)
            window.charge(now: at, units: units)
            windows[key] = window
        }
    }
}
