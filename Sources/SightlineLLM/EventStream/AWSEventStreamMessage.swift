/// One message of an AWS event stream (`application/vnd.amazon.eventstream`): typed headers and a payload.
public struct AWSEventStreamMessage: Sendable, Hashable {
    /// Header values as text: strings as they are, numbers and booleans spelled out, bytes and UUIDs in hex.
    public var headers: [String: String]
    public var payload: [UInt8]

    public init(headers: [String: String], payload: [UInt8]) {
        self.headers = headers
        self.payload = payload
    }

    /// `event`, `exception` or `error`.
    public var messageType: String? { headers[":message-type"] }
}
