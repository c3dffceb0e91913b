/// Which side sent a WebSocket frame.
public enum WebSocketDirection: String, Sendable, Hashable, Codable {
    case client, server
}

/// One WebSocket frame as it crossed the relay: its header, when its last byte arrived, and its payload
/// unmasked and kept up to a cap (`payloadLength` is the true size). Raw facts: joining fragments into
/// messages and inflating `permessage-deflate` happen on the writer side.
public struct CapturedWebSocketFrame: Sendable, Hashable {
    public var direction: WebSocketDirection
    /// Milliseconds since the flow started.
    public var tMs: Double
    public var fin: Bool
    /// RSV1: the message is compressed (`permessage-deflate`), set on its first frame.
    public var rsv1: Bool
    /// 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong.
    public var opcode: UInt8
    public var payloadLength: Int
    public var payload: [UInt8]

    public init(direction: WebSocketDirection, tMs: Double, fin: Bool, rsv1: Bool, opcode: UInt8, payloadLength: Int, payload: [UInt8]) {
        self.direction = direction
        self.tMs = tMs
        self.fin = fin
        self.rsv1 = rsv1
        self.opcode = opcode
        self.payloadLength = payloadLength
        self.payload = payload
    }

    public var isTruncated: Bool { payload.count < payloadLength }
}

/// Reads the frames out of one direction of a WebSocket byte stream as it passes, without changing or
/// holding it: headers are parsed across reads, payloads unmasked into a copy up to `capBytes` per frame
/// and `totalCapBytes` over the session (beyond them a frame keeps only its size). A stream that is not
/// WebSocket framing (a length beyond 2^63) stops the tap; the relay goes on regardless.
public struct WebSocketFrameTap: Sendable {
    private enum State: Sendable {
        /// Collecting a header (2 to 14 bytes).
        case header(bytes: [UInt8])
        case payload(Frame)
        /// The bytes are not framing this tap understands: nothing more is read.
        case stopped
    }

    private struct Frame: Sendable {
        var fin: Bool
        var rsv1: Bool
        var opcode: UInt8
        var length: Int
        var mask: [UInt8]?
        var seen = 0
        var kept: [UInt8] = []
        var keepLimit: Int
    }

    public let direction: WebSocketDirection
    public let capBytes: Int
    public let totalCapBytes: Int
    private var state = State.header(bytes: [])
    private var keptTotal = 0

    public init(direction: WebSocketDirection, capBytes: Int, totalCapBytes: Int) {
        self.direction = direction
        self.capBytes = capBytes
        self.totalCapBytes = totalCapBytes
    }

    /// Frames completed by `bytes`, stamped `tMs`.
    public mutating func consume<Bytes: Collection>(_ bytes: Bytes, tMs: Double) -> [CapturedWebSocketFrame] where Bytes.Element == UInt8 {
        var frames: [CapturedWebSocketFrame] = []
        var index = bytes.startIndex
        while index != bytes.endIndex {
            switch state {
            case .stopped:
                return frames
            case .header(var header):
                // Out of `state` first, so the arrays appended to below are uniquely referenced (no copy per read).
                state = .stopped
                header.append(bytes[index])
                index = bytes.index(after: index)
                state = .header(bytes: header)
                if let frame = Self.frame(header: header, direction: direction) {
                    switch frame {
                    case .invalid:
                        state = .stopped
                    case .complete(var frame):
                        frame.keepLimit = min(capBytes, max(0, totalCapBytes - keptTotal), frame.length)
                        frame.kept.reserveCapacity(min(frame.keepLimit, 1 << 16))
                        state = .payload(frame)
                        if frame.length == 0 { finish(frame, tMs: tMs, into: &frames) }
                    }
                }
            case .payload(var frame):
                state = .stopped
                let available = bytes.distance(from: index, to: bytes.endIndex)
                let take = min(available, frame.length - frame.seen)
                let end = bytes.index(index, offsetBy: take)
                let keep = min(take, frame.keepLimit - frame.kept.count)
                if keep > 0 {
                    let slice = bytes[index..<bytes.index(index, offsetBy: keep)]
                    if let mask = frame.mask {
                        var position = frame.seen
                        for byte in slice {
                            frame.kept.append(byte ^ mask[position & 3])
                            position += 1
                        }
                    } else {
                        frame.kept.append(contentsOf: slice)
                    }
                }
                frame.seen += take
                index = end
                if frame.seen == frame.length {
                    finish(frame, tMs: tMs, into: &frames)
                } else {
                    state = .payload(frame)
                }
            }
        }
        return frames
    }

    private mutating func finish(_ frame: Frame, tMs: Double, into frames: inout [CapturedWebSocketFrame]) {
        keptTotal += frame.kept.count
        frames.append(CapturedWebSocketFrame(direction: direction, tMs: tMs, fin: frame.fin, rsv1: frame.rsv1, opcode: frame.opcode,
                                             payloadLength: frame.length, payload: frame.kept))
        state = .header(bytes: [])
    }

