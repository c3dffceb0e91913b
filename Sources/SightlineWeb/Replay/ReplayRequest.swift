import Foundation
import SightlineCore
import SightlineStore

/// A recorded request made ready to send again, optionally edited (`POST /api/flows/{id}/replay`
/// with `{"method", "url", "headers": [[name, value]…], "body"}`, each optional).
struct ReplayRequest {
    var method: String
    var url: String
    var headers: [HeaderField]
    var body: [UInt8]

    struct Edits: Decodable {
        var method: String?
        var url: String?
        var headers: [[String]]?
        var body: String?
    }

    /// Headers that belong to one connection or one encoding of the body, never replayed as recorded.
    static let dropped: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "proxy-connection", "proxy-authorization",
        "keep-alive", "te", "trailer", "upgrade", "expect",
        "sightline-target-url", "helicone-target-url",
        // The new flow gets its own id (a recorded one would collide with the original flow).
        "sightline-request-id", "helicone-request-id",
    ]

    init(flow: FlowDetail, edits: Edits?) throws(APIError) {
        guard flow.summary.mode != .tunnel else { throw APIError.badRequest("a tunnel has no request to replay") }
        method = edits?.method ?? flow.request.method
        url = edits?.url ?? flow.request.url
        if let body = edits?.body {
            self.body = Array(body.utf8)
        } else {
            guard !flow.request.body.omitted else { throw APIError(status: .conflict, message: "the request body was not stored (Omit-Request); send an edited body") }
            guard !flow.request.body.truncated else { throw APIError(status: .conflict, message: "only part of the request body was stored; send an edited body") }
            body = flow.request.body.bytes
        }
        var headers: [HeaderField]
        if let edited = edits?.headers {
            headers = try edited.map { pair throws(APIError) in
                guard pair.count == 2, !pair[0].isEmpty else { throw APIError.badRequest("headers must be [[name, value], …]") }
                return HeaderField(pair[0], pair[1])
            }
        } else {
            headers = flow.request.headers
            // The stored body is decompressed: sending it under its old encoding would garble it.
            if flow.request.body.decoded { headers.removeAll { $0.name.lowercased() == "content-encoding" } }
        }
        headers.removeAll { header in
            let name = header.name.lowercased()
            // A cached answer would make the replay pointless.
            return Self.dropped.contains(name) || name.hasPrefix("sightline-cache") || name.hasPrefix("helicone-cache")
        }
        for header in headers where header.name.contains(where: { $0 == "\r" || $0 == "\n" || $0 == ":" })
            || header.value.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw APIError.badRequest("header \(header.name.debugDescription) is not valid")
        }
        guard !method.isEmpty, method.allSatisfy({ $0.isLetter }) else { throw APIError.badRequest("method \(method.debugDescription) is not valid") }
        self.headers = headers
    }

    /// `https://host:port` and the origin-form target (`/v1/chat?x=1`) of `url`.
    func split() throws(APIError) -> (origin: String, target: String) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            throw APIError.badRequest("\(url.debugDescription) is not an http(s) URL")
        }
        var origin = "\(scheme)://\(host.contains(":") ? "[\(host)]" : host)"
        if let port = components.port { origin += ":\(port)" }
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        return (origin, target)
    }
}
