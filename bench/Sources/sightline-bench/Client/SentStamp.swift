/// The upstream's send time in a received event or message: the digits after `"sent_ns":`
/// (`CLOCK_MONOTONIC` nanoseconds, see `BenchPayloads`).
enum SentStamp {
    private static let key = Array(#""sent_ns":"#.utf8)

    /// The stamp in `bytes`, if they hold one.
    static func find<Bytes: Collection<UInt8>>(in bytes: Bytes) -> Int64? {
        guard let valueStart = bytes.firstRange(of: key)?.upperBound else { return nil }
        var value: Int64 = 0
        var sawDigit = false
        for byte in bytes[valueStart...] {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { break }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            sawDigit = true
        }
        return sawDigit ? value : nil
    }
}
