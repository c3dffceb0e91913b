import Foundation
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
                f.status.map(String.init) ?? (f.error != nil ? "ERR" : "-"), truncate(f.url, 60),
                f.model ?? "", f.inputTokens.map { "\($0)→\(f.outputTokens.map(String.init) ?? "?")" } ?? "",
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
        for flow in flows where flow.error != nil {
            lines.append("  \(flow.id): \(flow.error ?? "")")
        }
        return lines.joined(separator: "\n")
    }

    static func truncate(_ text: String, _ length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }
}

/// The terminal view of `sightline show`: the conversation when understood, then the raw exchange.
enum FlowDetailText {
    static func render(_ detail: FlowDetail) -> String {
        let s = detail.summary
        var out: [String] = []
        out.append("flow \(s.id)  \(s.mode.rawValue)  \(s.startedAt)")
        if let error = s.error { out.append("error: \(error)") }
        if let provider = s.provider {
            var line = "\(provider) \(s.endpoint ?? "") model=\(s.model ?? "?")"
            if let i = s.inputTokens { line += " tokens=\(i)→\(s.outputTokens.map(String.init) ?? "?")" }
            if let c = s.costUSD { line += " cost=$\(NSDecimalNumber(decimal: c).stringValue)" }
            if let t = s.ttftMs { line += " ttft=\(Int(t))ms" }
            out.append(line)
        }
        if let conversation = detail.conversation {
            out.append("")
            if let system = conversation.system { out.append("[system] \(system)") }
            for message in conversation.messages + conversation.output {
                let text = message.parts.map { part -> String in
                    switch part.type {
                    case "text", "refusal", "reasoning": return part.text ?? ""
                    case "tool_call": return "→ \(part.name ?? "tool")(\(part.arguments ?? ""))"
                    case "tool_result": return "← \(part.text ?? "")"
                    default: return "<\(part.type)>"
                    }
                }.joined(separator: "\n")
                out.append("[\(message.role)] \(text)")
            }
            if let error = conversation.error { out.append("[error] \(error)") }
        }
        out.append("")
        out.append("> \(detail.request.method) \(detail.request.url) \(detail.request.httpVersion)")
        for h in detail.request.headers { out.append("> \(h.name): \(h.value)") }
        out.append(bodyText(detail.request.body))
        if let response = detail.response {
            out.append("< \(response.httpVersion) \(response.status) \(response.reason)")
            for h in response.headers { out.append("< \(h.name): \(h.value)") }
            out.append(bodyText(response.body))
        }
        return out.joined(separator: "\n")
    }

    private static func bodyText(_ body: StoredBody) -> String {
        if body.omitted { return "(body omitted)" }
        if body.size == 0 { return "" }
        var text = body.text ?? "(\(body.bytes.count) bytes of binary data)"
        if body.truncated { text += "\n(truncated: \(body.size) bytes in all)" }
        return text
    }
}
