/// Appends JSON text to a `String`: strings escaped per RFC 8259, numbers as JSON reads them. The one
/// writer behind `JSONValue.jsonText` and the store's JSON columns, where Foundation's `JSONEncoder`
/// cost a third of recording a flow.
public enum JSONText {
    public static func appendString(_ string: String, to out: inout String) {
        out.append("\"")
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                // Only ASCII bytes are escaped, so a run never splits a multi-byte character.
                guard byte == 0x22 || byte == 0x5C || byte < 0x20 else { continue }
                if runStart < index {
                    out.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<index]), as: UTF8.self))
                }
                switch byte {
                case 0x22: out.append("\\\"")
                case 0x5C: out.append("\\\\")
                case 0x0A: out.append("\\n")
                case 0x0D: out.append("\\r")
                case 0x09: out.append("\\t")
                default:
                    let hex = String(byte, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                }
                runStart = index + 1
            }
            if runStart < bytes.count {
                out.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart...]), as: UTF8.self))
            }
        }
        out.append("\"")
    }

    /// Integral values without a fraction; a value JSON cannot hold (NaN, infinity) as `null`.
    public static func appendNumber(_ number: Double, to out: inout String) {
        guard number.isFinite else { return out.append("null") }
        if number.rounded() == number, abs(number) < 1e15 { return out.append(String(Int64(number))) }
        out.append(String(number))
    }

    public static func appendNumber(_ number: Int, to out: inout String) {
        out.append(String(number))
    }
}
