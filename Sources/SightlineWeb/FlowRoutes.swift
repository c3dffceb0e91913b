import Foundation
import Hummingbird
import SightlineCore
import SightlineStore

/// The flow API: `/api/flows`, `/api/flows/{id}` (+ `/curl`, `/har`, `/replay`), `/api/events`,
/// `/api/export.har`, `/api/export.jsonl`.
struct FlowRoutes: Sendable {
    let services: WebServices

    /// Flows an export holds at most (each is read in full).
    static let maxExport = 1000

    func register(on router: Router<BasicRequestContext>) {
        router.get("/api/flows") { request, _ in
            try JSONResponse.make(try await flowPage(request.uri.queryParameters.map { (String($0.key), String($0.value)) }))
        }
        router.get("/api/flows/{id}") { _, context in
            try JSONResponse.make(try await detail(context))
        }
        router.get("/api/flows/{id}/curl") { _, context in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: CurlCommand.render(try await detail(context)) + "\n")))
        }
        router.get("/api/flows/{id}/har") { _, context in
            let flow = try await detail(context)
            return download(try HARExporter.data([flow], creatorVersion: WebApplication.version), type: "application/json",
                            name: "sightline-\(flow.summary.id).har")
        }
        router.get("/api/export.har") { request, _ in
            let flows = try await exportFlows(request)
            return download(try HARExporter.data(flows.reversed(), creatorVersion: WebApplication.version), type: "application/json",
                            name: "sightline.har")
        }
        router.get("/api/export.jsonl") { request, _ in
            var out = Data()
            for flow in try await exportFlows(request) {
                out.append(try JSONResponse.encoder.encode(flow))
                out.append(0x0A)
            }
            return download(out, type: "application/x-ndjson", name: "sightline.jsonl")
        }
        router.get("/api/flows/{id}/diff") { request, context in
            let flow = try await detail(context)
            let raw = request.uri.queryParameters["against"].map(String.init)
            guard let againstID = raw.map(FlowID.init) ?? FlowDiffBody.defaultAgainst(flow) else {
                throw APIError.badRequest(raw == nil ? "this flow continues and replays no other: name one with ?against=ID" : "\"\(raw!)\" is not a flow id")
            }
            guard let other = try await services.store.flow(id: againstID) else { throw APIError.notFound("no flow \(againstID)") }
            return try JSONResponse.make(try FlowDiffBody.make(flow, against: other))
        }
        router.post("/api/flows/{id}/replay") { request, context in
            try await replay(request, context: context)
        }
        router.get("/api/events") { _, _ in
            guard let recorder = services.recorder else { throw APIError.unavailable("no recorder in this process") }
            let summaries = recorder.subscribe()
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: ": connected\n\n"))
                for await summary in summaries {
                    let data = try JSONResponse.encoder.encode(summary)
                    try await writer.write(ByteBuffer(string: "event: flow\ndata: " + String(decoding: data, as: UTF8.self) + "\n\n"))
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
        }
    }

    /// SPEC §5.1 `GET /api/flows`, plus `since` / `until` (RFC 3339 or Unix ms), `tunnels=hide` and `error_kind`.
    func flowPage(_ parameters: [(String, String)]) async throws -> FlowPage {
        let named = parameters.map { (name: $0.0, value: $0.1) }
        let query = FlowQuery(parameters: named)
        for name in ["since", "until"] {
            _ = try APITime.parameter(name, parameters.last(where: { $0.0 == name && !$0.1.isEmpty })?.1)
        }
        try ErrorKindParameter.check(named)
        if let before = query.before, FlowID(before) == nil { throw APIError.badRequest("before: \(before.debugDescription) is not a cursor") }
        return try await storePage(query)
    }

    private func storePage(_ query: FlowQuery) async throws -> FlowPage {
        do {
            return try await services.store.flows(query)
        } catch let error as StoreError {
            throw error.isUnavailable ? APIError.unavailable(error.reason) : APIError.badRequest(error.reason)
        }
    }

    private func detail(_ context: BasicRequestContext) async throws -> FlowDetail {
        let raw = try context.parameters.require("id")
        guard let id = FlowID(raw) else { throw APIError.badRequest("\"\(raw)\" is not a flow id") }
        guard let detail = try await services.store.flow(id: id) else { throw APIError.notFound("no flow \(raw)") }
        return detail
    }

    private func exportFlows(_ request: Request) async throws -> [FlowDetail] {
        var parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let limit = min(Self.maxExport, parameters.last { $0.0 == "limit" }.flatMap { Int($0.1) } ?? Self.maxExport)
        parameters.removeAll { $0.0 == "limit" }
        parameters.append(("limit", String(limit)))
        var details: [FlowDetail] = []
        for summary in try await flowPage(parameters).flows {
            if let detail = try await services.store.flow(id: summary.id) { details.append(detail) }
        }
        return details
    }

    private func download(_ data: Data, type: String, name: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .contentDisposition: "attachment; filename=\"\(name)\""],
                 body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Sends the recorded request (optionally edited) again through this Sightline's proxy port and
    /// answers the new flow's id once the recorder has stored it.
    private func replay(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard let target = services.replayTarget else { throw APIError.unavailable("no proxy runs in this process to replay through") }
        let original = try await detail(context)
        let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
        var edits: ReplayRequest.Edits?
        if body.readableBytes > 0 {
            do {
                edits = try JSONDecoder().decode(ReplayRequest.Edits.self, from: body)
            } catch {
                throw APIError.badRequest("the body must be JSON {\"method\", \"url\", \"headers\": [[name, value]…], \"body\"}, each optional")
            }
        }
        let replayed = try ReplayRequest(flow: original, edits: edits)
        let newID = FlowID.make()
        let store = services.store
        let outcome: ReplayClient.Outcome
        do {
            outcome = try await ReplayClient(target: target).send(replayed, replayOf: original.summary.id, newID: newID) { outcome in
                // Recording is asynchronous: wait (bounded) until the new flow can be read.
                let id = outcome.flowID.flatMap(FlowID.init) ?? newID
                let deadline = ContinuousClock.now + .seconds(10)
                while ContinuousClock.now < deadline, try await store.flow(id: id) == nil {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError(status: .badGateway, message: "could not replay through the proxy: \(error)")
        }
        let id = outcome.flowID.flatMap(FlowID.init) ?? newID
        let stored = try await store.flow(id: id) != nil
        return try JSONResponse.make(ReplayAnswer(id: id.description, replayOf: original.summary.id.description,
                                                  status: outcome.status == 0 ? nil : outcome.status, recorded: stored))
    }
}

struct ReplayAnswer: Encodable {
    var id: String
    var replayOf: String
    var status: Int?
    var recorded: Bool

    enum CodingKeys: String, CodingKey { case id, replayOf = "replay_of", status, recorded }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(replayOf, forKey: .replayOf)
        try c.encode(status, forKey: .status)
        try c.encode(recorded, forKey: .recorded)
    }
}

/// JSON bodies with the API's key order and explicit nulls.
enum JSONResponse {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
