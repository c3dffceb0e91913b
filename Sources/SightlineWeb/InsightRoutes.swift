import Foundation
import Hummingbird
import SightlineStore

/// Aggregates over many flows: `/api/dashboard`, `/api/sessions` and `/metrics`. The store offers
/// pages of summaries, so these scan a bounded window of recent flows (`FlowScan`).
struct InsightRoutes: Sendable {
    let services: WebServices
    let metrics: FlowMetrics

    static let maxScan = 100_000

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/dashboard") { request, _ in
            let window = try Self.window(request, defaultHours: 24)
            var parameters = request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) }
            parameters.removeAll { ["since", "until", "bucket", "limit", "before"].contains($0.name) }
            let scan = FlowScan(query: FlowQuery(parameters: parameters), since: window.since, until: window.until, maxFlows: Self.maxScan)
            let result = try await scan.run(on: services.store)
            let bucket = request.uri.queryParameters["bucket"].flatMap { Int($0) }
            return try JSONResponse.make(DashboardStats.compute(flows: result.flows, complete: result.complete,
                                                                since: window.since, until: window.until, bucketSeconds: bucket))
        }
        router.get("/api/sessions") { request, _ in
            let window = try Self.window(request, defaultHours: 24 * 7)
            var parameters = request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) }
            parameters.removeAll { ["since", "until", "limit", "before"].contains($0.name) }
            let scan = FlowScan(query: FlowQuery(parameters: parameters), since: window.since, until: window.until, maxFlows: Self.maxScan)
            let result = try await scan.run(on: services.store)
            var list = SessionList.compute(flows: result.flows, complete: result.complete)
            let limit = request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 200
            list.sessions = Array(list.sessions.prefix(max(1, limit)))
            return try JSONResponse.make(list)
        }
        router.get("/metrics") { _, _ in
            let text = PrometheusText.render(metrics: metrics.snapshot, recorder: services.recorder?.stats,
                                             storedFlows: try? await services.store.flowCount())
            return Response(status: .ok, headers: [.contentType: PrometheusText.contentType],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }

    static func window(_ request: Request, defaultHours: Double) throws -> (since: Date, until: Date) {
        let parameters = request.uri.queryParameters
        var until = Date()
        if let text = parameters["until"].map(String.init), !text.isEmpty {
            guard let date = FlowQuery.parseTime(text) else { throw APIError.badRequest("until: \(text.debugDescription) is not a time") }
            until = date
        }
        var since = until.addingTimeInterval(-defaultHours * 3600)
        if let text = parameters["since"].map(String.init), !text.isEmpty {
            guard let date = FlowQuery.parseTime(text) else { throw APIError.badRequest("since: \(text.debugDescription) is not a time") }
            since = date
        }
        guard since < until else { throw APIError.badRequest("since must be before until") }
        return (since, until)
    }
}
