/// Hides secrets in what is stored: credential headers and `key=` query values (SPEC §4).
/// The last four characters stay, so a user can tell two keys apart.
public struct Redactor: Sendable {
    public static let secretHeaderNames: Set<String> = [
        "authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "helicone-auth",
        "openai-api-key", "anthropic-api-key", "cookie", "set-cookie",
        // AWS: a temporary credential's session token is as good as the secret key while it lives.
        "x-amz-security-token",
    ]
    /// Compared lowercased. The `x-amz-…` ones are a presigned AWS URL's credentials.
    public static let secretQueryNames: Set<String> = [
        "key", "api_key", "api-key", "apikey", "access_token",
        "x-amz-security-token", "x-amz-signature", "x-amz-credential",
    ]

    public init() {}

    public func isSecretHeader(_ name: String) -> Bool {
        Self.secretHeaderNames.contains(name.lowercased())
    }

    public func redactHeaders(_ headers: [HeaderField]) -> [HeaderField] {
        headers.map { field in
            isSecretHeader(field.name) ? HeaderField(field.name, redactValue(field.value)) : field
        }
    }

    /// `Bearer sk-proj-abc…wxyz` → `Bearer ****wxyz`; a short secret loses all its characters.
    public func redactValue(_ value: String) -> String {
        var scheme = ""
        var secret = Substring(value)
        if let space = value.firstIndex(of: " ") {
            let candidate = value[..<space]
            // `AWS4-HMAC-SHA256 Credential=AKIA…/…, SignedHeaders=…, Signature=…`: the key id goes too.
            if ["bearer", "basic", "token", "digest", "aws4-hmac-sha256"].contains(candidate.lowercased()) {
                scheme = String(candidate) + " "
                secret = value[value.index(after: space)...].drop { $0 == " " }
            }
        }
        guard !secret.isEmpty else { return value }
        let keep = secret.count >= 12 ? String(secret.suffix(4)) : ""
        return scheme + "****" + keep
    }

    /// Redacts the values of credential query parameters, leaving the rest of the URL byte for byte.
    public func redactURL(_ url: String) -> String {
        guard let q = url.firstIndex(of: "?") else { return url }
        let head = url[...q]
        var query = Substring(url[url.index(after: q)...])
        var fragment = ""
        if let hash = query.firstIndex(of: "#") {
            fragment = String(query[hash...])
            query = query[..<hash]
        }
        let parts = query.split(separator: "&", omittingEmptySubsequences: false).map { part -> String in
            guard let eq = part.firstIndex(of: "=") else { return String(part) }
            let name = part[..<eq]
            guard Self.secretQueryNames.contains(name.lowercased()) else { return String(part) }
            return name + "=" + redactValue(String(part[part.index(after: eq)...]))
        }
        return head + parts.joined(separator: "&") + fragment
    }
}
