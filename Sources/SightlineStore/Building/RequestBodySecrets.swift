import Foundation
import SightlineCore

/// Hides an API key sent in a JSON request body (`{"api_key": "…"}` or `{"key": "…"}` at the top
/// level), which some SDKs and gateways do instead of using a header.
enum RequestBodySecrets {
    static let keyNames = ["api_key", "key"]
    /// The names as they appear quoted in JSON text; a body with neither is not parsed at all.
    static let quotedKeyNames = keyNames.map { Array("\"\($0)\"".utf8) }

    /// The body with such values redacted, byte for byte otherwise; the body unchanged when it is not
    /// a JSON object or holds no such key.
    static func redact(_ body: [UInt8], with redactor: Redactor) -> [UInt8] {
        // Almost no body holds such a key; finding that out by parsing each one cost more than the rest
        // of recording an ordinary flow. (A key spelled with \u escapes is not looked for.)
        guard body.first(where: { !isJSONSpace($0) }) == UInt8(ascii: "{"),
              quotedKeyNames.contains(where: { body.contains(subsequence: $0) }),
              let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return body
        }
        let secrets = keyNames.compactMap { object[$0] as? String }.filter { !$0.isEmpty }
        guard !secrets.isEmpty else { return body }
        var result = body
        var edited = object
        for secret in secrets {
            let redacted = redactor.redactValue(secret)
            if let from = jsonString(secret), let to = jsonString(redacted), result.replaceAll(from, with: to) {
                continue
            }
            // The secret is spelled with escapes we did not guess: rewrite the object instead (its
            // formatting changes, but the secret does not survive).
            for name in keyNames where (edited[name] as? String) == secret { edited[name] = redacted }
            guard let data = try? JSONSerialization.data(withJSONObject: edited) else { return body }
            result = [UInt8](data)
        }
        return result
    }

    private static func isJSONSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func jsonString(_ string: String) -> [UInt8]? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(string)).map { [UInt8]($0) }
    }
}

extension Array where Element == UInt8 {
    /// Whether `pattern` occurs anywhere in the bytes (this runs over every request body).
    func contains(subsequence pattern: [UInt8]) -> Bool {
        guard let first = pattern.first else { return true }
        guard count >= pattern.count else { return false }
        return withUnsafeBufferPointer { haystack in
            pattern.withUnsafeBufferPointer { needle in
                var index = 0
                let last = haystack.count - needle.count
                while index <= last {
                    if haystack[index] == first, memcmp(haystack.baseAddress! + index, needle.baseAddress!, needle.count) == 0 {
                        return true
                    }
                    index += 1
                }
                return false
            }
        }
    }

    /// Replaces every occurrence of `pattern`; true when there was at least one.
    mutating func replaceAll(_ pattern: [UInt8], with replacement: [UInt8]) -> Bool {
        guard !pattern.isEmpty, count >= pattern.count else { return false }
        var output: [UInt8] = []
        output.reserveCapacity(count)
        var index = 0
        var found = false
        let first = pattern[0]
        while index < count {
            if self[index] == first, index + pattern.count <= count, self[index..<index + pattern.count].elementsEqual(pattern) {
                output.append(contentsOf: replacement)
                index += pattern.count
                found = true
            } else {
                output.append(self[index])
                index += 1
            }
        }
        if found { self = output }
        return found
    }
}
