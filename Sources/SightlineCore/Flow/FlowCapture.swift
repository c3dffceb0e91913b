import Foundation

/// How a flow reached Sightline.
public enum FlowMode: String, Sendable, Codable, CaseIterable {
    /// A forward-proxied request: absolute-form HTTP or HTTP inside an intercepted CONNECT.
    case proxy
    /// An origin-form request on the proxy port (base-URL traffic).
    case gateway
    /// A CONNECT tunnel that was not intercepted: only host, bytes and duration are known.
    case tunnel
}

/// The request side of a captured exchange, as the client sent it.
public struct CapturedRequest: Sendable {
    public var method: String
    /// The absolute URL the client asked for (`https://host/path?query`).
    public var url: String
    public var httpVersion: String
    public var headers: [HeaderField]
    public var body: CapturedBody

    public init(method: String, url: String, httpVersion: String, headers: [HeaderField], body: CapturedBody) {
        self.method = method
        self.url = url
        self.httpVersion = httpVersion
        self.headers = headers
        self.body = body
    }
}

/// The response side of a captured exchange, as the upstream sent it.
public struct CapturedResponse: Sendable {
    public var status: Int
    public var reason: String
    public var httpVersion: String
    public var headers: [HeaderField]
    public var body: CapturedBody

    public init(status: Int, reason: String, httpVersion: String, headers: [HeaderField], body: CapturedBody) {
        self.status = status
        self.reason = reason
        self.httpVersion = httpVersion
        self.headers = headers
        self.body = body
    }
}

/// When a run of response body bytes arrived: `endOffset` is the body size once the chunk was in.
/// Kept per chunk on the data path (cheap), turned into per-event times off it.
public struct ChunkArrival: Sendable, Hashable {
    public var endOffset: Int
    public var tMs: Double

    public init(endOffset: Int, tMs: Double) {
        self.endOffset = endOffset
        self.tMs = tMs
    }
}

/// Milestones of one exchange, in milliseconds since `start`.
public struct FlowTimings: Sendable, Hashable, Codable {
    public var start: Date
    public var upstreamConnectedMs: Double?
    public var tlsDoneMs: Double?
    public var requestSentMs: Double?
    public var firstByteMs: Double?
    public var lastByteMs: Double?

    public init(start: Date) { self.start = start }

    enum CodingKeys: String, CodingKey {
        case start
        case upstreamConnectedMs = "upstream_connected_ms"
        case tlsDoneMs = "tls_done_ms"
        case requestSentMs = "request_sent_ms"
        case firstByteMs = "first_byte_ms"
        case lastByteMs = "last_byte_ms"
    }
}

/// What the gateway header protocol (or the same headers on intercepted traffic) asked to record.
public struct FlowAnnotations: Sendable, Hashable, Codable {
    public var properties: [String: String] = [:]
    public var userID: String?
    public var sessionID: String?
    public var sessionPath: String?
    public var sessionName: String?
    public var omitRequest = false
    public var omitResponse = false

    public init() {}
}

/// Everything the proxy saw of one exchange, handed to a `CaptureSink` when the exchange ends.
/// Raw facts only: decoding, redaction and pricing happen on the writer side.
public struct FlowCapture: Sendable {
    public var id: FlowID
    public var mode: FlowMode
    public var clientAddress: String?
    public var request: CapturedRequest
    public var response: CapturedResponse?
    /// Where the request really went, when `--map-remote` or the gateway changed it.
    public var upstreamURL: String?
    public var timings: FlowTimings
    public var responseChunks: [ChunkArrival] = []
    /// For a relayed WebSocket session: its frames both ways, in the order they were read.
    public var webSocketFrames: [CapturedWebSocketFrame] = []
    /// What went wrong, for a person to read; `errorKind` says the same for code.
    public var error: String?
    public var errorKind: FlowErrorKind?
    public var annotations = FlowAnnotations()
    /// Set when the request asked for gateway features (cache, retries, rate limits, faults).
    public var gateway: GatewayRecord?

    public init(id: FlowID, mode: FlowMode, clientAddress: String?, request: CapturedRequest, timings: FlowTimings) {
        self.id = id
        self.mode = mode
        self.clientAddress = clientAddress
        self.request = request
        self.timings = timings
    }
}

/// The proxy's only view of recording: hand over a finished capture without waiting.
/// Implementations must never block the caller (the caller is an event loop).
public protocol CaptureSink: Sendable {
    func record(_ capture: FlowCapture)
}
