/// Parses the binary framing of an AWS event stream incrementally: each message is
/// `total length u32 | headers length u32 | prelude CRC32 | headers | payload | message CRC32`, big-endian.
///
/// A feed may split the stream anywhere. A frame whose lengths are impossible or whose CRC fails ends the
/// stream: what follows cannot be trusted to be aligned on a frame, so `failed` is set and later bytes are
/// ignored; the messages read before it stand.
public struct AWSEventStreamParser: Sendable {
    /// The prelude (two lengths and their CRC) plus the message CRC.
    static let overheadBytes = 16
    /// AWS caps a message at 16 MiB; a larger length is damage, not a message.
    static let maxMessageBytes = 16 * 1024 * 1024

    private var buffer: [UInt8] = []
    private var start = 0
    public private(set) var failed = false

    public init() {}

    public mutating func feed(_ bytes: some Collection<UInt8>) -> [AWSEventStreamMessage] {
        guard !failed else { return [] }
        buffer.append(contentsOf: bytes)
        var messages: [AWSEventStreamMessage] = []
        while let message = nextMessage() { messages.append(message) }
        // Drop consumed bytes now and then rather than on every message.
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        return messages
    }

    /// True when bytes of an unfinished frame are left over (the stream was cut short).
    public var hasPartialMessage: Bool { !failed && start < buffer.count }

    private mutating func nextMessage() -> AWSEventStreamMessage? {
        guard !failed, buffer.count - start >= 12 else { return nil }
        let total = Int(readUInt32(at: start))
        let headersLength = Int(readUInt32(at: start + 4))
        guard total >= Self.overheadBytes, total <= Self.maxMessageBytes, headersLength <= total - Self.overheadBytes,
              CRC32.checksum(buffer[start..<(start + 8)]) == readUInt32(at: start + 8) else {
            failed = true
            return nil
        }
        guard buffer.count - start >= total else { return nil }
        let end = start + total
        guard CRC32.checksum(buffer[start..<(end - 4)]) == readUInt32(at: end - 4),
              let headers = Self.headers(buffer[(start + 12)..<(start + 12 + headersLength)]) else {
            failed = true
            return nil
        }
        let payload = Array(buffer[(start + 12 + headersLength)..<(end - 4)])
        start = end
        return AWSEventStreamMessage(headers: headers, payload: payload)
    }

    private func readUInt32(at offset: Int) -> UInt32 {
        buffer[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Each header: name length u8, name, value type u8, value. nil when a header runs past its block.
    static func headers(_ bytes: ArraySlice<UInt8>) -> [String: String]? {
        var headers: [String: String] = [:]
        var i = bytes.startIndex
        func take(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, bytes.endIndex - i >= count else { return nil }
            defer { i += count }
            return bytes[i..<(i + count)]
        }
        func integer(_ count: Int) -> Int64? {
            take(count).map { slice in
                let unsigned = slice.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                let shift = UInt64(64 - 8 * count)
                return Int64(bitPattern: unsigned << shift) >> Int64(shift) // sign-extend
            }
        }
        while i < bytes.endIndex {
            guard let nameLength = take(1)?.first, let name = take(Int(nameLength)), let type = take(1)?.first else {
                return nil
            }
            let value: String
            switch type {
            case 0: value = "true"
            case 1: value = "false"
            case 2: guard let n = integer(1) else { return nil }; value = String(n)
            case 3: guard let n = integer(2) else { return nil }; value = String(n)
            case 4: guard let n = integer(4) else { return nil }; value = String(n)
            case 5, 8: guard let n = integer(8) else { return nil }; value = String(n) // 8: ms since 1970
            case 6, 7:
                guard let length = integer(2), let raw = take(Int(UInt16(truncatingIfNeeded: length))) else { return nil }
                value = type == 7 ? String(decoding: raw, as: UTF8.self) : hex(raw)
            case 9: guard let raw = take(16) else { return nil }; value = hex(raw)
            default: return nil
            }
            headers[String(decoding: name, as: UTF8.self)] = value
        }
        return headers
    }

    private static func hex(_ bytes: ArraySlice<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out += [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]] }
        return String(decoding: out, as: UTF8.self)
    }
}
