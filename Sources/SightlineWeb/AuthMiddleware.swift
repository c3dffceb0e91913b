import Foundation
import HTTPTypes
import Hummingbird

/// Beyond loopback the UI and API need the password: as `Authorization: Bearer …`, as the password of
/// Basic credentials, or as the `sightline_token` cookie set by `POST /api/login`. The cookie holds a
/// random session token made at start (never the password, which may hold characters a cookie cannot).
/// The UI's own files are public (they hold no flow data): the page shows its login form when the
/// API answers 401.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let password: String
    let sessionToken: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.isPublic(request.uri.path) || isAuthorized(request) {
            return try await next(request, context)
        }
        var response = try APIError(status: .unauthorized, message: "authentication required").response(from: request, context: context)
        // A challenge makes browsers pop up their own password dialog; the UI shows a form instead.
        if request.headers[UIRequest.headerName] == nil {
            response.headers[.wwwAuthenticate] = "Basic realm=\"sightline\""
        }
        return response
    }

    static func isPublic(_ path: String) -> Bool {
        path == "/" || path == "/api/login" || path == "/api/logout" || path == "/favicon.ico" || path.hasPrefix("/ui/")
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
        if let cookie = request.cookies["sightline_token"] { return constantTimeEquals(cookie.value, sessionToken) }
        return false
    }
}

/// The header the UI sends on every API call (`X-Sightline-UI: 1`). It doubles as the CSRF token of
/// `RequestGuardMiddleware`: a cross-site form cannot set it, and a cross-site `fetch` that sets it
/// needs a CORS preflight this server never grants.
enum UIRequest {
    static let headerName = HTTPField.Name("X-Sightline-UI")!
}

/// 32 random bytes as hex: a login session's cookie value.
func makeSessionToken() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
}

func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
}
