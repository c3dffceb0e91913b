import Foundation
import SightlineSetup
import SightlineStore

/// What `sightline run` prints when its child exits: the child's LLM calls per model (calls, tokens,
/// cost, errors, p50 latency), the other requests it made, and where to look at them.
struct RunSummary {
    let command: [String]
    let termination: ChildProcess.Termination
    /// nil when the flows could not be read back.
    let flows: [FlowSummary]?
    let whereToSee: [String]

    func text() -> String {
        var lines: [String] = []
        let status = termination.signal.map { "killed by signal \($0)" } ?? "exit \(termination.exitCode)"
        let shown = command.map(ShellQuoting.quote).joined(separator: " ")
        guard let flows else {
            lines.append("sightline: `\(shown)` ended (\(status)); its calls could not be read back")
            lines += whereToSee.map { "  see: " + $0 }
            return lines.joined(separator: "\n")
        }
        let calls = flows.filter { $0.mode != .tunnel && $0.provider != nil }
        let others = flows.count - calls.count
        lines.append("sightline: \(calls.count) LLM call\(calls.count == 1 ? "" : "s") while `\(shown)` ran (\(status))")
        if !calls.isEmpty {
            let rows = ModelStats.group(calls)
            let header = ["MODEL", "CALLS", "IN TOK", "OUT TOK", "COST", "ERRORS", "P50 MS"]
            var table = rows.map { row in
                [row.model, "\(row.calls)", "\(row.inputTokens)", "\(row.outputTokens)", Self.cost(row.costUSD), "\(row.errors)",
                 row.p50Ms.map { "\(Int($0.rounded()))" } ?? "-"]
            }
            if rows.count > 1 {
                var total = CallTotals()
                for call in calls { total.add(CallFacts(call)) }
                table.append(["total", "\(total.calls)", "\(total.inputTokens)", "\(total.outputTokens)",
                              Self.cost(total.pricedCalls == 0 ? nil : total.costUSD), "\(total.errors)",
                              total.latencies().p50Ms.map { "\(Int($0.rounded()))" } ?? "-"])
            }
            let all = [header] + table
            let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
            for row in all {
                lines.append("  " + row.enumerated().map { index, cell in
                    index == 0 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: widths[index] - cell.count) + cell
                }.joined(separator: "  "))
            }
        }
        if others > 0 { lines.append("  + \(others) other request\(others == 1 ? "" : "s")/connection\(others == 1 ? "" : "s") (not LLM APIs)") }
        lines.append("  see them: " + whereToSee.joined(separator: "   ·   "))
        return lines.joined(separator: "\n")
    }

    static func cost(_ value: Decimal?) -> String {
        guard let value else { return "unknown" }
        return String(format: "$%.6f", NSDecimalNumber(decimal: value).doubleValue)
    }
}
