import Foundation
import Logging
import SightlineCore
import Synchronization

/// The `CaptureSink` the proxy hands finished captures to: a bounded queue drained by one batching
/// writer. `record` only takes a lock and appends, so a slow store never slows forwarding; what does
/// not fit is counted as dropped. Decoding, redaction and analysis all happen in `run()`.
public final class FlowRecorder: CaptureSink, Sendable {
    /// Attempts at writing one batch before its flows are given up as lost.
    static let maxWriteAttempts = 5

    private struct State {
        var queue: [FlowCapture] = []
        var stats = RecorderStats()
        var isShuttingDown = false
        /// A task owns the draining: `run()`, or `shutdown()` when no loop ran. Only one ever drains.
        var writerActive = false
        var hasFinished = false
        var finishWaiters: [CheckedContinuation<Void, Never>] = []
        var subscribers: [UInt64: AsyncStream<FlowSummary>.Continuation] = [:]
        var nextSubscriberID: UInt64 = 0
    }

    public let store: any FlowStore
    public let builder: FlowRecordBuilder
    public let capacity: Int
    public let batchInterval: Duration
    public let maxBatch: Int
    public let retention: RetentionPolicy?
    private let logger: Logger
    private let state = Mutex(State())
    private let wake = WakeSignal()

    public init(store: any FlowStore, builder: FlowRecordBuilder, capacity: Int = 10_000,
                batchInterval: Duration = .milliseconds(100), maxBatch: Int = 500,
                retention: RetentionPolicy? = nil, logger: Logger) {
        self.store = store
        self.builder = builder
        self.capacity = max(1, capacity)
        self.batchInterval = batchInterval
        self.maxBatch = max(1, maxBatch)
        self.retention = retention
        self.logger = logger
    }

    // MARK: Data path

    /// Queues a finished capture. Never blocks and never waits: when the queue is full the capture is
    /// dropped and counted.
    public func record(_ capture: FlowCapture) {
        let wakeWriter = state.withLock { state -> Bool in
            guard !state.hasFinished, state.queue.count < capacity else {
                state.stats.dropped += 1
                return false
            }
            state.queue.append(capture)
            return state.queue.count == maxBatch
        }
        if wakeWriter { wake.signal() }
    }

