import HTTPTypes
import Hummingbird

/// Keeps other web sites away from the API, which holds every prompt Sightline recorded:
/// - state-changing calls (`POST`, `PUT`, `PATCH`, `DELETE`) from another origin are refused
///   (`Origin` not this server, or `Sec-Fetch-Site` other than `same-origin`/`none`); tools that send
///   neither header (curl, scripts) are not browsers and pass;
/// - on a loopback address, a request must name a loopback host (`Host: localhost:9021`), which stops
///   DNS rebinding: a page whose host name suddenly resolves to 127.0.0.1 still sends its own name.
/// Every response gets `nosniff` and no-referrer headers.
struct RequestGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    /// True when the UI listens on loopback only.
    let loopbackOnly: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if loopbackOnly, let authority = request.head.authority, !Self.isLoopbackHost(Self.hostPart(of: authority)) {
            throw APIError.forbidden("this UI listens on loopback only; open it as http://127.0.0.1 or http://localhost")
        }
        if Self.unsafeMethods.contains(request.method) {
            if let site = request.headers[Self.secFetchSite]?.lowercased(), site != "same-origin", site != "none" {
                throw APIError.forbidden("cross-site request refused")
            }
            if let origin = request.headers[.origin] {
                guard let authority = request.head.authority, Self.authority(ofOrigin: origin) == authority.lowercased() else {
                    throw APIError.forbidden("request from another origin refused")
                }
            }
        }
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[Self.referrerPolicy] = "no-referrer"
        return response
    }

    static var unsafeMethods: Set<HTTPRequest.Method> { [.post, .put, .patch, .delete] }
    static var secFetchSite: HTTPField.Name { HTTPField.Name("Sec-Fetch-Site")! }
    static var referrerPolicy: HTTPField.Name { HTTPField.Name("Referrer-Policy")! }

    /// `http://host:port` → `host:port` (lowercased); nil for `null` or anything unparsable.
    static func authority(ofOrigin origin: String) -> String? {
        guard let scheme = origin.range(of: "://") else { return nil }
        let rest = origin[scheme.upperBound...]
        guard !rest.isEmpty, !rest.contains("/") else { return nil }
        return rest.lowercased()
    }

    /// `host:port` → `host`, `[::1]:80` → `::1`.
    static func hostPart(of authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        if let colon = authority.lastIndex(of: ":") { return String(authority[..<colon]) }
        return authority
    }

    static func isLoopbackHost(_ host: String) -> Bool {
        let host = host.lowercased()
        return host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host.hasPrefix("127.")
    }
}
