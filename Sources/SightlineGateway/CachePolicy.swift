import SightlineCore

/// `Cache-Enabled: true` with its companions (GATEWAY.md "Cache").
public struct CachePolicy: Sendable, Equatable {
    public static let defaultMaxAgeSeconds = 604_800
    public static let longestMaxAgeSeconds = 31_536_000

    public var maxAgeSeconds: Int
    public var bucketSize: Int
    public var seed: String?
    public var ignoredKeys: Set<String>

    /// nil when caching was not asked for.
    public static func parse(_ headers: GatewayHeaders, requestHeaders: [HeaderField]) throws(GatewayHeaderError) -> CachePolicy? {
        guard headers.flag("cache-enabled") else { return nil }
        var policy = CachePolicy(maxAgeSeconds: defaultMaxAgeSeconds, bucketSize: 1, seed: headers["cache-seed"], ignoredKeys: [])
        if let control = requestHeaders.first(named: "cache-control") {
            let directives = control.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let value = { (name: String) -> Int? in
                directives.first { $0.hasPrefix(name + "=") }.flatMap { Int($0.dropFirst(name.count + 1)) }
            }
            if let age = value("s-maxage") ?? value("max-age") {
                guard age >= 0 else { throw GatewayHeaderError(header: "Cache-Control", reason: "max-age must be ≥ 0") }
                policy.maxAgeSeconds = min(age, longestMaxAgeSeconds)
            }
        }
        if let bucket = headers["cache-bucket-max-size"] {
            guard let n = Int(bucket), (1...20).contains(n) else {
                throw GatewayHeaderError(header: "Cache-Bucket-Max-Size", reason: "must be a whole number from 1 to 20, got \"\(bucket)\"")
            }
            policy.bucketSize = n
        }
        if let keys = headers["cache-ignore-keys"] {
            policy.ignoredKeys = Set(keys.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        return policy
    }
}
