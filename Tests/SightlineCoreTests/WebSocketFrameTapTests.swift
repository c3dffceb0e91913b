import Testing
@testable import SightlineCore

/// The frame tap as a value: bytes in (split anywhere), frames out, payloads unmasked and capped.
@Suite struct WebSocketFrameTapTests {
    /// A frame as a client (masked) or server (unmasked) writes it, RFC 6455 §5.2.
    func frame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, rsv1: Bool = false, mask: [UInt8]? = nil) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        if payload.count < 126 {
            bytes.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            bytes += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            bytes.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        guard let mask else { return bytes + payload }
        return bytes + mask + payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
    }

    @Test func framesSplitAtEveryByteComeOutWholeUnmaskedAndInOrder() {
        let hello = Array("hello".utf8)
        let medium = (0..<300).map { UInt8($0 & 0xFF) }
        let stream = frame(1, hello, mask: [1, 2, 3, 4]) + frame(2, medium, mask: [9, 8, 7, 6]) + frame(9, [], mask: [5, 5, 5, 5])
        for split in 1..<stream.count {
            var tap = WebSocketFrameTap(direction: .client, capBytes: 1 << 20, totalCapBytes: 1 << 20)
            let frames = tap.consume(stream[..<split], tMs: 1) + tap.consume(stream[split...], tMs: 2)
            #expect(frames.map(\.opcode) == [1, 2, 9], "split at \(split)")
            #expect(frames.map(\.payload) == [hello, medium, []], "split at \(split)")
            #expect(frames.allSatisfy { $0.fin && $0.direction == .client && !$0.isTruncated })
        }
    }

    @Test func aLongFrameKeepsItsTrueSizeAndOnlyTheCapOfItsPayload() {
        let big = [UInt8](repeating: 0x61, count: 70_000)
        var tap = WebSocketFrameTap(direction: .server, capBytes: 1000, totalCapBytes: 1500)
        let frames = tap.consume(frame(1, big, rsv1: true) + frame(2, [UInt8](repeating: 7, count: 800)) + frame(2, [1]), tMs: 5)
        #expect(frames.map(\.payloadLength) == [70_000, 800, 1])
        #expect(frames.map(\.payload.count) == [1000, 500, 0], "per frame, then over the session")
        #expect(frames[0].rsv1 && frames[0].isTruncated && frames[0].tMs == 5)
    }

    @Test func aFragmentIsReportedWithItsFinBitAndTheTapStopsOnNonsense() {
        var tap = WebSocketFrameTap(direction: .server, capBytes: 100, totalCapBytes: 100)
        let frames = tap.consume(frame(1, Array("ab".utf8), fin: false) + frame(0, Array("c".utf8)), tMs: 0)
        #expect(frames.map(\.fin) == [false, true])
        #expect(frames.map(\.opcode) == [1, 0])
        // A 64-bit length with the top bit set is no WebSocket frame: nothing more is read, nothing traps.
        #expect(tap.consume([0x82, 0x7F, 0xFF, 0, 0, 0, 0, 0, 0, 1] + frame(1, [0x41]), tMs: 1).isEmpty)
    }
}
