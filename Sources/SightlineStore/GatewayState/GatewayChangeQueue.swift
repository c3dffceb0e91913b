import Foundation
import SightlineGateway
import Synchronization

/// One change to the gateway's kept state, as the data path reports it (`GatewayStateJournal`).
enum GatewayChange: Sendable {
    case cacheStored(key: String, response: CachedResponse)
    case cacheCleared
    case spent(windowKey: String, at: Double, units: Double, windowSeconds: Double)
}

/// The bounded queue between the data path, which only appends (never waits), and a store's writer task,
/// which takes everything queued at each wake-up. What does not fit is counted, for the writer to log.
final class GatewayChangeQueue: Sendable {
    private struct State {
        var changes: [GatewayChange] = []
        var dropped = 0
        var finished = false
    }

    private let state = Mutex(State())
    private let wake = WakeSignal()
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func append(_ change: GatewayChange) {
        let first = state.withLock { state -> Bool in
            guard state.changes.count < capacity else {
                state.dropped += 1
                return false
            }
            state.changes.append(change)
            return state.changes.count == 1
        }
        if first { wake.signal() }
    }

    /// Everything queued, whether `finish` was called, and how many changes did not fit so far.
    func take() -> (changes: [GatewayChange], finished: Bool, dropped: Int) {
        state.withLock { state in
            defer { state.changes.removeAll(keepingCapacity: true) }
            return (state.changes, state.finished, state.dropped)
        }
    }

    /// Puts a batch the store could not take back at the front, to be tried again (as much as fits).
    func putBack(_ changes: [GatewayChange]) {
        state.withLock { state in
            let room = max(0, capacity - state.changes.count)
            state.dropped += max(0, changes.count - room)
            state.changes.insert(contentsOf: changes.prefix(room), at: 0)
        }
    }

    func finish() {
        state.withLock { $0.finished = true }
        wake.signal()
    }

    func wait(timeout: Duration) async {
        await wake.wait(timeout: timeout)
    }
}

/// A cache entry's headers as stored: a JSON array of name/value pairs, in wire order.
enum StoredHeaders {
    static func encode(_ headers: [(String, String)]) throws -> String {
        String(decoding: try JSONEncoder().encode(headers.map { [$0.0, $0.1] }), as: UTF8.self)
    }

    static func decode(_ text: String) -> [(String, String)] {
        ((try? JSONDecoder().decode([[String]].self, from: Data(text.utf8))) ?? []).compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
    }
}
