import SightlineCore

/// One entry of `Fallbacks: [{"target-url": …, "headers": {…}, "onCodes": [429, 500], "bodyKeyOverride": {…}}]`.
public struct FallbackTarget: Sendable, Equatable {
    public var targetURL: String
    public var headers: [String: String]
    /// Statuses of the previous attempt that move on to this entry (default: 429 and 5xx).
    public var onCodes: Set<Int>?
    public var bodyKeyOverride: [String: JSONValue]

    public static func parseList(_ text: String) throws(GatewayHeaderError) -> [FallbackTarget] {
        func fail(_ reason: String) -> GatewayHeaderError { GatewayHeaderError(header: "Fallbacks", reason: reason) }
        guard case .array(let items)? = JSONValue.parse(Array(text.utf8)) else { throw fail("must be a JSON array of objects") }
        return try items.enumerated().map { (index, item) throws(GatewayHeaderError) -> FallbackTarget in
            guard case .object(let object) = item else { throw fail("entry \(index) is not an object") }
            guard case .string(let url)? = object["target-url"], url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw fail("entry \(index) needs \"target-url\": an http(s) URL")
            }
            var headers: [String: String] = [:]
            if case .object(let h)? = object["headers"] {
                for (name, value) in h { if case .string(let s) = value { headers[name] = s } }
            }
            var codes: Set<Int>?
            if case .array(let list)? = object["onCodes"] {
                codes = Set(list.compactMap { if case .number(let n) = $0 { return Int(n) } else { return nil } })
            }
            var override: [String: JSONValue] = [:]
            if case .object(let o)? = object["bodyKeyOverride"] { override = o }
            return FallbackTarget(targetURL: url, headers: headers, onCodes: codes, bodyKeyOverride: override)
        }
    }

    /// Whether a previous attempt that answered `status` (nil: failed to connect) moves on to this entry.
    public func applies(afterStatus status: Int?) -> Bool {
        guard let status else { return true }
        if let onCodes { return onCodes.contains(status) }
        return status == 429 || (500...599).contains(status)
    }
}
