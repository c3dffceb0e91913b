import Foundation

/// Appends the primitive values of a spool record: LEB128 lengths and integers, little-endian
/// doubles, length-prefixed UTF-8 and bytes. Compact and allocation-light, because a recorder that
/// has fallen behind writes every capture through it.
struct SpoolByteWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func unsigned(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func int(_ value: Int) {
        // Zig-zag, so a negative number (which no field should hold, but may) stays short and exact.
        unsigned(UInt64(bitPattern: Int64((value << 1) ^ (value >> (Int.bitWidth - 1)))))
    }

    mutating func double(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func data<Bytes: Collection>(_ value: Bytes) where Bytes.Element == UInt8 {
        unsigned(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { data($0) }
    }

    /// A presence byte, then the value.
    mutating func optional<T>(_ value: T?, _ write: (inout SpoolByteWriter, T) -> Void) {
        guard let value else { return byte(0) }
        byte(1)
        write(&self, value)
    }
}

/// Reads what `SpoolByteWriter` wrote; any short or malformed read throws, never traps.
struct SpoolByteReader {
    struct Malformed: Error {}

    private let bytes: ArraySlice<UInt8>
    private var index: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    var isAtEnd: Bool { index == bytes.endIndex }

    mutating func byte() throws -> UInt8 {
        guard index < bytes.endIndex else { throw Malformed() }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func bool() throws -> Bool {
        switch try byte() {
        case 0: false
        case 1: true
        default: throw Malformed()
        }
    }

    mutating func unsigned() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64 else { throw Malformed() }
            result |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func int() throws -> Int {
        let raw = try unsigned()
        return Int(truncatingIfNeeded: Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1))))
    }

    mutating func count() throws -> Int {
        let value = try unsigned()
        guard value <= UInt64(bytes.endIndex - index) else { throw Malformed() }
        return Int(value)
    }

    mutating func double() throws -> Double {
        guard bytes.endIndex - index >= 8 else { throw Malformed() }
        var bits: UInt64 = 0
        for offset in 0..<8 { bits |= UInt64(bytes[index + offset]) << (8 * UInt64(offset)) }
        index += 8
        return Double(bitPattern: bits)
    }

    mutating func data() throws -> ArraySlice<UInt8> {
        let length = try count()
        defer { index += length }
        return bytes[index..<index + length]
    }

    mutating func string() throws -> String {
        let raw = try data()
        guard let string = String(validating: raw, as: UTF8.self) else { throw Malformed() }
        return string
    }

    mutating func optional<T>(_ read: (inout SpoolByteReader) throws -> T) throws -> T? {
        switch try byte() {
        case 0: return nil
        case 1: return try read(&self)
        default: throw Malformed()
        }
    }
}
