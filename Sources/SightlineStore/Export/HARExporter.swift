import Foundation
import SightlineCore

/// Turns recorded flows into a HAR 1.2 document (what browsers' dev tools and HTTP Toolkit import).
/// Bodies are the stored (decoded) bodies; binary ones are base64 with `encoding: "base64"`.
public enum HARExporter {
    public static func document(_ flows: [FlowDetail], creatorVersion: String) -> [String: Any] {
        ["log": [
            "version": "1.2",
            "creator": ["name": "Sightline", "version": creatorVersion],
            "entries": flows.filter { $0.summary.mode != .tunnel }.map(entry),
        ] as [String: Any]]
    }

    public static func data(_ flows: [FlowDetail], creatorVersion: String) throws -> Data {
        try JSONSerialization.data(withJSONObject: document(flows, creatorVersion: creatorVersion), options: [.prettyPrinted, .sortedKeys])
    }

    static func entry(_ flow: FlowDetail) -> [String: Any] {
        let t = flow.timings
        let connect = t.upstreamConnectedMs ?? -1
        let ssl = (t.tlsDoneMs != nil && t.upstreamConnectedMs != nil) ? max(0, t.tlsDoneMs! - t.upstreamConnectedMs!) : -1
        let send = max(0, (t.requestSentMs ?? 0) - (t.tlsDoneMs ?? t.upstreamConnectedMs ?? 0))
        let wait = max(0, (t.firstByteMs ?? 0) - (t.requestSentMs ?? 0))
        let receive = max(0, (t.lastByteMs ?? 0) - (t.firstByteMs ?? 0))
        var request: [String: Any] = [
            "method": flow.request.method, "url": flow.request.url, "httpVersion": flow.request.httpVersion,
            "cookies": [Any](), "headers": headers(flow.request.headers), "queryString": queryString(flow.request.url),
            "headersSize": -1, "bodySize": flow.request.body.size,
        ]
        if flow.request.body.size > 0 {
            request["postData"] = ["mimeType": flow.request.headers.first(named: "content-type") ?? "", "text": flow.request.body.text ?? ""]
        }
        var response: [String: Any] = [
            "status": flow.response?.status ?? 0, "statusText": flow.response?.reason ?? (flow.summary.error ?? ""),
            "httpVersion": flow.response?.httpVersion ?? "", "cookies": [Any](), "headers": headers(flow.response?.headers ?? []),
            "redirectURL": flow.response?.headers.first(named: "location") ?? "", "headersSize": -1,
            "bodySize": flow.response?.body.size ?? 0,
        ]
        var content: [String: Any] = ["size": flow.response?.body.bytes.count ?? 0,
                                      "mimeType": flow.response?.headers.first(named: "content-type") ?? ""]
        if let body = flow.response?.body, !body.bytes.isEmpty {
            if let text = body.text {
                content["text"] = text
            } else {
                content["text"] = Data(body.bytes).base64EncodedString()
                content["encoding"] = "base64"
            }
        }
        response["content"] = content
        var entry: [String: Any] = [
            "startedDateTime": RFC3339.string(from: flow.summary.startedAt),
            "time": flow.summary.durationMs ?? 0,
            "request": request, "response": response, "cache": [String: Any](),
            "timings": ["blocked": -1, "dns": -1, "connect": connect, "ssl": ssl, "send": send, "wait": wait, "receive": receive],
            "_sightline_id": flow.summary.id.description,
        ]
        if let error = flow.summary.error { entry["_error"] = error }
        if let kind = flow.summary.errorKind { entry["_error_kind"] = kind.rawValue }
        if let websocket = flow.websocket {
            entry["_resourceType"] = "websocket"
            entry["_webSocketMessages"] = webSocketMessages(websocket, start: flow.summary.startedAt)
        }
        return entry
    }

    /// Chrome's HAR extension for WebSocket sessions: `{type: send|receive, time (Unix seconds), opcode, data}`,
    /// binary payloads in base64 as Chrome writes them.
    private static func webSocketMessages(_ session: WebSocketSession, start: Date) -> [[String: Any]] {
        let opcodes = ["text": 1, "binary": 2, "close": 8, "ping": 9, "pong": 10]
        return session.messages.map { message in
            ["type": message.direction == .client ? "send" : "receive",
             "time": start.timeIntervalSince1970 + message.tMs / 1000,
             "opcode": opcodes[message.opcode] ?? 0,
             "data": message.text ?? message.dataBase64 ?? ""]
        }
    }

    private static func headers(_ fields: [HeaderField]) -> [[String: String]] {
        fields.map { ["name": $0.name, "value": $0.value] }
    }

    private static func queryString(_ url: String) -> [[String: String]] {
        guard let components = URLComponents(string: url) else { return [] }
        return (components.queryItems ?? []).map { ["name": $0.name, "value": $0.value ?? ""] }
    }
}

/// A `curl` command that sends a recorded request again (secrets stay redacted: fill them in).
public enum CurlCommand {
    static let skipped: Set<String> = ["content-length", "host", "connection", "proxy-connection", "accept-encoding", "transfer-encoding"]

    public static func render(_ flow: FlowDetail) -> String {
        var parts = ["curl", "-X", quote(flow.request.method), quote(flow.request.url)]
        for header in flow.request.headers where !skipped.contains(header.name.lowercased()) {
            parts += ["-H", quote("\(header.name): \(header.value)")]
        }
        if flow.request.body.size > 0, let text = flow.request.body.text {
            parts += ["--data-binary", quote(text)]
        }
        return parts.joined(separator: " ")
    }

    static func quote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
