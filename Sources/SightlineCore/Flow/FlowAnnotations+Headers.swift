/// The recording half of the gateway header protocol (GATEWAY.md "Recording headers"), honoured on
/// gateway and intercepted traffic alike. Each header is accepted as `Sightline-X` or `Helicone-X`.
extension FlowAnnotations {
    public static let prefixes = ["sightline-", "helicone-"]
    public static let maxPropertyValueBytes = 1024

    /// Reads properties, user, session and omit flags from request headers.
    public static func parse(_ headers: [HeaderField]) -> FlowAnnotations {
        var annotations = FlowAnnotations()
        for header in headers {
            guard let name = protocolName(header.name) else { continue }
            let lower = name.lowercased()
            if lower.hasPrefix("property-") {
                let property = String(name.dropFirst("property-".count))
                guard !property.isEmpty else { continue }
                annotations.properties[property] = String(decoding: header.value.utf8.prefix(maxPropertyValueBytes), as: UTF8.self)
                continue
            }
            switch lower {
            case "user-id": annotations.userID = header.value
            case "session-id": annotations.sessionID = header.value
            case "session-path": annotations.sessionPath = header.value
            case "session-name": annotations.sessionName = header.value
            case "omit-request": annotations.omitRequest = header.value.lowercased() == "true"
            case "omit-response": annotations.omitResponse = header.value.lowercased() == "true"
            default: break
            }
        }
        return annotations
    }

    /// The flow id a client asked for with `Request-Id`, when it is a UUID.
    public static func requestedID(_ headers: [HeaderField]) -> FlowID? {
        for header in headers where protocolName(header.name)?.lowercased() == "request-id" {
            if let id = FlowID(header.value.trimmingCharacters(in: .whitespaces)) { return id }
        }
        return nil
    }

    /// `Sightline-Property-Env` → `Property-Env`; nil for any other header.
    public static func protocolName(_ headerName: String) -> String? {
        let lower = headerName.lowercased()
        for prefix in prefixes where lower.hasPrefix(prefix) {
            return String(headerName.dropFirst(prefix.count))
        }
        return nil
    }

    /// Whether a request header belongs to the protocol and so is not forwarded upstream. Toward a
    /// Helicone host the `Helicone-` headers pass unchanged (chaining: Helicone does the rest).
    public static func isStripped(_ headerName: String, towardHelicone: Bool) -> Bool {
        let lower = headerName.lowercased()
        if lower.hasPrefix("sightline-") { return true }
        return lower.hasPrefix("helicone-") && !towardHelicone
    }
}

import Foundation
