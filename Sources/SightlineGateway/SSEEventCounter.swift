/// Counts complete SSE events (a blank line ends one) across the chunks of a response, for
/// `Sightline-Fault: cut-after=N`: where in a chunk the Nth event ends, so the relay can cut right after it.
public struct SSEEventCounter: Sendable, Equatable {
    public let limit: Int
    public private(set) var events = 0
    private var newlineRun = 0

    public init(limit: Int) { self.limit = limit }

    /// How many bytes of `chunk` to forward before the limit is reached (nil: all of it, the limit is not reached).
    public mutating func bytesBeforeLimit(of chunk: some Sequence<UInt8>) -> Int? {
        var index = 0
        for byte in chunk {
            index += 1
            if byte == UInt8(ascii: "\n") {
                newlineRun += 1
                if newlineRun == 2 {
                    events += 1
                    if events >= limit { return index }
                }
            } else if byte != UInt8(ascii: "\r") {
                newlineRun = 0
            }
        }
        return nil
    }
}
