import SightlineCore
import SightlineLLM

/// Where a thread key leads: the newest call that left it, and that call's thread.
struct ThreadLink: Sendable, Hashable {
    var flowID: String
    var threadID: String
    /// Unix milliseconds of that call's start: retention forgets the keys of flows it removed.
    var startedAt: Int64
}

/// Threads a batch of calls, given the keys already stored (`thread_key`). Store-neutral and pure: each store
/// reads the keys the batch looks for, links, then writes back what the batch left, in one transaction.
enum ThreadLinking {
    /// Every key the batch's calls look for.
    static func candidateKeys(_ records: [FlowRecord]) -> [String] {
        Array(Set(records.flatMap { $0.threadKeys?.candidates ?? [] })).sorted()
    }

    /// Sets each call's `parentID` and `threadID`, in batch order, so that a call continues one recorded
    /// earlier in the same batch. Returns the keys to store, each with its newest call; a key left by two calls
    /// (the same conversation sent twice) leads to the later one.
    static func link(_ records: inout [FlowRecord], stored: [String: ThreadLink]) -> [String: ThreadLink] {
        var left: [String: ThreadLink] = [:]
        for index in records.indices {
            guard let keys = records[index].threadKeys else { continue }
            let id = records[index].id.description
            // A flow recorded again (a spool replayed, a WebSocket session updated) may meet its own keys.
            let parent = keys.candidates.lazy
                .compactMap { left[$0] ?? stored[$0] }
                .first { $0.flowID != id }
            let thread = parent?.threadID ?? id
            records[index].detail.summary.parentID = parent.flatMap { FlowID($0.flowID) }
            records[index].detail.summary.threadID = FlowID(thread)
            let startedAt = RFC3339.milliseconds(records[index].summary.startedAt)
            for key in keys.continuations {
                left[key] = ThreadLink(flowID: id, threadID: thread, startedAt: startedAt)
            }
        }
        return left
    }
}
