import NIOHTTP1

/// Checks how a request says its body is delimited before anything of it is forwarded (RFC 9112 §6).
/// The relay sends the body framed the way the parser read it, so the framing headers must mean exactly
/// that to the upstream too; where they could mean something else, the request is refused and the
/// connection closed rather than relayed, because that disagreement is what request smuggling exploits.
enum RequestFraming {
    enum Verdict: Equatable {
        /// Forward with these headers (the same, or `Transfer-Encoding` spelled as the relay frames it).
        case forward(HTTPHeaders)
        case refuse(HTTPResponseStatus, String)
    }

    static func check(_ headers: HTTPHeaders) -> Verdict {
        if headers["host"].count > 1 {
            return .refuse(.badRequest, "more than one Host header")
        }
        let sent = headers[canonicalForm: "transfer-encoding"]
        guard !sent.isEmpty else { return .forward(headers) }
        let codings = sent.map { $0.lowercased() }
        guard codings == ["chunked"] else {
            return .refuse(.notImplemented,
                           "Transfer-Encoding \(codings.joined(separator: ", ")) is not supported; send the body with Transfer-Encoding: chunked or Content-Length")
        }
        if headers.contains(name: "content-length") {
            return .refuse(.badRequest, "both Content-Length and Transfer-Encoding")
        }
        // `Chunked` is the same coding as `chunked`, but the encoder frames the body only for the exact spelling.
        guard sent != ["chunked"] else { return .forward(headers) }
        var forwarded = HTTPHeaders()
        for (name, value) in headers {
            forwarded.add(name: name, value: name.lowercased() == "transfer-encoding" ? "chunked" : value)
        }
        return .forward(forwarded)
    }
}
