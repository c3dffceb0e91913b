import Foundation
import Logging
import SightlineCore
import Synchronization

/// The `CaptureSink` the proxy hands finished captures to: a bounded memory queue drained by one
/// batching writer. `record` only takes a lock and appends, so a slow store never slows forwarding.
/// When the writer falls behind (a burst, a slow disk, a store that is down), a spiller moves the
/// queue to the `CaptureSpool` on disk and the writer reads it back in order once it catches up; only
/// what neither the queue nor the spool can take is dropped, and counted. Decoding, redaction and
/// analysis all happen on the writer side.
public final class FlowRecorder: CaptureSink, Sendable {
    /// Attempts at writing one batch before its flows are given up as lost, unless told otherwise.
    public static let defaultMaxWriteAttempts = 5
    public let maxWriteAttempts: Int

    struct State {
        var queue: [FlowCapture] = []
        var stats = RecorderStats()
        /// New captures are being moved to the spool rather than waiting in memory for the writer.
        var spilling = false
        /// Captures the spiller has taken from the queue and is appending to the spool.
        var spillInFlight = 0
        /// Captures appended to the spool and not yet read back. Every one is older than the queue's.
        var spooled = 0
        var isShuttingDown = false
        /// With a spool, when shutting down stops writing and spools what is left.
        var shutdownDeadline: ContinuousClock.Instant?
        /// A task owns the draining: `run()`, or `shutdown()` when no loop ran. Only one ever drains.
        var writerActive = false
        var writerDone = false
        var hasFinished = false
        var finishWaiters: [CheckedContinuation<Void, Never>] = []
        var subscribers: [UInt64: AsyncStream<FlowSummary>.Continuation] = [:]
        var nextSubscriberID: UInt64 = 0

        /// Nothing left to write anywhere.
        var isEmpty: Bool { queue.isEmpty && spooled == 0 && spillInFlight == 0 }
    }

    public let store: any FlowStore
    public let builder: FlowRecordBuilder
    public let capacity: Int
    public let batchInterval: Duration
    public let maxBatch: Int
    public let retention: RetentionPolicy?
    /// Where captures go when the writer falls behind; nil keeps them in memory only (and drops the excess).
    public let spool: CaptureSpool?
    /// Queue length at which spilling starts; it stops once the spool is drained and the queue is short again.
    public let spillThreshold: Int
    /// How long `shutdown()` keeps writing before it leaves the rest in the spool for the next start.
    public let shutdownGrace: Duration
    /// Told of every batch once it is stored, on the writer's task (the OpenTelemetry exporter).
    public let observers: [any RecordedFlowObserver]
    let logger: Logger
    let state: Mutex<State>
    let wake = WakeSignal()
    let spillWake = WakeSignal()

    public init(store: any FlowStore, builder: FlowRecordBuilder, capacity: Int = 10_000,
                batchInterval: Duration = .milliseconds(100), maxBatch: Int = 500,
                retention: RetentionPolicy? = nil, spool: CaptureSpool? = nil, spillThreshold: Int? = nil,
                shutdownGrace: Duration = .seconds(5), maxWriteAttempts: Int = FlowRecorder.defaultMaxWriteAttempts,
                observers: [any RecordedFlowObserver] = [], logger: Logger) {
        self.store = store
        self.builder = builder
        self.capacity = max(1, capacity)
        self.batchInterval = batchInterval
        self.maxBatch = max(1, maxBatch)
        self.retention = retention
        self.spool = spool
        self.spillThreshold = min(self.capacity, max(1, spillThreshold ?? max(self.maxBatch * 2, self.capacity / 4)))
        self.shutdownGrace = shutdownGrace
        self.observers = observers
        self.maxWriteAttempts = max(1, maxWriteAttempts)
        self.logger = logger
        var initial = State()
        // A spool a previous run left is written first: it is older than anything this run records.
        initial.spooled = spool?.unread ?? 0
        state = Mutex(initial)
    }

    // MARK: Data path

