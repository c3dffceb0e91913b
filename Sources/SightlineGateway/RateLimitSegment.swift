import SightlineCore

extension RateLimitPolicy {
    /// Which window a call counts against: the user, a property's value, or the credential.
    public func segment(annotations: FlowAnnotations, headers: [HeaderField]) -> String {
        switch segment {
        case .user: return "user:" + (annotations.userID ?? "")
        case .property(let name):
            let value = annotations.properties.first { $0.key.lowercased() == name.lowercased() }?.value ?? ""
            return "property:\(name)=\(value)"
        case .credential:
            let credential = CacheKey.credentialHeaders.compactMap { headers.first(named: $0) }.joined(separator: "\n")
            // FNV-1a: stable across runs, and the credential itself never becomes a map key or a stored value.
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in credential.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return "credential:" + String(hash, radix: 16)
        }
    }
}
