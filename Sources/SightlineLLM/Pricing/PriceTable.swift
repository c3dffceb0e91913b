import SightlineCore
import Foundation

/// Per-million-token prices by model (a dated, bundled JSON resource plus an optional user file).
public struct PriceTable: Sendable {
    /// The date the bundled prices were checked (`YYYY-MM-DD`).
    public var updated: String?
    /// The pricing pages the prices come from.
    public var sources: [String]
    /// Keyed by lowercased model family (`gpt-4o`), or `provider/family` for a provider's own price.
    public var models: [String: ModelPrice]

    public init() {
        self.init(updated: nil, sources: [], models: [:])
    }

    public init(updated: String?, sources: [String], models: [String: ModelPrice]) {
        self.updated = updated
        self.sources = sources
        self.models = Dictionary(models.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// The table bundled with Sightline, merged with `userFile` when it exists.
    public static func load(userFile: URL?) -> PriceTable {
        var table = bundled()
        if let userFile, let data = try? Data(contentsOf: userFile), let user = parse(Array(data)) {
            table.merge(user)
        }
        return table
    }

    /// A table from the price file's JSON shape; nil when the bytes are not such a file. Entries
    /// without an input price are skipped rather than failing the whole file.
    public static func parse(_ bytes: [UInt8]) -> PriceTable? {
        guard let json = JSONValue.parse(bytes), let entries = json["models"]?.object else { return nil }
        var models: [String: ModelPrice] = [:]
        for (name, entry) in entries {
            if let price = ModelPrice(json: entry) { models[name] = price }
        }
        return PriceTable(updated: json["updated"]?.string, sources: json["sources"].arrayOrEmpty.compactMap(\.string),
                          models: models)
    }

    /// Adds `other`'s entries, replacing same-named ones; its date and sources win when it has them.
    public mutating func merge(_ other: PriceTable) {
        models.merge(other.models) { _, override in override }
        if other.updated != nil { updated = other.updated }
        for source in other.sources where !sources.contains(source) { sources.append(source) }
    }

    private static func bundled() -> PriceTable {
        let url = Bundle.module.url(forResource: "prices", withExtension: "json", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: "prices", withExtension: "json")
        guard let url, let data = try? Data(contentsOf: url), let table = parse(Array(data)) else { return PriceTable() }
        return table
    }

    /// The price of a model, by exact name, then by family with date and version suffixes removed; a
    /// provider's own entry (`groq/…`) before the general one.
    public func price(provider: String?, model: String) -> ModelPrice? {
        for candidate in ModelNameResolver.candidates(for: model) {
            if let provider, let price = models["\(provider.lowercased())/\(candidate)"] { return price }
            if let price = models[candidate] { return price }
        }
        return nil
    }

    public func cost(provider: String?, model: String, usage: LLMUsage) -> Decimal? {
        cost(provider: provider, model: model, usage: usage,
             convention: BillingConvention.forProvider(provider, model: model))
    }

    /// nil when the model is unknown or the usage has no token counts: an unknown cost, never 0.
    func cost(provider: String?, model: String, usage: LLMUsage, convention: BillingConvention) -> Decimal? {
        guard let price = price(provider: provider, model: model) else { return nil }
        return Self.cost(of: usage, at: price, convention: convention)
    }

    /// What `usage` costs at `price` (nil when the usage has no token counts).
    static func cost(of usage: LLMUsage, at price: ModelPrice, convention: BillingConvention) -> Decimal? {
        guard usage.inputTokens != nil || usage.outputTokens != nil else { return nil }
        let cached = max(usage.cachedInputTokens ?? 0, 0)
        let cacheWrite = max(usage.cacheWriteTokens ?? 0, 0)
        var input = max(usage.inputTokens ?? 0, 0)
        if convention.inputIncludesCached { input = max(input - cached, 0) }
        var output = max(usage.outputTokens ?? 0, 0)
        if !convention.outputIncludesReasoning { output += max(usage.reasoningTokens ?? 0, 0) }

        let perMillion = Decimal(input) * price.input
            + Decimal(cached) * (price.cachedInput ?? price.input)
            + Decimal(cacheWrite) * (price.cacheWrite ?? price.input)
            + Decimal(output) * price.output
        // A shift of the exponent, not a division: the same value and text (checked), without the long
        // division that showed in the recorder's profile.
        return Decimal(sign: perMillion.sign, exponent: perMillion.exponent - 6, significand: perMillion.significand)
    }
}
