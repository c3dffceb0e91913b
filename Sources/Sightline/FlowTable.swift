import Foundation
import SightlineCore
import SightlineStore

/// The terminal table of `sightline flows`.
enum FlowTable {
    static func render(_ flows: [FlowSummary]) -> String {
        let header = ["TIME", "ID", "MODE", "METHOD", "STATUS", "URL", "MODEL", "TOKENS", "COST", "MS"]
        let time = DateFormatter()
        time.dateFormat = "HH:mm:ss"
        let rows = flows.map { f -> [String] in
            [
                time.string(from: f.startedAt), f.id.description, f.mode.rawValue, f.method,
                f.status.map(String.init) ?? (FlowErrorText.render(f) != nil ? "ERR" : "-"), truncate(f.url, 60),
                // An MCP call has no model: its method says what it was.
                (f.provider == "mcp" ? f.endpoint : f.model) ?? "", f.inputTokens.map { "\($0)→\(f.outputTokens.map(String.init) ?? "?")" } ?? "",
                f.costUSD.map { "$" + NSDecimalNumber(decimal: $0).stringValue } ?? "",
                f.durationMs.map { String(Int($0.rounded())) } ?? "",
            ]
        }
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        var lines = all.map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        if rows.isEmpty { lines.append("(no flows recorded yet)") }
        for flow in flows {
            if let error = FlowErrorText.render(flow) { lines.append("  \(flow.id): \(error)") }
        }
        return lines.joined(separator: "\n")
    }

    static func truncate(_ text: String, _ length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}

/// The terminal view of `sightline show`: the conversation when understood, then the raw exchange.
enum FlowDetailText {
    static func render(_ detail: FlowDetail, style: TerminalStyle = TerminalStyle(enabled: false)) -> String {
        let s = detail.summary
        var out: [String] = []
        out.append(style.bold("flow \(s.id)") + "  \(s.mode.rawValue)  \(RFC3339Text.string(s.startedAt))")
        if let error = FlowErrorText.render(s) { out.append(style.red("error: \(error)")) }
        if let provider = s.provider {
            out.append(style.cyan(usageLine(s, provider: provider)))
        }
        if let conversation = detail.conversation {
            out.append("")
            if !conversation.tools.isEmpty {
                out.append(style.dim("tools: " + conversation.tools.map(\.name).joined(separator: ", ")))
            }
            if let system = conversation.system { out.append(style.magenta("system") + "  " + indent(system)) }
            for message in conversation.messages { out.append(render(message, style: style)) }
            if !conversation.output.isEmpty { out.append(style.dim("── response ──")) }
            for message in conversation.output { out.append(render(message, style: style)) }
            if let finish = conversation.finishReason { out.append(style.dim("finish: \(finish)")) }
            if let error = conversation.error { out.append(style.red("provider error: \(error)")) }
        }
        out.append("")
        out.append(style.bold("> \(detail.request.method) \(detail.request.url) \(detail.request.httpVersion)"))
        for h in detail.request.headers { out.append(style.dim("> ") + "\(h.name): \(h.value)") }
        out.append(bodyText(detail.request.body))
        if let response = detail.response {
            let statusLine = "< \(response.httpVersion) \(response.status) \(response.reason)"
            out.append(response.status >= 400 ? style.red(statusLine) : style.bold(statusLine))
            for h in response.headers { out.append(style.dim("< ") + "\(h.name): \(h.value)") }
            if let websocket = detail.websocket {
                out.append(contentsOf: webSocketLines(websocket, style: style))
            } else if detail.events.isEmpty {
                out.append(bodyText(response.body))
            } else {
                // Bedrock streams binary AWS event stream frames, recorded as events like SSE.
                let framed = response.headers.first(named: "Content-Type")?.lowercased().hasPrefix("application/vnd.amazon.eventstream") == true
                out.append(style.dim("(\(detail.events.count) \(framed ? "event stream frames" : "server-sent events"))"))
                for event in detail.events {
                    out.append(style.dim(String(format: "%8.1f ms ", event.tMs)) + (event.event.map { "[\($0)] " } ?? "") + event.data)
                }
            }
        }
        return out.joined(separator: "\n")
    }

