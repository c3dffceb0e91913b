import SightlineCore

/// Everything a gateway request asked for beyond forwarding, parsed and validated once.
public struct GatewayOptions: Sendable {
    public var headers: GatewayHeaders
    public var cache: CachePolicy?
    public var retry: RetryPolicy?
    public var rateLimit: RateLimitPolicy?
    public var fallbacks: [FallbackTarget]
    public var fault: FaultInjection?

    /// Parses the request's gateway headers; a malformed one is an error to answer with 400.
    public static func parse(_ requestHeaders: [HeaderField]) throws(GatewayHeaderError) -> GatewayOptions {
        let headers = GatewayHeaders(requestHeaders)
        return GatewayOptions(
            headers: headers,
            cache: try CachePolicy.parse(headers, requestHeaders: requestHeaders),
            retry: try RetryPolicy.parse(headers),
            rateLimit: try headers["ratelimit-policy"].map { text throws(GatewayHeaderError) in try RateLimitPolicy.parse(text) },
            fallbacks: try headers["fallbacks"].map { text throws(GatewayHeaderError) in try FallbackTarget.parseList(text) } ?? [],
            fault: try headers["fault"].map { text throws(GatewayHeaderError) in try FaultInjection.parse(text) })
    }
}
