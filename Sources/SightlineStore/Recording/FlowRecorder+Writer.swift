import Foundation
import Logging
import SightlineCore

// The writer side: takes batches (spooled ones first, so nothing is written out of order), builds
// the records and inserts them, retries failed batches and applies retention.
extension FlowRecorder {
    /// A batch whose insert failed, kept for another try with the captures it came from (spooled at a
    /// shutdown that cannot wait for it). While one is held no new batch is taken; with a spool the
    /// spiller keeps memory bounded meanwhile.
    struct FailedBatch {
        var records: [FlowRecord]
        var captures: [FlowCapture]
        var attempts: Int
    }

    func writeLoop() async {
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
            let (shuttingDown, empty, dropped, deadline) = state.withLock {
                ($0.isShuttingDown, $0.isEmpty, $0.stats.dropped, $0.shutdownDeadline)
            }
            dropReport.note(dropped: dropped, logger: logger)
            if shuttingDown {
                if empty, failing == nil { break }
                if let deadline, ContinuousClock.now >= deadline {
                    await spillRemaining(failing)
                    break
                }
            }
            if !shuttingDown || failing != nil {
                await wake.wait(timeout: batchInterval)
            } else if !empty {
                // Only a spill in flight is left: it ends within a write.
                await wake.wait(timeout: .milliseconds(2))
            }
        }
    }

    /// Writes what is queued, then whatever is spooled and every further full batch, `maxBatch` at a time;
    /// returns the batch that failed, if one did. Each batch is built (decoded, understood) while the one
    /// before it is being written: the database writes on its own thread, so the two use two cores.
    /// Batches are still written one after another, in order.
    ///
    /// After the first batch only full ones are taken: what arrived while a batch was written waits for
    /// the next `batchInterval`. Taking it at once made a transaction of every few flows under steady load
    /// (28 a commit at 880 flows/s): each commit rewrites every index page it touched and leaves an FTS
    /// segment to merge, which was most of the recorder's commit cost.
    func drain() async -> FailedBatch? {
        var writing: Task<FailedBatch?, Never>?
        var onlyFull = false
        wake.clearPending()
        while true {
            let captures = takeBatch(onlyFull: onlyFull)
            onlyFull = true
            guard !captures.isEmpty else { return await writing?.value ?? nil }
            let records = captures.map(builder.build)
            if let previous = writing, let failed = await previous.value {
                // Kept with the failed one, so that nothing is written out of order.
                return FailedBatch(records: failed.records + records, captures: failed.captures + captures,
                                   attempts: failed.attempts)
            }
            writing = Task { await self.write(FailedBatch(records: records, captures: captures, attempts: 0)) }
        }
    }

    /// The next captures in order: the spool's while it holds any (they are older than the queue's),
    /// else the queue's (`onlyFull`: only a full batch, unless shutting down). Empty when nothing is
    /// ready, or when a shutdown's grace is over.
    func takeBatch(onlyFull: Bool = false) -> [FlowCapture] {
        enum Source { case spool(Int), queue([FlowCapture], caughtUp: Bool) }
        while true {
            let source = state.withLock { state -> Source? in
                if let deadline = state.shutdownDeadline, ContinuousClock.now >= deadline { return nil }
                if state.spooled > 0 { return .spool(min(maxBatch, state.spooled)) }
                // What the spiller holds is older than the queue: wait for it to land in the spool.
                if state.spillInFlight > 0 { return nil }
                let count = min(state.queue.count, maxBatch)
                guard count > 0, !onlyFull || count == maxBatch || state.isShuttingDown else { return nil }
                let taken = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                let caughtUp = state.spilling && state.queue.count < maxBatch
                if caughtUp { state.spilling = false }
                return .queue(taken, caughtUp: caughtUp)
            }
            switch source {
            case nil:
                return []
            case .queue(let captures, let caughtUp):
                if caughtUp { logger.info("flow recorder caught up: the spool is drained") }
                return captures
            case .spool(let wanted):
                guard let spool else { return [] }
                let read = spool.read(max: wanted)
                let consumed = read.captures.count + read.unreadable
                state.withLock { state in
                    // Reading nothing when some were due means the file lost them: stop expecting them.
                    state.spooled = consumed == 0 ? 0 : max(0, state.spooled - consumed)
                    state.stats.lost += read.unreadable
                }
                if read.unreadable > 0 {
                    logger.warning("flow recorder could not read spooled captures; they are lost",
                                   metadata: ["flows": "\(read.unreadable)", "spool": "\(spool.path)"])
                }
                if !read.captures.isEmpty { return read.captures }
                if consumed == 0 { return [] }
            }
        }
    }

    func retry(_ batch: FailedBatch) async -> FailedBatch? {
        guard let failed = await write(batch) else {
            logger.info("flow recorder writing again", metadata: ["flows": "\(batch.records.count)"])
            return nil
        }
        guard failed.attempts < maxWriteAttempts else {
            state.withLock { $0.stats.lost += failed.records.count }
            logger.warning("flow recorder gave up on a batch", metadata: ["flows": "\(failed.records.count)"])
            return nil
        }
        return failed
    }

    /// One insert; nil on success. Only the first failure of a run of failures is logged at warning.
    func write(_ batch: FailedBatch) async -> FailedBatch? {
        let stored: [FlowRecord]
        do {
            stored = try await store.insert(batch.records)
        } catch {
            let reason = StoreError.describe(error)
            state.withLock { state in
                state.stats.writeErrors += 1
                state.stats.storeError = reason
                if state.stats.storeFailingSince == nil { state.stats.storeFailingSince = RFC3339.string(from: Date()) }
            }
            if batch.attempts == 0 {
                logger.warning("flow recorder could not write; will retry",
                               metadata: ["flows": "\(batch.records.count)", "error": "\(error)"])
            }
            return FailedBatch(records: batch.records, captures: batch.captures, attempts: batch.attempts + 1)
        }
        let subscribers = state.withLock { state in
            state.stats.recorded += batch.records.count
            state.stats.storeError = nil
            state.stats.storeFailingSince = nil
            return Array(state.subscribers.values)
        }
        // As stored: threaded, which the live view's thread filter and the UI's links read.
        for subscriber in subscribers {
            for record in stored { subscriber.yield(record.summary) }
        }
        for observer in observers { observer.recorded(stored) }
        return nil
    }

    /// Logs captures dropped for a full queue from the writer side (never from `record`, which runs on
    /// an event loop), at most once per `interval` however long the overload lasts.
    struct DropReport {
        static let interval = Duration.seconds(60)
        var reported = 0
        var lastLog: ContinuousClock.Instant?

        mutating func note(dropped: Int, logger: Logger) {
            guard dropped > reported else { return }
            let now = ContinuousClock.now
            if let lastLog, now < lastLog.advanced(by: Self.interval) { return }
            logger.warning("flow recorder dropped captures: the queue was full and could not be spooled",
                           metadata: ["dropped": "\(dropped - reported)", "dropped_total": "\(dropped)"])
            reported = dropped
            lastLog = now
        }
    }

    func applyRetention(_ policy: RetentionPolicy) async {
        let cutoff = policy.maxAge.map { Date().addingTimeInterval(-$0.seconds) }
        do {
            let deleted = try await store.prune(olderThan: cutoff, maxStoreBytes: policy.maxStoreBytes)
            state.withLock { $0.stats.pruned += deleted }
            if deleted > 0 { logger.debug("retention pruned flows", metadata: ["flows": "\(deleted)"]) }
        } catch {
            logger.warning("retention could not prune", metadata: ["error": "\(error)"])
        }
    }
}