    private enum HeaderResult {
        case invalid
        case complete(Frame)
    }

    /// The frame a complete header describes; nil while more header bytes are needed (RFC 6455 §5.2).
    private static func frame(header: [UInt8], direction: WebSocketDirection) -> HeaderResult? {
        guard header.count >= 2 else { return nil }
        let masked = header[1] & 0x80 != 0
        let short = Int(header[1] & 0x7F)
        let lengthBytes = short == 126 ? 2 : short == 127 ? 8 : 0
        let needed = 2 + lengthBytes + (masked ? 4 : 0)
        guard header.count >= needed else { return nil }
        var length = short
        if lengthBytes > 0 {
            var value: UInt64 = 0
            for byte in header[2..<(2 + lengthBytes)] { value = value << 8 | UInt64(byte) }
            guard value <= UInt64(Int.max) else { return .invalid }
            length = Int(value)
        }
        let mask = masked ? Array(header[(2 + lengthBytes)..<needed]) : nil
        return .complete(Frame(fin: header[0] & 0x80 != 0, rsv1: header[0] & 0x40 != 0, opcode: header[0] & 0x0F,
                               length: length, mask: mask, keepLimit: 0))
    }
}

/// One WebSocket message as recorded: data frames joined (as mitmproxy does), each control frame its own.
/// Encodes as `{"t_ms", "direction", "opcode", "text" | "data_base64", "size", "truncated"}`.
public struct WebSocketMessage: Sendable, Hashable, Codable {
    public var tMs: Double
    public var direction: WebSocketDirection
    /// `text`, `binary`, `ping`, `pong` or `close`.
    public var opcode: String
    /// The payload when it is UTF-8 (always for `text`), else nil and `dataBase64` holds it.
    public var text: String?
    public var dataBase64: String?
    /// Payload bytes on the wire (all fragments).
    public var size: Int
    /// Less than `size` was kept (the body cap).
    public var truncated: Bool
    /// Sent compressed (`permessage-deflate`); the payload shown is inflated unless `inflated` is false.
    public var compressed: Bool?
    /// false when a compressed payload could not be inflated (cut by the cap, or after such a message):
    /// `data_base64` then holds it as it went.
    public var inflated: Bool?
    /// A close frame's status code and reason (RFC 6455 §5.5.1), read once here for every view.
    public var closeCode: Int?
    public var closeReason: String?

    public init(tMs: Double, direction: WebSocketDirection, opcode: String, text: String?, dataBase64: String?, size: Int,
                truncated: Bool, compressed: Bool? = nil) {
        self.tMs = tMs
        self.direction = direction
        self.opcode = opcode
        self.text = text
        self.dataBase64 = dataBase64
        self.size = size
        self.truncated = truncated
        self.compressed = compressed
    }

    enum CodingKeys: String, CodingKey {
        case tMs = "t_ms", direction, opcode, text, dataBase64 = "data_base64", size, truncated, compressed, inflated
        case closeCode = "close_code", closeReason = "close_reason"
    }
}

/// How a WebSocket session ended: the first close frame's code and reason, and who sent it.
public struct WebSocketClose: Sendable, Hashable, Codable {
    public var code: Int?
    public var reason: String?
    public var by: WebSocketDirection

    public init(code: Int?, reason: String?, by: WebSocketDirection) {
        self.code = code
        self.reason = reason
        self.by = by
    }
}

/// A relayed WebSocket session's messages (`"websocket"` in `GET /api/flows/{id}`).
public struct WebSocketSession: Sendable, Hashable, Codable {
    public var messages: [WebSocketMessage]
    /// nil when neither side sent a close frame (a reset, a client that vanished).
    public var close: WebSocketClose?
    /// The session is still being relayed: what is stored so far, updated as messages pass.
    public var open: Bool

    public init(messages: [WebSocketMessage], close: WebSocketClose?, open: Bool = false) {
        self.messages = messages
        self.close = close
        self.open = open
    }

    enum CodingKeys: String, CodingKey { case messages, close, open }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        messages = try c.decode([WebSocketMessage].self, forKey: .messages)
        close = try c.decodeIfPresent(WebSocketClose.self, forKey: .close)
        // Sessions stored before `open` was kept were all recorded once closed.
        open = try c.decodeIfPresent(Bool.self, forKey: .open) ?? false
    }
}

/// What the flow list shows of a WebSocket session (`"websocket"` in a flow summary).
public struct WebSocketSummary: Sendable, Hashable, Codable {
    public var messages: Int
    public var open: Bool

    public init(messages: Int, open: Bool) {
        self.messages = messages
        self.open = open
    }
}