    /// One line per message, `↑` from the app and `↓` from the server, then how the session ended.
    static func webSocketLines(_ session: WebSocketSession, style: TerminalStyle) -> [String] {
        var lines = [style.dim("(\(session.messages.count) WebSocket messages\(session.open ? ", session still open" : ""))")]
        for message in session.messages {
            let arrow = message.direction == .client ? style.green("↑") : style.blue("↓")
            var payload = message.opcode == "close" ? closeText(message)
                : message.text ?? message.dataBase64.map { "base64 " + $0 } ?? ""
            // A terminal line per message: audio chunks are kilobytes of base64 (`--json` has them whole).
            if payload.count > 400 { payload = String(payload.prefix(400)) + style.dim("… (\(message.size) bytes)") }
            var notes: [String] = []
            if message.truncated { notes.append("cut at \(message.size) bytes") }
            if message.compressed == true, message.inflated == false { notes.append("compressed, not inflated") }
            let note = notes.isEmpty ? "" : style.dim(" (" + notes.joined(separator: ", ") + ")")
            lines.append(style.dim(String(format: "%8.1f ms ", message.tMs)) + arrow + " " + style.dim("[\(message.opcode)] ") + payload + note)
        }
        if let close = session.close {
            let code = close.code.map { " \($0)" } ?? ""
            let reason = close.reason.map { " \"\($0)\"" } ?? ""
            lines.append(style.dim("closed\(code)\(reason) by the \(close.by == .client ? "app" : "server")"))
        } else if !session.open {
            lines.append(style.dim("ended without a close frame"))
        }
        return lines
    }

    private static func closeText(_ message: WebSocketMessage) -> String {
        guard let code = message.closeCode else { return "(no code)" }
        return "\(code)" + (message.closeReason.map { $0.isEmpty ? "" : " \"\($0)\"" } ?? "")
    }

    static func usageLine(_ s: FlowSummary, provider: String) -> String {
        if s.provider == "mcp" {
            // MCP is not an LLM call: no model, tokens or cost to report.
            var line = "mcp \(s.endpoint ?? "")"
            if s.stream { line += " · stream" }
            if let d = s.durationMs { line += " · \(Int(d.rounded())) ms" }
            return line
        }
        var line = "\(provider) \(s.endpoint ?? "") · \(s.model ?? "unknown model")"
        if s.stream { line += " · stream" }
        if let i = s.inputTokens { line += " · tokens \(i) in / \(s.outputTokens.map(String.init) ?? "?") out" }
        if let c = s.cachedInputTokens, c > 0 { line += " (\(c) cached)" }
        if let r = s.reasoningTokens, r > 0 { line += " (\(r) reasoning)" }
        line += " · cost " + (s.costUSD.map { "$" + NSDecimalNumber(decimal: $0).stringValue } ?? "unknown")
        if let d = s.durationMs { line += " · \(Int(d.rounded())) ms" }
        if let t = s.ttftMs { line += " · ttft \(Int(t.rounded())) ms" }
        if let tps = s.tokensPerSecond { line += String(format: " · %.1f tok/s", tps) }
        return line
    }

    private static func render(_ message: Conversation.Message, style: TerminalStyle) -> String {
        let role: String
        switch message.role {
        case "user": role = style.green("user")
        case "assistant": role = style.blue("assistant")
        case "tool": role = style.yellow("tool")
        default: role = style.magenta(message.role)
        }
        let parts = message.parts.map { part -> String in
            switch part.type {
            case "text": return part.text ?? ""
            case "refusal": return style.red("refusal: ") + (part.text ?? "")
            case "reasoning": return style.dim("thinking: " + (part.text ?? ""))
            case "tool_call":
                return style.yellow("→ \(part.name ?? "tool")") + (part.id.map { style.dim(" [\($0)]") } ?? "") + "\n" + prettyJSON(part.arguments ?? "")
            case "tool_result":
                return style.yellow("← result") + (part.id.map { style.dim(" [\($0)]") } ?? "") + (part.isError == true ? style.red(" error") : "")
                    + "\n" + (part.text ?? "")
            case "image": return style.dim("<image \(part.mediaType ?? part.url ?? "")>")
            // Realtime sessions carry the transcript of what was said.
            case "audio":
                let duration = part.durationMs.map { " \(Int($0.rounded())) ms" } ?? ""
                return style.dim("<audio\(duration)>") + (part.text.map { " " + $0 } ?? "")
            default: return style.dim("<\(part.type)>")
            }
        }
        return role + "  " + indent(parts.joined(separator: "\n"))
    }

    private static func indent(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: "\n    ")
    }

    static func prettyJSON(_ text: String) -> String {
        guard let data = text.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data),
              let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return text }
        return String(decoding: pretty, as: UTF8.self)
    }

    private static func bodyText(_ body: StoredBody) -> String {
        if body.omitted { return "(body omitted)" }
        if body.size == 0 { return "" }
        var text = body.text.map(prettyJSON) ?? "(\(body.bytes.count) bytes of binary data)"
        if body.truncated { text += "\n(truncated: \(body.size) bytes in all)" }
        return text
    }
}

enum RFC3339Text {
    static func string(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

import SightlineLLM
