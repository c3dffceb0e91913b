import Foundation
import SightlineCore
import SightlineLLM

// The JSON shape of SPEC §5.1 `GET /api/flows/{id}`. The summary is flattened into the top level,
// which is why this is written by hand: two keyed containers on one encoder merge their keys.
extension FlowDetail: Codable {
    enum CodingKeys: String, CodingKey {
        case request, response, timings, events, conversation, websocket, mcp
    }

    public init(from decoder: any Decoder) throws {
        summary = try FlowSummary(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        request = try c.decode(Request.self, forKey: .request)
        response = try c.decodeIfPresent(Response.self, forKey: .response)
        timings = try c.decode(TimingsJSON.self, forKey: .timings).timings
        events = try c.decodeIfPresent([TimedSSEEvent].self, forKey: .events) ?? []
        conversation = try c.decodeIfPresent(Conversation.self, forKey: .conversation)
        websocket = try c.decodeIfPresent(WebSocketSession.self, forKey: .websocket)
    }

    public func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(request, forKey: .request)
        try c.encode(response, forKey: .response)
        try c.encode(TimingsJSON(timings), forKey: .timings)
        try c.encode(events, forKey: .events)
        try c.encode(conversation, forKey: .conversation)
        try c.encodeIfPresent(websocket, forKey: .websocket)
        // Derived, not stored: decoding reads it back from the bodies.
        try c.encodeIfPresent(mcp, forKey: .mcp)
    }
}

/// `FlowTimings` with `start` as RFC 3339 text and explicit nulls, whatever the encoder's date strategy.
private struct TimingsJSON: Codable {
    var timings: FlowTimings

    init(_ timings: FlowTimings) { self.timings = timings }

    enum CodingKeys: String, CodingKey {
        case start
        case upstreamConnectedMs = "upstream_connected_ms", tlsDoneMs = "tls_done_ms"
        case requestSentMs = "request_sent_ms", firstByteMs = "first_byte_ms", lastByteMs = "last_byte_ms"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let start = try c.decode(String.self, forKey: .start)
        guard let date = RFC3339.date(from: start) else {
            throw DecodingError.dataCorruptedError(forKey: .start, in: c, debugDescription: "not RFC 3339: \(start)")
        }
        timings = FlowTimings(start: date)
        timings.upstreamConnectedMs = try c.decodeIfPresent(Double.self, forKey: .upstreamConnectedMs)
        timings.tlsDoneMs = try c.decodeIfPresent(Double.self, forKey: .tlsDoneMs)
        timings.requestSentMs = try c.decodeIfPresent(Double.self, forKey: .requestSentMs)
        timings.firstByteMs = try c.decodeIfPresent(Double.self, forKey: .firstByteMs)
        timings.lastByteMs = try c.decodeIfPresent(Double.self, forKey: .lastByteMs)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(RFC3339.string(from: timings.start), forKey: .start)
        try c.encode(timings.upstreamConnectedMs, forKey: .upstreamConnectedMs)
        try c.encode(timings.tlsDoneMs, forKey: .tlsDoneMs)
        try c.encode(timings.requestSentMs, forKey: .requestSentMs)
        try c.encode(timings.firstByteMs, forKey: .firstByteMs)
        try c.encode(timings.lastByteMs, forKey: .lastByteMs)
    }
}

/// The keys a request or response shares for its body: `body` (UTF-8 text) or `body_base64`.
private enum BodyKeys: String, CodingKey {
    case body, bodyBase64 = "body_base64", bodyTruncated = "body_truncated", bodySize = "body_size"
    case bodyDecoded = "body_decoded", omitted
}

extension StoredBody {
    fileprivate func encode(into c: inout KeyedEncodingContainer<BodyKeys>) throws {
        if let text {
            try c.encode(text, forKey: .body)
        } else {
            try c.encode(Data(bytes).base64EncodedString(), forKey: .bodyBase64)
        }
        try c.encode(truncated, forKey: .bodyTruncated)
        try c.encode(size, forKey: .bodySize)
        try c.encode(decoded, forKey: .bodyDecoded)
        try c.encode(omitted, forKey: .omitted)
    }

    fileprivate init(from c: KeyedDecodingContainer<BodyKeys>) throws {
        let bytes: [UInt8]
        if let base64 = try c.decodeIfPresent(String.self, forKey: .bodyBase64) {
            guard let data = Data(base64Encoded: base64) else {
                throw DecodingError.dataCorruptedError(forKey: .bodyBase64, in: c, debugDescription: "not base64")
            }
            bytes = [UInt8](data)
        } else {
            bytes = Array((try c.decodeIfPresent(String.self, forKey: .body) ?? "").utf8)
        }
        self.init(bytes: bytes,
                  size: try c.decodeIfPresent(Int.self, forKey: .bodySize) ?? bytes.count,
                  truncated: try c.decodeIfPresent(Bool.self, forKey: .bodyTruncated) ?? false,
                  decoded: try c.decodeIfPresent(Bool.self, forKey: .bodyDecoded) ?? false,
                  omitted: try c.decodeIfPresent(Bool.self, forKey: .omitted) ?? false)
    }
}

extension FlowDetail.Request: Codable {
    enum CodingKeys: String, CodingKey {
        case method, url, httpVersion = "http_version", headers
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        method = try c.decode(String.self, forKey: .method)
        url = try c.decode(String.self, forKey: .url)
        httpVersion = try c.decode(String.self, forKey: .httpVersion)
        headers = try c.decode([HeaderField].self, forKey: .headers)
        body = try StoredBody(from: decoder.container(keyedBy: BodyKeys.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(method, forKey: .method)
        try c.encode(url, forKey: .url)
        try c.encode(httpVersion, forKey: .httpVersion)
        try c.encode(headers, forKey: .headers)
        var bodyContainer = encoder.container(keyedBy: BodyKeys.self)
        try body.encode(into: &bodyContainer)
    }
}

extension FlowDetail.Response: Codable {
    enum CodingKeys: String, CodingKey {
        case status, reason, httpVersion = "http_version", headers
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decode(Int.self, forKey: .status)
        reason = try c.decode(String.self, forKey: .reason)
        httpVersion = try c.decode(String.self, forKey: .httpVersion)
        headers = try c.decode([HeaderField].self, forKey: .headers)
        body = try StoredBody(from: decoder.container(keyedBy: BodyKeys.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(status, forKey: .status)
        try c.encode(reason, forKey: .reason)
        try c.encode(httpVersion, forKey: .httpVersion)
        try c.encode(headers, forKey: .headers)
        var bodyContainer = encoder.container(keyedBy: BodyKeys.self)
        try body.encode(into: &bodyContainer)
    }
}
