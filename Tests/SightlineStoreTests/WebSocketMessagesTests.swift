import CZlib
import Foundation
import SightlineCore
import Testing
@testable import SightlineStore

@Suite struct WebSocketMessagesTests {
    func frame(_ direction: WebSocketDirection, _ tMs: Double, _ opcode: UInt8, _ payload: [UInt8], fin: Bool = true,
               size: Int? = nil) -> CapturedWebSocketFrame {
        CapturedWebSocketFrame(direction: direction, tMs: tMs, fin: fin, rsv1: false, opcode: opcode,
                               payloadLength: size ?? payload.count, payload: payload)
    }

    @Test("fragments join into one message, a ping between them stays its own, the first close says how it ended")
    func joinsFragments() {
        let session = WebSocketMessages.session(from: [
            frame(.client, 1, 1, Array("hel".utf8), fin: false),
            frame(.server, 2, 1, Array("{\"type\":\"x\"}".utf8)),
            frame(.client, 3, 9, Array("p".utf8)),
            frame(.client, 4, 0, Array("lo ".utf8), fin: false),
            frame(.client, 5, 0, Array("you".utf8)),
            frame(.server, 6, 2, [0, 255, 128]),
            frame(.server, 7, 8, [0x0F, 0xA1] + Array("bye".utf8)),
            frame(.client, 8, 8, [0x0F, 0xA1]),
        ])
        #expect(session.messages.map(\.opcode) == ["text", "ping", "text", "binary", "close", "close"])
        #expect(session.messages.map(\.direction) == [.server, .client, .client, .server, .server, .client])
        #expect(session.messages[2].text == "hello you" && session.messages[2].size == 9 && session.messages[2].tMs == 5)
        #expect(session.messages[3].text == nil && session.messages[3].dataBase64 == Data([0, 255, 128]).base64EncodedString())
        #expect(session.close == WebSocketClose(code: 4001, reason: "bye", by: .server))
        #expect(session.messages[4].closeCode == 4001 && session.messages[4].closeReason == "bye", "each close message reads as its code and reason")
    }

    @Test("a message cut by the cap keeps its true size and says so")
    func truncated() {
        let session = WebSocketMessages.session(from: [frame(.server, 1, 1, Array("abc".utf8), size: 1 << 20)])
        #expect(session.messages.first?.truncated == true)
        #expect(session.messages.first?.size == 1 << 20)
        #expect(session.messages.first?.text == "abc")
        #expect(session.close == nil)
    }
}

/// A `permessage-deflate` sender: one raw deflate stream, a sync flush per message, the `00 00 ff ff` tail cut.
final class MessageDeflater {
    private var stream = z_stream()

    init() {
        _ = deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    }

    deinit { deflateEnd(&stream) }

    func compress(_ text: String) -> [UInt8] {
        var input = Array(text.utf8)
        var output = [UInt8](repeating: 0, count: input.count + 1024)
        let written = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer -> Int in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                _ = deflate(&stream, Z_SYNC_FLUSH)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output[..<(written - 4)])
    }
}

extension WebSocketMessagesTests {
    func compressedFrame(_ direction: WebSocketDirection, _ tMs: Double, _ payload: [UInt8], size: Int? = nil) -> CapturedWebSocketFrame {
        CapturedWebSocketFrame(direction: direction, tMs: tMs, fin: true, rsv1: true, opcode: 1, payloadLength: size ?? payload.count, payload: payload)
    }

    @Test("permessage-deflate messages are inflated in order, the window carried from one message to the next")
    func inflatesWithContextTakeover() {
        let server = MessageDeflater()
        let first = #"{"type":"response.output_text.delta","delta":"Hello"}"#
        let second = #"{"type":"response.output_text.delta","delta":"Hello"}"#  // mostly back-references to the first
        let a = server.compress(first), b = server.compress(second)
        #expect(b.count < a.count / 2, "the second message only makes sense with the first one's window")
        let session = WebSocketMessages.session(from: [compressedFrame(.server, 1, a), compressedFrame(.server, 2, b)],
                                                extensions: ["permessage-deflate; client_max_window_bits"])
        #expect(session.messages.map(\.text) == [first, second])
        #expect(session.messages.allSatisfy { $0.compressed == true && $0.inflated == nil })
        #expect(session.messages.map(\.size) == [a.count, b.count], "size is what went over the wire")
    }

    @Test("a compressed message cut by the cap is kept as sent, and so is every later one of that direction")
    func truncatedCompressedMessageBreaksTheWindow() {
        let server = MessageDeflater()
        let a = server.compress(String(repeating: "lorem ipsum ", count: 50)), b = server.compress("lorem ipsum")
        let session = WebSocketMessages.session(from: [compressedFrame(.server, 1, Array(a.prefix(10)), size: a.count),
                                                       compressedFrame(.server, 2, b)],
                                                extensions: ["permessage-deflate"])
        #expect(session.messages.map(\.inflated) == [false, false])
        #expect(session.messages.allSatisfy { $0.text == nil && $0.dataBase64 != nil })
        // Without that agreement the same bytes are simply compressed data, not inflated.
        let plain = WebSocketMessages.session(from: [compressedFrame(.server, 1, a)])
        #expect(plain.messages.first?.compressed == true && plain.messages.first?.text == nil)
    }
}
