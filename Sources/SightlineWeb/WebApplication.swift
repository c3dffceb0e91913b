import Foundation
import Hummingbird
import Logging
import SightlineCore
import SightlineStore

/// The web UI and JSON API (`/api/…`, SPEC §5.1) as a Hummingbird application.
public enum WebApplication {
    public static func make(
        services: WebServices, host: String, port: Int, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        if let password = services.password {
            router.add(middleware: AuthMiddleware(password: password))
        }
        FlowRoutes(services: services).register(on: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "Sightline"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}

/// `/api/flows`, `/api/flows/{id}`, `/api/events`, `/api/ca.pem`, `/api/reload`, `/api/login`, `/api/stats`.
struct FlowRoutes: Sendable {
    let services: WebServices

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: IndexPage.html)))
        }
        router.get("/api/flows") { request, _ in
            let parameters = request.uri.queryParameters.map { (name: String($0.key), value: String($0.value)) }
            let query = FlowQuery(parameters: parameters)
            do {
                return try json(try await services.store.flows(query))
            } catch let error as StoreError {
                throw APIError.badRequest(error.reason)
            }
        }
        router.get("/api/flows/{id}") { _, context in
            let raw = try context.parameters.require("id")
            guard let id = FlowID(raw) else { throw APIError.badRequest("\"\(raw)\" is not a flow id") }
            guard let detail = try await services.store.flow(id: id) else { throw APIError.notFound("no flow \(raw)") }
            return try json(detail)
        }
        router.get("/api/ca.pem") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/x-pem-file",
                                            .contentDisposition: "attachment; filename=\"sightline-ca-cert.pem\""],
                     body: .init(byteBuffer: ByteBuffer(string: services.caCertificatePEM)))
        }
        router.post("/api/reload") { _, _ in
            guard let reload = services.reload else { throw APIError(status: .serviceUnavailable, message: "no proxy runs in this process") }
            do {
                try reload()
            } catch {
                throw APIError(status: .internalServerError, message: "reload failed: \(error)")
            }
            return try json(["reloaded": true])
        }
        router.get("/api/stats") { _, _ in
            let stats = services.recorder?.stats ?? RecorderStats()
            return try json(StatsBody(recorder: stats, flows: try await services.store.flowCount()))
        }
        router.post("/api/login") { request, context in
            guard let password = services.password else { return try json(["ok": true]) }
            let body = try await request.body.collect(upTo: 4096)
            let given = (try? JSONDecoder().decode([String: String].self, from: body))?["password"] ?? ""
            guard constantTimeEquals(given, password) else { throw APIError(status: .unauthorized, message: "wrong password") }
            var response = try json(["ok": true])
            response.setCookie(.init(name: "sightline_token", value: password, path: "/", secure: false, httpOnly: true, sameSite: .strict))
            return response
        }
        router.get("/api/events") { _, _ in
            guard let recorder = services.recorder else { throw APIError(status: .serviceUnavailable, message: "no recorder in this process") }
            let summaries = recorder.subscribe()
            let body = ResponseBody { writer in
                try await writer.write(ByteBuffer(string: ": connected\n\n"))
                for await summary in summaries {
                    let data = try Self.encoder.encode(summary)
                    try await writer.write(ByteBuffer(string: "event: flow\ndata: " + String(decoding: data, as: UTF8.self) + "\n\n"))
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
        }
    }

    private func json(_ value: some Encodable) throws -> Response {
        let data = try Self.encoder.encode(value)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

struct StatsBody: Encodable {
    var recorder: RecorderStats
    var flows: Int
}