    /// Queues a finished capture. Never blocks and never waits: when the queue is full (the spool too
    /// slow or absent) the capture is dropped and counted.
    public func record(_ capture: FlowCapture) {
        let (wakeWriter, wakeSpiller) = state.withLock { state -> (Bool, Bool) in
            guard !state.hasFinished, state.queue.count < capacity else {
                state.stats.dropped += 1
                return (false, false)
            }
            state.queue.append(capture)
            if spool != nil, !state.spilling, state.queue.count >= spillThreshold {
                state.spilling = true
                return (false, true)
            }
            // The spiller takes the whole queue each time it runs; wake it when a new run begins.
            if state.spilling { return (false, state.queue.count == 1) }
            return (state.queue.count == maxBatch, false)
        }
        if wakeWriter { wake.signal() }
        if wakeSpiller { spillWake.signal() }
    }

    public var stats: RecorderStats {
        state.withLock { state in
            var stats = state.stats
            stats.queued = state.queue.count
            stats.spooled = state.spooled + state.spillInFlight
            return stats
        }
    }

    /// A live feed of inserted flows (for `GET /api/events` and `sightline tail`). A subscriber that
    /// does not keep up loses the oldest summaries, never slowing the writer.
    public func subscribe(bufferSize: Int = 1000) -> AsyncStream<FlowSummary> {
        let (stream, continuation) = AsyncStream.makeStream(of: FlowSummary.self,
                                                            bufferingPolicy: .bufferingNewest(bufferSize))
        let id = state.withLock { state -> UInt64? in
            guard !state.hasFinished else { return nil }
            let id = state.nextSubscriberID
            state.nextSubscriberID += 1
            state.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Tells the live feed's subscribers of flows another Sightline stored in a shared store, as if recorded here.
    public func announce(_ summary: FlowSummary) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.yield(summary) }
    }

    // MARK: Lifecycle

    /// The writer loop (and, with a spool, the spiller beside it): every `batchInterval` (sooner when
    /// `maxBatch` captures wait) it takes what is spooled or queued, builds the records and inserts
    /// them, a transaction per batch. Returns once `shutdown()` was called and everything is written
    /// or spooled. Run it once.
    public func run() async {
        guard claimWriter() else {
            // Another run() or a shutdown() without a loop drains; return when it is done, as promised.
            await waitUntilFinished()
            return
        }
        logger.debug("flow recorder started", metadata: ["capacity": "\(capacity)", "spooled": "\(stats.spooled)"])
        await withDiscardingTaskGroup { group in
            if spool != nil { group.addTask { await self.spillLoop() } }
            await writeLoop()
            state.withLock { $0.writerDone = true }
            spillWake.signal()
        }
        finish()
    }

    /// Flushes what is queued, then makes `run()` return. Without a running loop it flushes itself.
    public func shutdown() async {
        state.withLock { state in
            state.isShuttingDown = true
            if spool != nil { state.shutdownDeadline = ContinuousClock.now.advanced(by: shutdownGrace) }
        }
        if claimWriter() {
            await writeLoop()
            finish()
        } else {
            wake.signal()
            await waitUntilFinished()
        }
    }

    /// True when the caller now owns draining the queue.
    private func claimWriter() -> Bool {
        state.withLock { state in
            guard !state.writerActive, !state.hasFinished else { return false }
            state.writerActive = true
            return true
        }
    }

    private func waitUntilFinished() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.hasFinished { return true }
                state.finishWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func finish() {
        let (waiters, subscribers, left) = state.withLock { state in
            state.hasFinished = true
            state.writerActive = false
            // Captures handed over in the instant between the last drain and now are not lost unseen.
            let left = state.queue.count
            state.stats.dropped += left
            state.queue = []
            defer {
                state.finishWaiters = []
                state.subscribers = [:]
            }
            return (state.finishWaiters, Array(state.subscribers.values), left)
        }
        for subscriber in subscribers { subscriber.finish() }
        for waiter in waiters { waiter.resume() }
        if left > 0 { logger.warning("flow recorder stopped with captures unwritten", metadata: ["dropped": "\(left)"]) }
        if let spool, spool.unread > 0 {
            logger.info("flow recorder stopped; spooled captures are written at the next start",
                        metadata: ["spooled": "\(spool.unread)", "spool": "\(spool.path)"])
        }
        logger.debug("flow recorder stopped")
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
