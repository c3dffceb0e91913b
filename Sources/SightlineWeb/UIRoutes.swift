import Foundation
import HTTPTypes
import Hummingbird
import SightlineCore
import SightlineStore

/// The browser UI (`/`, `/ui/…`), the OpenAPI document, the CA downloads, login and the control calls.
struct UIRoutes: Sendable {
    let services: WebServices
    let assets: UIAssets
    /// The value of the login cookie (see `AuthMiddleware`).
    let sessionToken: String

    /// Nothing from a flow is trusted, so the page allows only its own scripts and styles, and images
    /// (a conversation may hold them) from anywhere; no inline script can run even if markup slipped through.
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob: https: http:",
        "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    func register(on router: Router<BasicRequestContext>) {
        let pageHeaders: HTTPFields = [.contentSecurityPolicy: Self.contentSecurityPolicy,
                                       HTTPField.Name("X-Frame-Options")!: "DENY"]
        router.get("/") { request, _ in
            guard let response = assets.response(for: "index.html", request: request, extraHeaders: pageHeaders) else {
                throw APIError.notFound("the UI files are missing from this build")
            }
            return response
        }
        router.get("/ui/**") { request, context in
            let path = context.parameters.getCatchAll().joined(separator: "/")
            guard let response = assets.response(for: path, request: request,
                                                 extraHeaders: path.hasSuffix(".html") ? pageHeaders : [:]) else {
                throw APIError.notFound("no such file")
            }
            return response
        }
        router.get("/favicon.ico") { request, _ in
            guard let response = assets.response(for: "favicon.svg", request: request) else { throw APIError.notFound("no icon") }
            return response
        }
        router.get("/api/openapi.json") { request, _ in
            guard let response = assets.response(for: "openapi.json", request: request) else { throw APIError.notFound("no OpenAPI document") }
            return response
        }
        router.get("/api/ca.pem") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/x-pem-file",
                                            .contentDisposition: "attachment; filename=\"sightline-ca-cert.pem\""],
                     body: .init(byteBuffer: ByteBuffer(string: services.caCertificatePEM)))
        }
        router.get("/api/ca.cer") { _, _ in
            guard let der = Self.der(fromPEM: services.caCertificatePEM) else { throw APIError(status: .internalServerError, message: "the CA certificate is not PEM") }
            return Response(status: .ok, headers: [.contentType: "application/pkix-cert",
                                                   .contentDisposition: "attachment; filename=\"sightline-ca-cert.cer\""],
                            body: .init(byteBuffer: ByteBuffer(bytes: der)))
        }
        router.delete("/api/cache") { _, _ in
            guard let clearCache = services.clearCache else { throw APIError.unavailable("no proxy runs in this process") }
            clearCache()
            return Response(status: .noContent)
        }
        router.post("/api/reload") { _, _ in
            guard let reload = services.reload else { throw APIError.unavailable("no proxy runs in this process") }
            do {
                try reload()
            } catch {
                throw APIError(status: .internalServerError, message: "reload failed: \(error)")
            }
            return try JSONResponse.make(["reloaded": true])
        }
        router.get("/api/stats") { request, _ in
            let stats = services.recorder?.stats ?? RecorderStats()
            // A store that is away (its writes failing) is not asked to count: the answer says why instead of waiting.
            // `?count=false` skips the count too: the UI polls the recorder's health every few seconds, and on
            // PostgreSQL a count reads every partition.
            let counted = request.uri.queryParameters["count"] != "false"
            let flows = stats.storeError == nil && counted ? try await services.store.flowCount() : nil
            return try JSONResponse.make(StatsBody(recorder: stats, flows: flows, telemetry: services.telemetryStats?()))
        }
        router.get("/api/info") { _, _ in
            // Reached only when authorized (or when no password is set).
            try JSONResponse.make(InfoBody(version: WebApplication.version, proxyURL: services.proxyURL, caBundlePath: services.caBundlePath,
                                           passwordRequired: services.password != nil, replay: services.replayTarget != nil))
        }
        router.post("/api/login") { request, _ in
            guard let password = services.password else { return try JSONResponse.make(["ok": true]) }
            let body = try await request.body.collect(upTo: 4096)
            let given = (try? JSONDecoder().decode([String: String].self, from: body))?["password"] ?? ""
            guard constantTimeEquals(given, password) else { throw APIError(status: .unauthorized, message: "wrong password") }
            var response = try JSONResponse.make(["ok": true])
            response.setCookie(.init(name: "sightline_token", value: sessionToken, path: "/", secure: false, httpOnly: true, sameSite: .strict))
            return response
        }
        router.post("/api/logout") { _, _ in
            var response = try JSONResponse.make(["ok": true])
            response.setCookie(.init(name: "sightline_token", value: "", maxAge: 0, path: "/", secure: false, httpOnly: true, sameSite: .strict))
            return response
        }
    }

    static func der(fromPEM pem: String) -> [UInt8]? {
        let base64 = pem.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        return Data(base64Encoded: base64).map { [UInt8]($0) }
    }
}

struct InfoBody: Encodable {
    var version: String
    var proxyURL: String?
    var caBundlePath: String?
    var passwordRequired: Bool
    var replay: Bool

    enum CodingKeys: String, CodingKey {
        case version, proxyURL = "proxy_url", caBundlePath = "ca_bundle_path", passwordRequired = "password_required", replay
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(proxyURL, forKey: .proxyURL)
        try c.encode(caBundlePath, forKey: .caBundlePath)
        try c.encode(passwordRequired, forKey: .passwordRequired)
        try c.encode(replay, forKey: .replay)
    }
}

struct StatsBody: Encodable {
    var recorder: RecorderStats
    /// nil while the store is unreachable (`recorder.store_error`).
    var flows: Int?
    /// Present when OpenTelemetry export is on.
    var telemetry: TelemetryStats?
}
