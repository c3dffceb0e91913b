import Foundation
import GRDB
import SightlineCore

// Aggregates read the few columns they need through a cursor inside one read transaction: no summaries,
// no headers, nothing held but the accumulator.
extension SQLiteFlowStore {
    static let factColumns = """
        flow.started_at, flow.mode, flow.host, flow.status, flow.error, flow.duration_ms, flow.provider, flow.model, \
        flow.input_tokens, flow.output_tokens, flow.cost_usd, flow.ttft_ms, flow.session_id, flow.session_name, flow.user_id, flow.gateway
        """

    public func accumulate<A: FlowAccumulator>(_ query: FlowQuery, into accumulator: A, maxFlows: Int) async throws -> (result: A, complete: Bool) {
        var query = query
        query.before = nil
        let (sql, arguments) = try Self.listSQL(query, columns: Self.factColumns, limit: maxFlows + 1, ordered: false)
        return try await reader.read { db in
            var result = accumulator
            var visited = 0
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            let decoder = JSONDecoder()
            while let row = try rows.next() {
                if visited == maxFlows { return (result, false) }
                visited += 1
                guard let mode = FlowMode(rawValue: row[1]) else { continue }
                let gateway: String? = row[15]
                result.add(CallFacts(
                    startedAt: Date(milliseconds: row[0]), mode: mode, host: row[2], status: row[3], error: row[4], durationMs: row[5],
                    provider: row[6], model: row[7], inputTokens: row[8], outputTokens: row[9],
                    costUSD: row[10],
                    ttftMs: row[11], sessionID: row[12], sessionName: row[13], userID: row[14],
                    gateway: gateway.flatMap { try? decoder.decode(GatewayRecord.self, from: Data($0.utf8)) }))
            }
            return (result, true)
        }
    }
}
