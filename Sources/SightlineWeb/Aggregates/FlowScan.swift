import Foundation
import SightlineCore
import SightlineStore

/// Reads many summaries through the public `FlowStore` API, a page at a time, newest first — how the
/// dashboard and the sessions view aggregate without a store-specific query. Bounded by a time window
/// and a flow count, so a large store costs a bounded amount of work (the answer says when it stopped early).
struct FlowScan {
    static let pageSize = 1000

    var query: FlowQuery
    var since: Date?
    var until: Date?
    var maxFlows: Int

    struct Result {
        var flows: [FlowSummary]
        /// False when `maxFlows` was reached before the window's start.
        var complete: Bool
    }

    func run(on store: any FlowStore) async throws -> Result {
        var query = self.query
        query.limit = Self.pageSize
        if let until { query.before = TimeCursor.older(query.before, than: until) }
        var flows: [FlowSummary] = []
        while true {
            let page = try await store.flows(query)
            for flow in page.flows {
                if let since, flow.startedAt < since { return Result(flows: flows, complete: true) }
                if let until, flow.startedAt > until { continue }
                if flows.count >= maxFlows { return Result(flows: flows, complete: false) }
                flows.append(flow)
            }
            guard let next = page.next else { return Result(flows: flows, complete: true) }
            query.before = next
            try Task.checkCancellation()
        }
    }
}

/// Turns times into `before` cursors: flow ids are UUIDv7, so the largest id of a millisecond sorts
/// after every flow started in or before it.
enum TimeCursor {
    static func cursor(atOrBefore date: Date) -> String {
        let millis = UInt64(max(0, (date.timeIntervalSince1970 * 1000).rounded(.down)))
        let hex = String(millis, radix: 16)
        let padded = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        return "\(padded.prefix(8))-\(padded.suffix(4))-7fff-bfff-ffffffffffff"
    }

    /// Whichever of an existing cursor and the cursor for `date` starts the listing further back.
    static func older(_ cursor: String?, than date: Date) -> String {
        let fromDate = self.cursor(atOrBefore: date)
        guard let cursor = cursor?.lowercased() else { return fromDate }
        return min(cursor, fromDate)
    }

    /// RFC 3339 text, or a number of Unix milliseconds.
    static func date(from text: String) -> Date? {
        if let millis = Double(text) { return Date(timeIntervalSince1970: millis / 1000) }
        return (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    /// RFC 3339 in UTC with milliseconds, as the flow summaries write it.
    static func string(from date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
