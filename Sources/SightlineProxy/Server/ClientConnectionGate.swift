import NIOCore
import Synchronization

/// Bounds what client connections can hold, so that a flood of them (or a slowloris that trickles its
/// request head a byte at a time) cannot take the proxy from everyone else:
/// - at most `maxConnections` are open at once; the next is answered 503 and closed;
/// - at most `maxPendingHeads` may be waiting for their first request head; a new connection beyond that
///   closes the one that has waited longest, so clients that send their request promptly always get in;
/// - a connection that has not sent its first request head within `headTimeout` is answered 408 and closed.
final class ClientConnectionGate: Sendable {
    struct Limits: Sendable {
        var maxConnections: Int
        var maxPendingHeads: Int
        var headTimeout: TimeAmount

        static let standard = Limits(maxConnections: 8192, maxPendingHeads: 1024, headTimeout: .seconds(30))
    }

    private struct Waiting {
        var order: UInt64
        var channel: any Channel
    }

    private struct State {
        var open = 0
        /// Connections admitted since start.
        var admitted = 0
        var waiting: [ObjectIdentifier: Waiting] = [:]
        var nextOrder: UInt64 = 0
        var refused = 0
        var evicted = 0
    }

    let limits: Limits
    private let state = Mutex(State())

    init(limits: Limits) {
        self.limits = limits
    }

    /// Counts a new connection; false when the proxy is full (answer 503 and close). Either way the
    /// connection is released when it closes.
    func admit(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let (admitted, evict) = state.withLock { state -> (Bool, (any Channel)?) in
            guard state.open < limits.maxConnections else {
                state.refused += 1
                return (false, nil)
            }
            state.open += 1
            state.admitted += 1
            state.nextOrder += 1
            state.waiting[id] = Waiting(order: state.nextOrder, channel: channel)
            guard state.waiting.count > limits.maxPendingHeads,
                  let oldest = state.waiting.min(by: { $0.value.order < $1.value.order }) else { return (true, nil) }
            state.waiting[oldest.key] = nil
            state.evicted += 1
            return (true, oldest.value.channel)
        }
        evict?.close(promise: nil)
        channel.closeFuture.whenComplete { [self] _ in
            state.withLock { state in
                if admitted { state.open -= 1 }
                state.waiting[id] = nil
            }
        }
        return admitted
    }

    /// The connection sent a whole request head: it no longer counts as waiting.
    func headReceived(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        _ = state.withLock { $0.waiting.removeValue(forKey: id) }
    }

    struct Counts: Sendable, Equatable {
        var open: Int
        var admitted: Int
        var waiting: Int
        var refused: Int
        var evicted: Int
    }

    var counts: Counts {
        state.withLock { Counts(open: $0.open, admitted: $0.admitted, waiting: $0.waiting.count, refused: $0.refused, evicted: $0.evicted) }
    }
}
