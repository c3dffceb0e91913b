import NIOCore
import NIOHTTP1
import SightlineCore
import SightlineLLM

/// A response Sightline makes itself instead of relaying one: an error, 407, 429, 413, an injected
/// fault or a cache hit. Every locally made answer is one of these, written by one writer.
struct LocalAnswer: Equatable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: [UInt8]

    /// `reason` as plain text with `Sightline-Error: kind` (proxy errors: 502, 504, 400, 403, 407…).
    static func plainError(_ status: HTTPResponseStatus, kind: FlowErrorKind, close: Bool, reason: String,
                           extraHeaders: [(String, String)] = []) -> LocalAnswer {
        let body = Array((reason + "\n").utf8)
        var headers = HTTPHeaders([("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "\(body.count)"),
                                   ("Sightline-Error", kind.rawValue)])
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        if close { headers.add(name: "Connection", value: "close") }
        return LocalAnswer(status: status, headers: headers, body: body)
    }

    /// A gateway answer in the providers' error shape, `{"error":{"type","message"}}`, with `Sightline-Error`.
    static func gatewayError(_ status: Int, type: String, message: String, headers extra: [(String, String)]) -> LocalAnswer {
        let text = #"{"error":{"type":"# + JSONValue.string(type).canonicalText + #","message":"#
            + JSONValue.string(message).canonicalText + "}}"
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(text.utf8.count)"),
                                   ("Sightline-Error", type)])
        for (name, value) in extra { headers.add(name: name, value: value) }
        return LocalAnswer(status: HTTPResponseStatus(statusCode: status), headers: headers, body: Array(text.utf8))
    }

    /// The response as the flow records it.
    func captured(bodyCap: Int) -> CapturedResponse {
        CapturedResponse(status: Int(status.code), reason: status.reasonPhrase, httpVersion: "HTTP/1.1", headers: headers.fields,
                         body: CapturedBody(capBytes: bodyCap, bytes: body))
    }
}
