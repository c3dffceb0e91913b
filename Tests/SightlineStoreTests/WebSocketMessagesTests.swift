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
