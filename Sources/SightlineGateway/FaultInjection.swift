/// `Sightline-Fault: status=503;times=2`, `delay=1500`, `cut-after=3` (GATEWAY.md "Beyond Helicone"):
/// failures Sightline produces itself so an application's error handling can be tested.
public struct FaultInjection: Sendable, Equatable {
    /// Answer with this status instead of calling upstream…
    public var status: Int?
    /// …for the first `times` attempts of the request (then go upstream). nil = every attempt.
    public var times: Int?
    /// Wait this long before going upstream (or answering).
    public var delayMs: Int?
    /// Close the client connection after this many SSE events of the response.
    public var cutAfterEvents: Int?

    public static func parse(_ text: String) throws(GatewayHeaderError) -> FaultInjection {
        func fail(_ reason: String) -> GatewayHeaderError { GatewayHeaderError(header: "Sightline-Fault", reason: reason) }
        var fault = FaultInjection()
        for item in text.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, let value = Int(pair[1]), value >= 0 else { throw fail("\"\(item)\" is not name=number") }
            switch pair[0].lowercased() {
            case "status":
                guard (100...599).contains(value) else { throw fail("status must be 100–599") }
                fault.status = value
            case "times": fault.times = value
            case "delay": fault.delayMs = min(value, 600_000)
            case "cut-after": fault.cutAfterEvents = value
            default: throw fail("unknown fault \"\(pair[0])\" (status, times, delay, cut-after are known)")
            }
        }
        guard fault.status != nil || fault.delayMs != nil || fault.cutAfterEvents != nil else { throw fail("names no fault") }
        return fault
    }

    /// Whether attempt `n` (0-based) of a request is answered with the injected status.
    public func injectsStatus(onAttempt n: Int) -> Int? {
        guard let status else { return nil }
        if let times, n >= times { return nil }
        return status
    }
}
