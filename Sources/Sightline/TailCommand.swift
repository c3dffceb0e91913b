import ArgumentParser
import Foundation
import SightlineCore
import SightlineStore

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tail", abstract: "Print one line per call as it is recorded (Ctrl-C to stop).")

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var filters: FlowFilterOptions
    @Option(help: "Also print this many recent flows first.") var history = 0

    func run() async throws {
        try await StoreOpener.reading(data, storeOption) { store in try await follow(store) }
    }

    private func follow(_ store: any FlowStore) async throws {
        let style = TerminalStyle(enabled: isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
        let recent = try await store.flows(filters.query(limit: max(1, history))).flows
        for flow in recent.prefix(history).reversed() { Console.line(TailLine.render(flow, style: style)) }
        var newest = recent.first?.id
        // A WebSocket session is printed when it opens and again when it ends (with its messages and tokens).
        var openSessions: [FlowID] = recent.prefix(history).filter { $0.websocket?.open == true }.map(\.id)
        // The store is shared with the running proxy (SQLite WAL, or PostgreSQL): poll it rather than needing the UI port.
        while !Task.isCancelled {
            try await Task.sleep(for: .milliseconds(300))
            let page = try await store.flows(filters.query(limit: 200)).flows
            let fresh = page.filter { newest == nil || $0.id > newest! }
            for flow in fresh.reversed() {
                Console.line(TailLine.render(flow, style: style))
                if flow.websocket?.open == true { openSessions.append(flow.id) }
            }
            if let first = fresh.first { newest = first.id }
            var stillOpen: [FlowID] = []
            for id in openSessions {
                guard let flow = try await store.summary(id: id) else { continue }
                if flow.websocket?.open == true { stillOpen.append(id) } else { Console.line(TailLine.render(flow, style: style)) }
            }
            openSessions = stillOpen
        }
    }
}

/// `time provider model status tokens cost latency ttft url`, one line per flow.
enum TailLine {
    static func render(_ f: FlowSummary, style: TerminalStyle) -> String {
        let time = f.startedAt.formatted(Date.FormatStyle().hour(.twoDigits(amPM: .omitted)).minute(.twoDigits).second(.twoDigits))
        let status = f.status.map(String.init) ?? "ERR"
        let statusText = (f.status ?? 500) >= 400 || f.error != nil ? style.red(status) : style.green(status)
        var fields = [time, (f.provider ?? f.mode.rawValue).padding(toLength: 10, withPad: " ", startingAt: 0),
                      // An MCP call has no model: its method says what it was.
                      ((f.provider == "mcp" ? f.endpoint : f.model) ?? "-").padding(toLength: 24, withPad: " ", startingAt: 0),
                      statusText]
        fields.append(f.inputTokens.map { "\($0)→\(f.outputTokens.map(String.init) ?? "?") tok" } ?? "")
        fields.append(f.costUSD.map { "$" + NSDecimalNumber(decimal: $0).stringValue } ?? "")
        fields.append(f.durationMs.map { "\(Int($0.rounded())) ms" } ?? "")
        fields.append(f.ttftMs.map { "ttft \(Int($0.rounded())) ms" } ?? "")
        if let websocket = f.websocket {
            fields.append(websocket.open ? style.cyan("ws open") : style.cyan("ws \(websocket.messages) msgs"))
        }
        fields.append(style.dim(f.url))
        if let error = FlowErrorText.render(f) { fields.append(style.red(error)) }
        return fields.filter { !$0.isEmpty }.joined(separator: "  ")
    }
}
