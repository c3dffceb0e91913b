import SightlineCore
import Foundation

/// One model's list prices in USD per million tokens. Cached input and cache writes fall back to the
/// input price when the table does not give them (no discount is assumed).
public struct ModelPrice: Sendable, Hashable {
    public var provider: String?
    public var input: Decimal
    public var cachedInput: Decimal?
    public var cacheWrite: Decimal?
    public var output: Decimal

    public init(provider: String? = nil, input: Decimal, cachedInput: Decimal? = nil, cacheWrite: Decimal? = nil,
                output: Decimal) {
        self.provider = provider
        self.input = input
        self.cachedInput = cachedInput
        self.cacheWrite = cacheWrite
        self.output = output
    }

    /// An entry of the price file; nil when it has no usable input price.
    init?(json: JSONValue) {
        guard let input = Self.decimal(json["input"]) else { return nil }
        self.init(provider: json["provider"]?.string, input: input, cachedInput: Self.decimal(json["cached_input"]),
                  cacheWrite: Self.decimal(json["cache_write"]), output: Self.decimal(json["output"]) ?? 0)
    }

    /// Through the shortest decimal text of the Double, so `0.075` is exactly 0.075 and not the binary
    /// approximation `Decimal(Double)` would give.
    private static func decimal(_ json: JSONValue?) -> Decimal? {
        guard let value = json?.double, value >= 0 else { return nil }
        return Decimal(string: String(value), locale: Locale(identifier: "en_US_POSIX"))
    }
}