    public var stats: RecorderStats {
        state.withLock { state in
            var stats = state.stats
            stats.queued = state.queue.count
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

    // MARK: Writer

    /// The writer loop: every `batchInterval` (sooner when `maxBatch` captures wait) it takes what is
    /// queued, builds the records and inserts them, a transaction per batch. Returns once `shutdown()`
    /// was called and the queue is flushed. Run it once.
    public func run() async {
        guard claimWriter() else {
            // Another run() or a shutdown() without a loop drains; return when it is done, as promised.
            await waitUntilFinished()
            return
        }
        logger.debug("flow recorder started", metadata: ["capacity": "\(capacity)"])
        var failing: FailedBatch?
        var dropReport = DropReport()
        // The first check runs at once: the store may have outgrown its limit while Sightline was stopped.
        var nextRetention = retention.map { _ in ContinuousClock.now }
        while true {
            if let failed = failing {
                failing = await retry(failed)
            } else {
                failing = await drain()
            }
            if let policy = retention, policy.isActive, let due = nextRetention, ContinuousClock.now >= due {
                await applyRetention(policy)
                nextRetention = ContinuousClock.now.advanced(by: policy.interval)
            }
            let (shuttingDown, empty, dropped) = state.withLock { ($0.isShuttingDown, $0.queue.isEmpty, $0.stats.dropped) }
            dropReport.note(dropped: dropped, logger: logger)
            if shuttingDown, empty, failing == nil { break }
            if !shuttingDown || failing != nil {
                await wake.wait(timeout: batchInterval)
            }
        }
        finish()
    }

    /// Flushes what is queued, then makes `run()` return. Without a running loop it flushes itself.
    public func shutdown() async {
        state.withLock { $0.isShuttingDown = true }
        if claimWriter() {
            var failing = await drain()
            while let failed = failing { failing = await retry(failed) }
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

    /// A batch whose insert failed, kept for another try. While one is held no new captures are taken,
    /// so memory stays bounded by the queue's capacity.
    private struct FailedBatch {
        var records: [FlowRecord]
        var attempts: Int
    }

    /// Writes everything queued, `maxBatch` at a time; returns the batch that failed, if one did.
    /// Each batch is built (decoded, understood) while the one before it is being written: the database
    /// writes on its own thread, so the two use two cores. Batches are still written one after another, in order.
    private func drain() async -> FailedBatch? {
        var writing: Task<FailedBatch?, Never>?
        while true {
            let captures = state.withLock { state -> [FlowCapture] in
                let count = min(state.queue.count, maxBatch)
                let taken = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return taken
            }
            guard !captures.isEmpty else { return await writing?.value ?? nil }
            let records = captures.map(builder.build)
            if let previous = writing, let failed = await previous.value {
                // Kept with the failed one, so that nothing is written out of order.
                return FailedBatch(records: failed.records + records, attempts: failed.attempts)
            }
            writing = Task { await self.write(FailedBatch(records: records, attempts: 0)) }
        }
    }

    private func retry(_ batch: FailedBatch) async -> FailedBatch? {
        guard let failed = await write(batch) else {
            logger.info("flow recorder writing again", metadata: ["flows": "\(batch.records.count)"])
            return nil
        }
        guard failed.attempts < Self.maxWriteAttempts else {
            state.withLock { $0.stats.lost += failed.records.count }
            logger.warning("flow recorder gave up on a batch", metadata: ["flows": "\(failed.records.count)"])
            return nil
        }
        return failed
    }

    /// One insert; nil on success. Only the first failure of a run of failures is logged at warning.
    private func write(_ batch: FailedBatch) async -> FailedBatch? {
        do {
            try await store.insert(batch.records)
        } catch {
            state.withLock { $0.stats.writeErrors += 1 }
            if batch.attempts == 0 {
                logger.warning("flow recorder could not write; will retry",
                               metadata: ["flows": "\(batch.records.count)", "error": "\(error)"])
            }
            return FailedBatch(records: batch.records, attempts: batch.attempts + 1)
        }
        let subscribers = state.withLock { state in
            state.stats.recorded += batch.records.count
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers {
            for record in batch.records { subscriber.yield(record.summary) }
        }
        return nil
    }

    /// Logs captures dropped for a full queue from the writer side (never from `record`, which runs on
    /// an event loop), at most once per `interval` however long the overload lasts.
    private struct DropReport {
        static let interval = Duration.seconds(10)
        var reported = 0
        var lastLog: ContinuousClock.Instant?

        mutating func note(dropped: Int, logger: Logger) {
            guard dropped > reported else { return }
            let now = ContinuousClock.now
            if let lastLog, now < lastLog.advanced(by: Self.interval) { return }
            logger.warning("flow recorder queue full: captures dropped; the store is not keeping up",
                           metadata: ["dropped": "\(dropped - reported)", "dropped_total": "\(dropped)"])
            reported = dropped
            lastLog = now
        }
    }

    private func applyRetention(_ policy: RetentionPolicy) async {
        let cutoff = policy.maxAge.map { Date().addingTimeInterval(-$0.seconds) }
        do {
            let deleted = try await store.prune(olderThan: cutoff, maxStoreBytes: policy.maxStoreBytes)
            state.withLock { $0.stats.pruned += deleted }
            if deleted > 0 { logger.debug("retention pruned flows", metadata: ["flows": "\(deleted)"]) }
        } catch {
            logger.warning("retention could not prune", metadata: ["error": "\(error)"])
        }
    }

    private func finish() {
        let (waiters, subscribers) = state.withLock { state in
            state.hasFinished = true
            state.writerActive = false
            // Captures handed over in the instant between the last drain and now are not lost unseen.
            state.stats.dropped += state.queue.count
            state.queue = []
            defer {
                state.finishWaiters = []
                state.subscribers = [:]
            }
            return (state.finishWaiters, Array(state.subscribers.values))
        }
        for subscriber in subscribers { subscriber.finish() }
        for waiter in waiters { waiter.resume() }
        logger.debug("flow recorder stopped")
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
