/// Turns the model name a provider reported into the keys the price table uses, most specific first:
/// `models/gemini-2.0-flash-001` → `gemini-2.0-flash-001`, `gemini-2.0-flash`;
/// `anthropic/claude-3.5-sonnet` → `claude-3-5-sonnet`; `gpt-4o-2024-08-06` → …, `gpt-4o`;
/// `us.amazon.nova-pro-v1:0` → `nova-pro-v1:0`, `nova-pro`; `command-r-plus-08-2024` → `command-r-plus`.
///
/// Only date and version suffixes are removed, never words, so `gpt-4o-mini` can never be priced as
/// `gpt-4o`, nor `gpt-4o-mini-tts` as `gpt-4o-mini`: a name that does not reduce to a known key is
/// unknown.
enum ModelNameResolver {
    static func candidates(for model: String) -> [String] {
        var name = model.trimmingWhitespace.lowercased()
        // Routing prefixes: `models/…` (Gemini), `openai/…` (OpenRouter), `accounts/x/models/…` (Fireworks).
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        name = strippingVendorPrefix(name)
        // OpenRouter spells Claude versions with dots (`claude-3.5-sonnet`, `claude-opus-4.1`).
        if name.hasPrefix("claude") { name = name.replacingOccurrences(of: ".", with: "-") }
        guard !name.isEmpty else { return [] }

        var candidates = [name]
        while let shorter = strippingVersionSuffix(candidates[candidates.count - 1]), !shorter.isEmpty {
            candidates.append(shorter)
        }
        return candidates
    }

    /// Bedrock-style `anthropic.claude-…`, and cross-region inference profiles `us.anthropic.claude-…`
    /// (`eu.`, `apac.`, `jp.`, `us-gov.`, `global.`, …: any one word before the vendor).
    private static func strippingVendorPrefix(_ name: String) -> String {
        let vendors = ["anthropic.", "meta.", "mistral.", "amazon.", "cohere.", "ai21.", "deepseek."]
        var rest = Substring(name)
        if let dot = rest.firstIndex(of: "."), rest.distance(from: rest.startIndex, to: dot) <= 8,
           case let afterRegion = rest[rest.index(after: dot)...], vendors.contains(where: { afterRegion.hasPrefix($0) }) {
            rest = afterRegion
        }
        for vendor in vendors where rest.hasPrefix(vendor) {
            return String(rest.dropFirst(vendor.count))
        }
        return String(rest)
    }

    /// One trailing date or version marker removed, or nil when there is none.
    static func strippingVersionSuffix(_ name: String) -> String? {
        if let at = name.lastIndex(of: "@") { return String(name[..<at]) } // Vertex `claude-…@20241022`
        for word in ["-latest", "-preview", "-exp"] where name.hasSuffix(word) {
            return String(name.dropLast(word.count))
        }
        let tokens = name.split(separator: "-", omittingEmptySubsequences: false)
        guard tokens.count > 1, let last = tokens.last else { return nil }
        func isDigits(_ s: Substring, count: ClosedRange<Int>) -> Bool {
            count.contains(s.count) && s.allSatisfy(\.isASCII) && s.allSatisfy(\.isNumber)
        }
        // Bedrock `-v2:0`, `-v1`.
        if last.hasPrefix("v"), last.dropFirst().split(separator: ":").allSatisfy({ isDigits($0, count: 1...3) }),
           last.count > 1 {
            return tokens.dropLast().joined(separator: "-")
        }
        // `-2024-08-06` and `-preview-05-20`: two-digit month and day after a year or a word.
        if tokens.count > 2, isDigits(last, count: 2...2), isDigits(tokens[tokens.count - 2], count: 2...2) {
            let keep = tokens.count > 3 && isDigits(tokens[tokens.count - 3], count: 4...4) ? 3 : 2
            return tokens.dropLast(keep).joined(separator: "-")
        }
        // Cohere's `-08-2024`: a two-digit month before a year.
        if tokens.count > 2, isDigits(last, count: 4...4), last.hasPrefix("20"), isDigits(tokens[tokens.count - 2], count: 2...2) {
            return tokens.dropLast(2).joined(separator: "-")
        }
        // `-001`, `-0613`, `-2411`, `-20241022`: never a single or two-digit version like `-4`.
        if isDigits(last, count: 3...8) {
            return tokens.dropLast().joined(separator: "-")
        }
        return nil
    }
}
