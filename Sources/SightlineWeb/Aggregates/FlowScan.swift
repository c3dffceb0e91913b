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
        query.since = since
        query.until = until.map { $0.addingTimeInterval(0.001) } // inclusive here, exclusive in the query
        var flows: [FlowSummary] = []
        while true {
            let page = try await store.flows(query)
            for flow in page.flows {
                if flows.count >= maxFlows { return Result(flows: flows, complete: false) }
                flows.append(flow)
            }
            guard let next = page.next else { return Result(flows: flows, complete: true) }
            query.before = next
            try Task.checkCancellation()
        }
    }
}

/// Times in the aggregate answers: RFC 3339 in UTC with milliseconds, as the flow summaries write them.
enum APITime {
    static func string(from date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
