import Foundation
import Hummingbird

/// Beyond loopback the UI and API need the password: as `Authorization: Bearer …`, as the password of
/// Basic credentials, or as the `sightline_token` cookie set by `POST /api/login`.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let password: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/api/login" || isAuthorized(request) {
            return try await next(request, context)
        }
        var response = try APIError(status: .unauthorized, message: "authentication required").response(from: request, context: context)
        response.headers[.wwwAuthenticate] = "Basic realm=\"sightline\""
        return response
    }

    private func isAuthorized(_ request: Request) -> Bool {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1).map(String.init)
            if parts.count == 2 {
                switch parts[0].lowercased() {
                case "bearer": return constantTimeEquals(parts[1], password)
                case "basic":
                    if let decoded = Data(base64Encoded: parts[1]).map({ String(decoding: $0, as: UTF8.self) }),
                       let colon = decoded.firstIndex(of: ":") {
                        return constantTimeEquals(String(decoded[decoded.index(after: colon)...]), password)
                    }
                default: break
                }
            }
        }
        if let cookie = request.cookies["sightline_token"] { return constantTimeEquals(cookie.value, password) }
        return false
    }
}

func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
}
