/// `RateLimit-Policy: Q;w=W[;u=request|cents][;s=user|<property>]` (GATEWAY.md "Rate limits").
public struct RateLimitPolicy: Sendable, Equatable {
    public enum Unit: String, Sendable { case request, cents }
    public enum Segment: Sendable, Equatable {
        /// One window per credential.
        case credential
        case user
        case property(String)
    }

    public var quota: Int
    public var windowSeconds: Int
    public var unit: Unit
    public var segment: Segment
    /// The policy as the client wrote it, echoed in `RateLimit-Policy`.
    public var text: String

    public static func parse(_ text: String) throws(GatewayHeaderError) -> RateLimitPolicy {
        func fail(_ reason: String) -> GatewayHeaderError { GatewayHeaderError(header: "RateLimit-Policy", reason: reason) }
        let items = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = items.first, let quota = Int(first), quota >= 0 else {
            throw fail("must start with a quota (a whole number ≥ 0), as in \"10;w=60\"; got \"\(text)\"")
        }
        var window: Int?
        var unit = Unit.request
        var segment = Segment.credential
        for item in items.dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw fail("\"\(item)\" is not name=value") }
            switch pair[0].lowercased() {
            case "w":
                guard let w = Int(pair[1]), w >= 1 else { throw fail("w must be a whole number of seconds ≥ 1, got \"\(pair[1])\"") }
                window = w
            case "u":
                guard let u = Unit(rawValue: pair[1].lowercased()) else { throw fail("u must be request or cents, got \"\(pair[1])\"") }
                unit = u
            case "s":
                guard !pair[1].isEmpty else { throw fail("s must name user or a property") }
                segment = pair[1].lowercased() == "user" ? .user : .property(pair[1])
            default:
                throw fail("unknown parameter \"\(pair[0])\" (w, u and s are known)")
            }
        }
        guard let window else { throw fail("the window is missing: add ;w=SECONDS") }
        return RateLimitPolicy(quota: quota, windowSeconds: window, unit: unit, segment: segment, text: text)
    }
}
