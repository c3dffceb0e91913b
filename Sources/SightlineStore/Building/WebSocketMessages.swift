import Foundation
import SightlineCore

/// Joins captured frames into messages, per direction: a text or binary frame and its continuations
/// become one message (stamped when its last frame arrived); ping, pong and close frames, which may come
/// between fragments, are messages of their own. The first close frame says how the session ended.
/// Compressed messages (`permessage-deflate`, `extensions` from the 101) are inflated for the record.
enum WebSocketMessages {
    static func session(from frames: [CapturedWebSocketFrame], extensions: [String] = [],
                        maxMessageBytes: Int = ContentDecoding.defaultMaxOutputBytes) -> WebSocketSession {
        var inflaters: [WebSocketDirection: MessageInflater] = [:]
        if let agreement = DeflateAgreement(extensions: extensions) {
            inflaters[.client] = MessageInflater(resetsEachMessage: agreement.clientResets)
            inflaters[.server] = MessageInflater(resetsEachMessage: agreement.serverResets)
        }
        var messages: [WebSocketMessage] = []
        var close: WebSocketClose?
        var open: [WebSocketDirection: Fragments] = [:]
        for frame in frames {
            switch frame.opcode {
            case 0x8, 0x9, 0xA:
                var entry = message(opcode: frame.opcode, payload: frame.payload, size: frame.payloadLength,
                                    truncated: frame.isTruncated, compressed: false, frame: frame)
                if frame.opcode == 0x8 {
                    entry.closeCode = closeCode(frame.payload)
                    entry.closeReason = closeReason(frame.payload)
                    if close == nil { close = WebSocketClose(code: entry.closeCode, reason: entry.closeReason, by: frame.direction) }
                }
                messages.append(entry)
            case 0x1, 0x2:
                open[frame.direction] = Fragments(opcode: frame.opcode, compressed: frame.rsv1)
                fallthrough
            case 0x0:
                guard var fragments = open[frame.direction] else { continue }
                fragments.payload += frame.payload
                fragments.size += frame.payloadLength
                fragments.truncated = fragments.truncated || frame.isTruncated
                if frame.fin {
                    var payload = fragments.payload
                    var inflated = false
                    if fragments.compressed, let inflater = inflaters[frame.direction] {
                        if fragments.truncated {
                            inflater.markBroken()
                        } else if let plain = inflater.inflate(payload, maxOutputBytes: maxMessageBytes) {
                            payload = plain
                            inflated = true
                        }
                    }
                    var entry = message(opcode: fragments.opcode, payload: payload, size: fragments.size,
                                        truncated: fragments.truncated, compressed: fragments.compressed && !inflated, frame: frame)
                    if fragments.compressed { entry.compressed = true }
                    if fragments.compressed, !inflated { entry.inflated = false }
                    messages.append(entry)
                    open[frame.direction] = nil
                } else {
                    open[frame.direction] = fragments
                }
            default:
                // Reserved opcodes: kept by size, so the session still shows that something passed.
                messages.append(message(opcode: frame.opcode, payload: frame.payload, size: frame.payloadLength,
                                        truncated: frame.isTruncated, compressed: false, frame: frame))
            }
        }
        return WebSocketSession(messages: messages, close: close)
    }

    private struct Fragments {
        var opcode: UInt8
        var compressed: Bool
        var payload: [UInt8] = []
        var size = 0
        var truncated = false
    }

    private static func message(opcode: UInt8, payload: [UInt8], size: Int, truncated: Bool, compressed: Bool,
                                frame: CapturedWebSocketFrame) -> WebSocketMessage {
        let name = switch opcode {
        case 0x1: "text"
        case 0x2: "binary"
        case 0x8: "close"
        case 0x9: "ping"
        case 0xA: "pong"
        default: "opcode-\(opcode)"
        }
        // A text message cut by the cap may end inside a character: what is whole of it is still text.
        let text = compressed ? nil : String(validating: payload, as: UTF8.self)
            ?? (opcode == 0x1 && truncated ? String(decoding: payload, as: UTF8.self) : nil)
        return WebSocketMessage(tMs: frame.tMs, direction: frame.direction, opcode: name, text: text,
                                dataBase64: text == nil ? Data(payload).base64EncodedString() : nil,
                                size: size, truncated: truncated, compressed: compressed ? true : nil)
    }

    private static func closeCode(_ payload: [UInt8]) -> Int? {
        payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
    }

    private static func closeReason(_ payload: [UInt8]) -> String? {
        payload.count > 2 ? String(decoding: payload[2...], as: UTF8.self) : nil
    }
}
