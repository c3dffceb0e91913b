import Foundation
import SightlineCore

/// Turns a recorded AWS event stream body into the flow's events, each with the arrival time of the
/// chunk that completed its frame, as `SSEEventTimer` does for SSE.
///
/// An event is named by its `:event-type` (`contentBlockDelta`; `:exception-type` or `:error-code` for
/// errors) and carries its JSON payload. InvokeModelWithResponseStream's `chunk` events wrap the model's
/// own stream event as base64 `bytes`; the event keeps the name `chunk` and carries that inner JSON.
public enum AWSEventStreamEventTimer {
    public static let contentType = "application/vnd.amazon.eventstream"

    public static func isEventStream(contentType: String?) -> Bool {
        contentType?.lowercased().hasPrefix(Self.contentType) == true
    }

    /// By its content type, or, when a server did not say it (a mock, a gateway that drops the header), by a
    /// first frame whose prelude CRC holds: 32 bits that a JSON or text body matches by chance once in 4 billion.
    public static func isEventStream(contentType: String?, body: [UInt8]) -> Bool {
        if isEventStream(contentType: contentType) { return true }
        guard body.count >= AWSEventStreamParser.overheadBytes else { return false }
        func uint32(at offset: Int) -> UInt32 { body[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        let total = Int(uint32(at: 0))
        return total >= AWSEventStreamParser.overheadBytes && total <= AWSEventStreamParser.maxMessageBytes
            && Int(uint32(at: 4)) <= total - AWSEventStreamParser.overheadBytes
            && CRC32.checksum(body[0..<8]) == uint32(at: 8)
    }

    /// Chunk offsets past the body are clamped; bytes past the last chunk take its time (0 with no
    /// chunks). A damaged or cut-off frame ends the events.
    public static func timedEvents(body: [UInt8], chunks: [ChunkArrival]) -> [TimedSSEEvent] {
        var parser = AWSEventStreamParser()
        return ChunkTiming.timed(body: body, chunks: chunks, feed: { parser.feed($0) }).map { event(of: $0.item, at: $0.tMs) }
    }

    static func event(of message: AWSEventStreamMessage, at tMs: Double) -> TimedSSEEvent {
        let headers = message.headers
        switch message.messageType {
        case "exception":
            return TimedSSEEvent(tMs: tMs, event: headers[":exception-type"] ?? "exception", data: text(message.payload))
        case "error":
            var data = ""
            JSONText.appendString(headers[":error-message"] ?? "", to: &data)
            return TimedSSEEvent(tMs: tMs, event: headers[":error-code"] ?? "error", data: "{\"message\":\(data)}")
        default:
            let name = headers[":event-type"]
            return TimedSSEEvent(tMs: tMs, event: name, data: name == "chunk" ? unwrappedChunk(message.payload) : text(message.payload))
        }
    }

    /// `{"bytes":"<base64>"}` → the decoded bytes as text; the payload itself when it is not that shape.
    private static func unwrappedChunk(_ payload: [UInt8]) -> String {
        guard let encoded = JSONValue.parse(payload)?["bytes"]?.string,
              let data = Data(base64Encoded: encoded) else { return text(payload) }
        return String(decoding: data, as: UTF8.self)
    }

    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
