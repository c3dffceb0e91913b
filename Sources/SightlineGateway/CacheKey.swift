import Crypto
import Foundation
import SightlineCore


/// The cache key of a request (GATEWAY.md): SHA-256 over the method, the target URL without credential
/// query parameters, the body as canonical JSON (minus ignored top-level keys), the seed, and a hash
/// of the credential, so callers with different keys never share entries.
public struct CacheKey: Sendable, Hashable, CustomStringConvertible {
    public let hex: String
    /// What went into the key, for the UI ("why did these two miss?"). The credential appears only hashed.
    public let parts: [String: String]

    public var description: String { hex }

    public static let credentialHeaders = ["authorization", "x-api-key", "api-key", "x-goog-api-key"]

    public init(method: String, url: String, headers: [HeaderField], body: [UInt8], policy: CachePolicy) {
        let target = Self.stripCredentialQuery(url)
        var bodyText: String
        if var json = JSONValue.parse(body) {
            if case .object(var object) = json {
                for key in policy.ignoredKeys { object.removeValue(forKey: key) }
                json = .object(object)
            }
            bodyText = json.canonicalText
        } else {
            bodyText = "sha256:" + Self.hex(SHA256.hash(data: body))
        }
        var credential = Self.credentialHeaders.compactMap { headers.first(named: $0) }.joined(separator: "\n")
        if let key = Self.queryValue(url, named: "key") { credential += "\nkey=" + key }
        let credentialHash = credential.isEmpty ? "none" : Self.hex(SHA256.hash(data: Data(credential.utf8)))
        let parts = ["method": method.uppercased(), "url": target, "body": bodyText, "seed": policy.seed ?? "",
                     "credential": credentialHash]
        var hasher = SHA256()
        for name in ["method", "url", "body", "seed", "credential"] {
            hasher.update(data: Data("\(name)=\(parts[name]!.utf8.count):".utf8))
            hasher.update(data: Data(parts[name]!.utf8))
        }
        self.hex = Self.hex(hasher.finalize())
        self.parts = parts
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    static func stripCredentialQuery(_ url: String) -> String {
        guard let q = url.firstIndex(of: "?") else { return url }
        let kept = url[url.index(after: q)...].split(separator: "&").filter { item in
            let name = item.split(separator: "=", maxSplits: 1).first.map { $0.lowercased() } ?? ""
            return !Redactor.secretQueryNames.contains(name)
        }
        return kept.isEmpty ? String(url[..<q]) : String(url[...q]) + kept.joined(separator: "&")
    }

    static func queryValue(_ url: String, named name: String) -> String? {
        guard let q = url.firstIndex(of: "?") else { return nil }
        for item in url[url.index(after: q)...].split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == name { return String(pair[1]) }
        }
        return nil
    }
}
