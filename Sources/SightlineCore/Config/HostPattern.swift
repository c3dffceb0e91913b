/// A host name pattern where `*` matches any run of characters (`*.openai.azure.com`,
/// `bedrock-runtime.*.amazonaws.com`). Matching ignores case and a trailing dot.
public struct HostPattern: Sendable, Hashable, CustomStringConvertible {
    public let pattern: String
    private let pieces: [Substring]

    public init(_ pattern: String) {
        self.pattern = pattern.lowercased()
        self.pieces = self.pattern.split(separator: "*", omittingEmptySubsequences: false)
    }

    public var description: String { pattern }

    public func matches(_ host: String) -> Bool {
        var host = host.lowercased()
        if host.hasSuffix(".") { host.removeLast() }
        if pieces.count == 1 { return host == pattern }
        var rest = Substring(host)
        guard let first = pieces.first, rest.hasPrefix(first) else { return false }
        rest = rest.dropFirst(first.count)
        let last = pieces[pieces.count - 1]
        for piece in pieces.dropFirst().dropLast() where !piece.isEmpty {
            guard let range = rest.range(of: piece) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.count >= last.count && rest.hasSuffix(last)
    }
}

/// Known LLM API hosts (SPEC §1): intercepted by default.
public enum KnownLLMHosts {
    public static let patterns: [HostPattern] = [
        "api.openai.com", "*.openai.azure.com", "api.anthropic.com", "generativelanguage.googleapis.com",
        "*-aiplatform.googleapis.com", "api.mistral.ai", "api.groq.com", "api.together.xyz", "openrouter.ai",
        "api.deepseek.com", "api.x.ai", "api.cohere.com", "api.fireworks.ai", "bedrock-runtime.*.amazonaws.com",
        "*.helicone.ai",
    ].map(HostPattern.init)
}

/// Decides which CONNECT targets are opened (TLS terminated) and which are tunnelled untouched.
public struct InterceptPolicy: Sendable {
    public var intercept: [HostPattern]
    public var passthrough: [HostPattern]
    public var interceptAll: Bool

    public init(intercept: [HostPattern] = KnownLLMHosts.patterns, passthrough: [HostPattern] = [], interceptAll: Bool = false) {
        self.intercept = intercept
        self.passthrough = passthrough
        self.interceptAll = interceptAll
    }

    /// `--passthrough` wins over everything, then `--intercept-all`, then the intercept list.
    public func shouldIntercept(host: String) -> Bool {
        if passthrough.contains(where: { $0.matches(host) }) { return false }
        if interceptAll { return true }
        return intercept.contains { $0.matches(host) }
    }
}
