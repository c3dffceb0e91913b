import Foundation
import Hummingbird
import SightlineStore

/// Aggregates over many flows: `/api/dashboard`, `/api/sessions` and `/metrics`. Without a filter the first two
/// read the store's rollups (a row per minute and model, a row per session), so their cost does not grow with the
/// flows of the window; with one they fold the matching flows in the store's read (`FlowStore.accumulate`), up to
/// `maxScan` of them.
struct InsightRoutes: Sendable {
    let services: WebServices
    let metrics: FlowMetrics

    static let maxScan = 2_000_000
    /// A session's tree reads at most this many of its calls (the newest).
    static let maxSessionCalls = 20_000

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/dashboard") { request, _ in
            let window = try Self.window(request, defaultHours: 24)
            var parameters = request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) }
            parameters.removeAll { ["since", "until", "bucket", "limit", "before"].contains($0.name) }
            let bucket = request.uri.queryParameters["bucket"].flatMap { Int($0) }
            var accumulator = DashboardStats.Accumulator(since: window.since, until: window.until, bucketSeconds: bucket)
            if parameters.isEmpty {
                // Whole minutes: the window starts at the start of its first minute.
                let first = CallMinute.minute(of: window.since), last = CallMinute.minute(of: window.until)
                for minute in try await services.store.callMinutes(from: first, to: last + 1) { accumulator.add(minute) }
                return try JSONResponse.make(DashboardStats.compute(accumulator, complete: true, source: "rollups",
                                                                    since: Date(timeIntervalSince1970: Double(first) * 60), until: window.until))
            }
            let (result, complete) = try await services.store.accumulate(try Self.query(parameters, window), into: accumulator, maxFlows: Self.maxScan)
            return try JSONResponse.make(DashboardStats.compute(result, complete: complete, source: "flows", since: window.since, until: window.until))
        }
        router.get("/api/sessions") { request, _ in
            let window = try Self.window(request, defaultHours: 24 * 7)
            var parameters = request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) }
            parameters.removeAll { ["since", "until", "limit", "before"].contains($0.name) }
            let limit = max(1, request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 200)
            if parameters.isEmpty {
                let rows = try await services.store.sessionTotals(since: window.since, until: window.until, limit: limit)
                return try JSONResponse.make(SessionList.fromRollups(rows))
            }
            let (result, complete) = try await services.store.accumulate(
                try Self.query(parameters, window), into: SessionList.Accumulator(), maxFlows: Self.maxScan)
            var list = result.list(complete: complete)
            list.sessions = Array(list.sessions.prefix(limit))
            return try JSONResponse.make(list)
        }
        router.get("/api/sessions/:id") { _, context in
            let id = try context.parameters.require("id")
            var flows: [FlowSummary] = []
            var cursor: String?
            repeat {
                let page = try await services.store.flows(FlowQuery(limit: FlowQuery.maxLimit, before: cursor, session: id))
                flows += page.flows
                cursor = page.next
            } while cursor != nil && flows.count < Self.maxSessionCalls
            guard let tree = SessionTree.build(id: id, flows: flows) else { throw APIError.notFound("no session \(id)") }
            return try JSONResponse.make(tree)
        }
        router.get("/metrics") { _, _ in
            let text = PrometheusText.render(metrics: metrics.snapshot, recorder: services.recorder?.stats,
                                             storedFlows: try? await services.store.flowCount())
            return Response(status: .ok, headers: [.contentType: PrometheusText.contentType],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    /// The flow filters of an aggregate request, within its window (`until` inclusive).
    static func query(_ parameters: [(name: String, value: String)], _ window: (since: Date, until: Date)) throws -> FlowQuery {
        try ErrorKindParameter.check(parameters)
        var query = FlowQuery(parameters: parameters)
        query.since = window.since
        query.until = window.until.addingTimeInterval(0.001)
        return query
    }

    static func window(_ request: Request, defaultHours: Double) throws -> (since: Date, until: Date) {
        let parameters = request.uri.queryParameters
        let until = try APITime.parameter("until", parameters["until"].map(String.init)) ?? Date()
        let since = try APITime.parameter("since", parameters["since"].map(String.init)) ?? until.addingTimeInterval(-defaultHours * 3600)
        guard since < until else { throw APIError.badRequest("since must be before until") }
        return (since, until)
    }
}
