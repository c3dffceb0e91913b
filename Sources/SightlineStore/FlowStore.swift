import Foundation
import SightlineCore

/// Storage of recorded flows: `SQLiteFlowStore` (embedded, the default) and `PostgresFlowStore` (a team's
/// shared store). `FlowStoreContractTests` holds both to the same answers.
public protocol FlowStore: Sendable {
    /// Inserts a batch in one transaction: either every record lands or none does. Returns the records as stored:
    /// threaded (`parentID`, `threadID` set by the store, which alone knows the earlier calls).
    @discardableResult
    func insert(_ records: [FlowRecord]) async throws -> [FlowRecord]
    /// One page of flow summaries, newest first, continuing after `query.before` (keyset pagination).
    func flows(_ query: FlowQuery) async throws -> FlowPage
    /// Everything recorded about one flow, or nil when no such flow is stored.
    func flow(id: FlowID) async throws -> FlowDetail?
    /// One flow's summary, without reading its bodies (`sightline tail` following an open WebSocket session).
    func summary(id: FlowID) async throws -> FlowSummary?
    /// Deletes the oldest flows: those started before `cutoff`, then more until the store fits
    /// in `maxStoreBytes`. Returns how many flows were deleted.
    func prune(olderThan cutoff: Date?, maxStoreBytes: Int?) async throws -> Int
    func flowCount() async throws -> Int
    /// Folds the flows matching `query`'s filters and time range (not its page: `limit` and `before` are
    /// ignored) into `accumulator`, in no particular order, at most `maxFlows` of them. `complete` is false
    /// when more matched.
    func accumulate<A: FlowAccumulator>(_ query: FlowQuery, into accumulator: A, maxFlows: Int) async throws -> (result: A, complete: Bool)
    /// The per-minute call rollups of every instance for the minutes `from..<to` (minutes since 1970).
    func callMinutes(from: Int64, to: Int64) async throws -> [CallMinute]
    /// Every instance's totals of the `limit` sessions with the newest last call among those with a call in
    /// `since...until` (a session's totals cover all its calls).
    func sessionTotals(since: Date, until: Date, limit: Int) async throws -> [SessionTotals]
    /// Marks ended the WebSocket sessions a previous run of this Sightline left open; returns how many.
    func closeInterruptedWebSockets() async throws -> Int
}
