import SightlineCore

/// Request headers of the gateway protocol, read with either prefix (`Sightline-X` or `Helicone-X`).
/// Remembers which prefix the client used, because responses answer in the same one.
public struct GatewayHeaders: Sendable {
    private var values: [String: String] = [:]
    /// `Helicone-` when the client used only that prefix, else `Sightline-`.
    public private(set) var responsePrefix = "Sightline-"

    public init(_ headers: [HeaderField]) {
        var sawSightline = false, sawHelicone = false
        for header in headers {
            guard let name = FlowAnnotations.protocolName(header.name) else { continue }
            if header.name.lowercased().hasPrefix("sightline-") { sawSightline = true } else { sawHelicone = true }
            values[name.lowercased()] = header.value.trimmingCharacters(in: .whitespaces)
        }
        if sawHelicone && !sawSightline { responsePrefix = "Helicone-" }
    }

    public subscript(_ name: String) -> String? { values[name.lowercased()] }

    public func flag(_ name: String) -> Bool { self[name]?.lowercased() == "true" }

    /// Any gateway feature that changes how the request is answered (not only recorded).
    public var asksForFeatures: Bool {
        flag("cache-enabled") || flag("retry-enabled") || self["ratelimit-policy"] != nil || self["fallbacks"] != nil || self["fault"] != nil
    }
}

import Foundation
