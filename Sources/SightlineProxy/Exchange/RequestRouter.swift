import NIOHTTP1
import SightlineCore

/// Where a request on a client connection goes, decided from its request line and headers.
struct RoutedRequest {
    /// The URL the client asked for, as recorded.
    var url: String
    var mode: FlowMode
    /// The origin named by the request, before `--map-remote`.
    var origin: Origin
    /// The request target to send upstream (origin-form).
    var upstreamTarget: String
    /// A base path that the gateway's target URL puts before the request's own path.
    var headers: HTTPHeaders
}

/// Resolves the target of a request: the intercepted host of a CONNECT tunnel, an absolute-form URL,
/// or (origin-form) the gateway's target from `Sightline-Target-Url`, a path prefix, or the default.
enum RequestRouter {
    /// Gateway path prefixes and the API origins they stand for (GATEWAY.md "Target").
    static let gatewayPrefixes: [(String, String)] = [
        ("/openai", "https://api.openai.com"), ("/anthropic", "https://api.anthropic.com"),
        ("/gemini", "https://generativelanguage.googleapis.com"), ("/groq", "https://api.groq.com"),
        ("/mistral", "https://api.mistral.ai"), ("/openrouter", "https://openrouter.ai"),
        ("/deepseek", "https://api.deepseek.com"), ("/xai", "https://api.x.ai"),
        ("/together", "https://api.together.xyz"), ("/fireworks", "https://api.fireworks.ai"),
    ]
    static let targetHeaderNames = ["sightline-target-url", "helicone-target-url"]

    static func route(_ head: HTTPRequestHead, interceptedOrigin: Origin?, gatewayTarget: Origin) throws(ProxyError) -> RoutedRequest {
        let uri = head.uri
        if let origin = interceptedOrigin {
            // Inside a TLS tunnel the target is the CONNECT host; a client may still send absolute-form.
            let path = originForm(of: uri) ?? uri
            return RoutedRequest(url: origin.description + path, mode: .proxy, origin: origin, upstreamTarget: path, headers: head.headers)
        }
        let lower = uri.prefix(8).lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let origin = Origin(parsing: uri) else { throw .badRequest("cannot parse the request URL \(uri)") }
            let path = originForm(of: uri) ?? "/"
            return RoutedRequest(url: origin.description + path, mode: .proxy, origin: origin, upstreamTarget: path, headers: head.headers)
        }
        guard uri.hasPrefix("/") else {
            throw .badRequest("unsupported request target \"\(uri)\": send absolute-form URLs (a proxy request), CONNECT, or a path (the gateway)")
        }
        return try routeGateway(head, gatewayTarget: gatewayTarget)
    }

    private static func routeGateway(_ head: HTTPRequestHead, gatewayTarget: Origin) throws(ProxyError) -> RoutedRequest {
        var headers = head.headers
        var path = head.uri
        var origin = gatewayTarget
        var basePath = ""
        if let target = targetHeaderNames.lazy.compactMap({ headers.first(name: $0) }).first {
            guard let parsed = Origin(parsing: target) else {
                throw .badRequest("Sightline-Target-Url \"\(target)\" is not an http(s) URL")
            }
            origin = parsed
            basePath = pathOfURL(target)
        } else if let (prefix, target) = gatewayPrefixes.first(where: { path == $0.0 || path.hasPrefix($0.0 + "/") || path.hasPrefix($0.0 + "?") }) {
            origin = Origin(parsing: target)!
            path = String(path.dropFirst(prefix.count))
            if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        }
        for name in targetHeaderNames { headers.remove(name: name) }
        let upstreamTarget = basePath + path
        headers.replaceOrAdd(name: "Host", value: origin.authority)
        return RoutedRequest(url: origin.description + upstreamTarget, mode: .gateway, origin: origin, upstreamTarget: upstreamTarget, headers: headers)
    }

    /// `https://host:port/p?q` → `/p?q` (nil when not absolute-form).
    static func originForm(of uri: String) -> String? {
        guard let scheme = uri.firstRange(ofASCII: "://") else { return nil }
        let rest = uri[scheme.upperBound...]
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let path = String(rest[slash...])
        return path.hasPrefix("?") ? "/" + path : path
    }

    /// The path of a target URL without a trailing slash (`https://h/base/` → `/base`).
    private static func pathOfURL(_ url: String) -> String {
        guard var path = originForm(of: url) else { return "" }
        if let q = path.firstIndex(of: "?") { path = String(path[..<q]) }
        while path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
