import ArgumentParser
import Foundation

/// `sightline replay ID`: sends a recorded call again through the running Sightline (as the UI's Replay does),
/// optionally edited, and prints the new flow and what changed against the original.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Send a recorded call again through the running Sightline, optionally edited; print the new flow and what changed.")

    @Argument(help: "The flow to replay (or `last`).") var id: String
    @Option(help: "Replace the request body's model.") var model: String?
    @Option(name: .customLong("set"), help: "Set a value in the JSON request body: JSON.PATH=VALUE (repeatable), e.g. temperature=0 or messages.0.content=hi.")
    var sets: [String] = []
    @OptionGroup var instance: InstanceOption
    @Flag(help: "Print JSON: {\"id\", \"status\", \"replay_of\", \"recorded\", \"diff\"}.") var json = false

    func run() async throws {
        let api = instance.api
        let original = try await instance.resolve(id)
        var edits: [String: Any] = [:]
        if model != nil || !sets.isEmpty {
            let detail = try await api.json(.GET, "/api/flows/\(original)")
            let request = detail["request"] as? [String: Any] ?? [:]
            guard let text = request["body"] as? String, let body = try? JSONSerialization.jsonObject(with: Data(text.utf8)) else {
                throw ValidationError("flow \(original)'s request body is not JSON text: --model and --set edit JSON bodies")
            }
            var edited = body
            if let model { edited = try JSONPathEdit(parsing: "model=\"\(model)\"").applied(to: edited) }
            for set in sets { edited = try JSONPathEdit(parsing: set).applied(to: edited) }
            edits["body"] = String(decoding: try JSONSerialization.data(withJSONObject: edited, options: [.withoutEscapingSlashes]), as: UTF8.self)
        }
        var answer = try await api.json(.POST, "/api/flows/\(original)/replay", body: edits)
        guard let newID = answer["id"] as? String else { throw ValidationError("the replay answered no flow id") }
        let diff = try? await api.json(.GET, "/api/flows/\(newID)/diff?against=\(original)")
        if json {
            answer["diff"] = diff ?? NSNull()
            print(String(decoding: try JSONSerialization.data(withJSONObject: answer, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]),
                         as: UTF8.self))
            return
        }
        let status = (answer["status"] as? Int).map(String.init) ?? "no response"
        print("replayed \(original) as \(newID): \(status)\((answer["recorded"] as? Bool) == false ? " (not recorded yet)" : "")")
        if let diff { DiffText.print(diff) }
    }
}

/// `sightline diff A [B]`: what A's request changed against B's (by default the call A continues, else the flow it replays).
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "What a call's request changed against another's.")

    @Argument(help: "The flow (or `last`).") var id: String
    @Argument(help: "The flow to compare with. Default: the call it continues, else the flow it replays.") var against: String?
    @OptionGroup var instance: InstanceOption
    @Flag(help: "Print the API's JSON.") var json = false

    func run() async throws {
        let flow = try await instance.resolve(id)
        var query = ""
        if let against { query = "?against=" + (try await instance.resolve(against)) }
        let diff = try await instance.api.json(.GET, "/api/flows/\(flow)/diff\(query)")
        if json {
            print(String(decoding: try JSONSerialization.data(withJSONObject: diff, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]),
                         as: UTF8.self))
        } else {
            DiffText.print(diff)
        }
    }
}

/// Where the running Sightline's API is, for the commands that act through it.
struct InstanceOption: ParsableArguments {
    @Option(help: "The running Sightline's UI/API address.") var ui = "127.0.0.1:9021"
    @Option(help: "Its UI password, if it has one. Also SIGHTLINE_UI_PASSWORD.") var uiPassword: String?

    var api: InstanceAPI {
        InstanceAPI(ui: ui, password: uiPassword ?? ProcessInfo.processInfo.environment["SIGHTLINE_UI_PASSWORD"])
    }

    /// A flow id as given, or the newest flow's for `last`; first checks that the instance answers.
    func resolve(_ id: String) async throws -> String {
        try await api.checkReachable()
        guard id == "last" else { return id }
        let page = try await api.json(.GET, "/api/flows?limit=1")
        guard let newest = (page["flows"] as? [[String: Any]])?.first?["id"] as? String else { throw ValidationError("no flows recorded yet") }
        return newest
    }
}

/// A diff from the API, in a few lines a person reads.
enum DiffText {
    static func print(_ diff: [String: Any]) {
        let added = diff["added_messages"] as? [[String: Any]] ?? []
        let removed = diff["removed_messages"] as? [[String: Any]] ?? []
        let changed = diff["changed_messages"] as? [[String: Any]] ?? []
        var lines: [String] = []
        for message in added { lines.append("+ \(summary(message))") }
        for message in removed { lines.append("- \(summary(message))") }
        for change in changed {
            lines.append("~ message \(change["index"] as? Int ?? 0): \(summary(change["before"] as? [String: Any] ?? [:])) → \(summary(change["after"] as? [String: Any] ?? [:]))")
        }
        if diff["system_changed"] as? Bool == true { lines.append("~ system prompt changed") }
        for tool in diff["tools_added"] as? [String] ?? [] { lines.append("+ tool \(tool)") }
        for tool in diff["tools_removed"] as? [String] ?? [] { lines.append("- tool \(tool)") }
        for (name, pair) in (diff["params_changed"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
            let values = pair as? [Any] ?? []
            lines.append("~ \(name): \(render(values.first)) → \(render(values.dropFirst().first))")
        }
        Swift.print("against \(diff["against"] as? String ?? "?"): " + (lines.isEmpty ? "no change in the request" : "\(lines.count) change\(lines.count == 1 ? "" : "s")"))
        for line in lines { Swift.print("  " + line) }
    }

    static func summary(_ message: [String: Any]) -> String {
        let parts = message["parts"] as? [[String: Any]] ?? []
        let text = parts.map { part -> String in
            switch part["type"] as? String {
            case "tool_call": return "tool call \(part["name"] as? String ?? "")(\(part["arguments"] as? String ?? ""))"
            case "tool_result": return "tool result \(part["text"] as? String ?? "")"
            default: return part["text"] as? String ?? "[\(part["type"] as? String ?? "part")]"
            }
        }.joined(separator: " ")
        let short = text.count > 120 ? String(text.prefix(117)) + "…" : text
        return "\(message["role"] as? String ?? "?"): \(short)"
    }

    static func render(_ value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "(none)" }
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .withoutEscapingSlashes]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }
}
