import SightlineCore

/// A W3C Trace Context parent (`traceparent`, and `tracestate` when sent), as the request carried it or
/// as derived from a session id. Validated here so that a malformed header starts a new trace rather
/// than a broken one.
struct TraceParent: Sendable, Hashable {
    var traceparent: String
    var tracestate: String?

    /// The request's own headers (the app instrumented with OpenTelemetry sends them; Sightline forwards them untouched).
    init?(headers: [HeaderField]) {
        guard let value = headers.first(where: { $0.name.lowercased() == "traceparent" })?.value,
              Self.isValid(value) else { return nil }
        traceparent = value.lowercased()
        tracestate = headers.first(where: { $0.name.lowercased() == "tracestate" })?.value
    }

    init(traceparent: String, tracestate: String? = nil) {
        self.traceparent = traceparent
        self.tracestate = tracestate
    }

    /// The same trace for every call of a session, on every Sightline that records it and across restarts:
    /// trace id and parent span id are hashes of the session id. No span carries that parent id, so a backend
    /// shows the session's calls side by side under a root it never received.
    static func forSession(_ sessionID: String) -> TraceParent {
        let bytes = Array("sightline-session:\(sessionID)".utf8)
        let traceID = hex(fnv1a(bytes, seed: 0xcbf2_9ce4_8422_2325)) + hex(fnv1a(bytes, seed: 0x8422_2325_cbf2_9ce4))
        let spanID = hex(fnv1a(bytes, seed: 0x9ce4_8422_2325_cbf2))
        return TraceParent(traceparent: "00-\(traceID)-\(spanID)-01")
    }

    /// Version `00`: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`, neither id all zeros.
    /// Later versions may append fields after the flags, which are ignored (W3C Trace Context §3.2.4).
    static func isValid(_ value: String) -> Bool {
        let fields = value.split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count >= 4, fields[0].count == 2, fields[0].allSatisfy(\.isHexDigit), fields[0].lowercased() != "ff",
              fields[1].count == 32, fields[1].allSatisfy(\.isHexDigit), fields[1].contains(where: { $0 != "0" }),
              fields[2].count == 16, fields[2].allSatisfy(\.isHexDigit), fields[2].contains(where: { $0 != "0" }),
              fields[3].count == 2, fields[3].allSatisfy(\.isHexDigit) else { return false }
        return fields[0] != "00" || fields.count == 4
    }

    private static func fnv1a(_ bytes: [UInt8], seed: UInt64) -> UInt64 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash == 0 ? 1 : hash
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
