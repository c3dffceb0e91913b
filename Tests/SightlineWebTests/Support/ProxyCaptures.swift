import Foundation
import SightlineCore

/// Captures as the proxy hands them to the recorder: one that failed (a sentence and its kind, no response)
/// and one that was answered (with a status that may still be a failure, but no error).
enum ProxyCaptures {
    static func failed(_ kind: FlowErrorKind, at start: Date = Date(), host: String = "api.openai.com") -> FlowCapture {
        var capture = request(at: start, host: host)
        capture.error = "\(kind.rawValue): as the proxy would say it"
        capture.errorKind = kind
        capture.timings.lastByteMs = 12
        return capture
    }

    static func answered(status: Int = 200, at start: Date = Date(), host: String = "api.openai.com") -> FlowCapture {
        var capture = request(at: start, host: host)
        capture.response = CapturedResponse(status: status, reason: status == 200 ? "OK" : "Error", httpVersion: "HTTP/1.1",
                                            headers: [HeaderField("Content-Type", "application/json")],
                                            body: CapturedBody(capBytes: 1 << 20, bytes: Array(#"{"id":"x"}"#.utf8)))
        capture.timings.lastByteMs = 30
        return capture
    }

    private static func request(at start: Date, host: String) -> FlowCapture {
        FlowCapture(id: FlowID.make(at: start), mode: .proxy, clientAddress: "127.0.0.1:50000",
                    request: CapturedRequest(method: "POST", url: "https://\(host)/v1/chat/completions", httpVersion: "HTTP/1.1",
                                             headers: [HeaderField("Content-Type", "application/json")],
                                             body: CapturedBody(capBytes: 1 << 20, bytes: Array(#"{"model":"gpt-4o","messages":[]}"#.utf8))),
                    timings: FlowTimings(start: start))
    }
}
