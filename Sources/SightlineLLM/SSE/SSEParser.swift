/// Parses a `text/event-stream` incrementally, following the WHATWG rules.
///
/// Works on bytes, not characters: lines end only at ASCII CR or LF, which never occur inside a
/// multi-byte UTF-8 sequence, so a line is decoded once it is complete and a feed may split the stream
/// anywhere. Per the spec, the last event ID persists across events, and `retry` (digits only) is
/// reported on the event dispatched after it.
public struct SSEParser: Sendable {
    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    private var line: [UInt8] = []
    /// Bytes that may still turn out to be the leading BOM; nil once the start of the stream is past.
    private var bomCandidate: [UInt8]? = []
    /// The previous byte was a CR, so an LF that follows (even in the next feed) ends nothing.
    private var afterCR = false

    private var eventType = ""
    private var data = ""
    private var hasData = false
    private var lastEventID = ""
    private var retry: Int?

    public init() {}

    /// Feeds bytes (split anywhere) and returns the events completed by them.
    public mutating func feed(_ bytes: some Collection<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if bomCandidate != nil, !consumeBOM(byte, events: &events) { continue }
            process(byte, events: &events)
        }
        return events
    }

    /// Ends the stream; an event without its blank line is not dispatched (per the spec).
    public mutating func finish() -> [SSEEvent] {
        self = SSEParser()
        return []
    }

    /// Returns true when `byte` is not part of a BOM and should be processed normally.
    private mutating func consumeBOM(_ byte: UInt8, events: inout [SSEEvent]) -> Bool {
        guard var candidate = bomCandidate else { return true }
        candidate.append(byte)
        if candidate == Self.bom {
            bomCandidate = nil
            return false
        }
        if Self.bom.starts(with: candidate) {
            bomCandidate = candidate
            return false
        }
        // Not a BOM after all: the held bytes are ordinary stream bytes.
        bomCandidate = nil
        for held in candidate { process(held, events: &events) }
        return false
    }

    private mutating func process(_ byte: UInt8, events: inout [SSEEvent]) {
        switch byte {
        case 0x0A:
            if afterCR {
                afterCR = false
                return
            }
            endLine(events: &events)
        case 0x0D:
            afterCR = true
            endLine(events: &events)
        default:
            afterCR = false
            line.append(byte)
        }
    }

    private mutating func endLine(events: inout [SSEEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            if let event = dispatch() { events.append(event) }
            return
        }
        if line.first == UInt8(ascii: ":") { return }
        let text = String(decoding: line, as: UTF8.self)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        apply(field: field, value: value)
    }

    private mutating func apply(field: Substring, value: Substring) {
        switch field {
        case "event":
            eventType = String(value)
        case "data":
            data += value
            data += "\n"
            hasData = true
        case "id":
            if !value.contains("\u{0}") { lastEventID = String(value) }
        case "retry":
            if !value.isEmpty, value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { retry = Int(value) }
        default:
            break
        }
    }

    private mutating func dispatch() -> SSEEvent? {
        defer {
            eventType = ""
            data = ""
            hasData = false
        }
        guard hasData else { return nil }
        var payload = data
        if payload.hasSuffix("\n") { payload.removeLast() }
        let event = SSEEvent(event: eventType.isEmpty ? nil : eventType, data: payload,
                             id: lastEventID.isEmpty ? nil : lastEventID, retry: retry)
        retry = nil
        return event
    }
}
