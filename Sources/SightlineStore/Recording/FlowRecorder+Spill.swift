import Foundation
import Logging
import SightlineCore

// The spiller: while the writer is behind, moves the memory queue to the spool in order, so memory
// stays bounded and nothing is dropped while the disk has room.
extension FlowRecorder {
    /// Captures appended to the spool in one write.
    static let spillChunk = 1000

    enum SpillOutcome { case spilled, idle }

    func spillLoop() async {
        var failures = SpillFailureReport()
        var wasSpilling = false
        var lastAnnounced: ContinuousClock.Instant?
        while true {
            let spilling = state.withLock { $0.spilling }
            // Once per minute at most: a recorder hovering at the threshold would otherwise log each crossing.
            if spilling, !wasSpilling, lastAnnounced.map({ ContinuousClock.now > $0.advanced(by: .seconds(60)) }) ?? true {
                logger.warning("flow recorder is behind: spilling captures to the spool",
                               metadata: ["spool": "\(spool?.path ?? "")", "queued": "\(stats.queued)"])
                lastAnnounced = ContinuousClock.now
            }
            wasSpilling = spilling
            if spillQueue(failures: &failures) == .spilled { continue }
            if state.withLock({ $0.writerDone }) { return }
            await spillWake.wait(timeout: .milliseconds(50))
        }
    }

    /// Moves up to `spillChunk` captures from the front of the queue to the spool: while spilling, or
    /// always when `force` (a shutdown out of time). A failed append (a full disk) drops them, counted.
    func spillQueue(force: Bool = false, failures: inout SpillFailureReport) -> SpillOutcome {
        guard let spool else { return .idle }
        let taken = state.withLock { state -> [FlowCapture]? in
            guard state.spilling || force, state.spillInFlight == 0, !state.queue.isEmpty else { return nil }
            let count = min(state.queue.count, Self.spillChunk)
            let taken = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            state.spillInFlight = count
            return taken
        }
        guard let taken else { return .idle }
        do {
            try spool.append(taken)
            state.withLock { state in
                state.spillInFlight = 0
                state.spooled += taken.count
            }
            wake.signal()
        } catch {
            state.withLock { state in
                state.spillInFlight = 0
                state.stats.dropped += taken.count
            }
            failures.note(error, dropped: taken.count, logger: logger)
        }
        return .spilled
    }

    /// A shutdown whose grace is over: what is still in memory (and a batch the store kept refusing)
    /// goes to the spool, to be written at the next start.
    func spillRemaining(_ failing: FailedBatch?) async {
        var failures = SpillFailureReport()
        if let failing, let spool {
            do {
                try spool.append(failing.captures)
                state.withLock { $0.spooled += failing.captures.count }
            } catch {
                state.withLock { $0.stats.lost += failing.captures.count }
                failures.note(error, dropped: failing.captures.count, logger: logger)
            }
        }
        while true {
            if spillQueue(force: true, failures: &failures) == .spilled { continue }
            let (empty, inFlight) = state.withLock { ($0.queue.isEmpty, $0.spillInFlight) }
            if empty, inFlight == 0 { return }
            // The spiller is mid-append; it finishes within one write.
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// A spool that cannot be written (a full disk) is logged once per `interval`, with what it cost.
    struct SpillFailureReport {
        static let interval = Duration.seconds(60)
        var lastLog: ContinuousClock.Instant?
        var unreported = 0

        mutating func note(_ error: any Error, dropped: Int, logger: Logger) {
            unreported += dropped
            let now = ContinuousClock.now
            if let lastLog, now < lastLog.advanced(by: Self.interval) { return }
            logger.error("flow recorder could not spool captures; they are dropped",
                         metadata: ["dropped": "\(unreported)", "error": "\(error)"])
            unreported = 0
            lastLog = now
        }
    }
}
