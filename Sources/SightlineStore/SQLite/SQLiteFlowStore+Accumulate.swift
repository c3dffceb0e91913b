import Foundation
import GRDB
import SightlineCore

// Aggregates read the few columns they need through a cursor inside one read transaction: no summaries,
// no headers, nothing held but the accumulator.
extension SQLiteFlowStore {
    static let factColumns = """
        flow.started_at, flow.mode, flow.host, flow.status, flow.error, flow.error_kind, flow.duration_ms, flow.provider, flow.model, \
        flow.input_tokens, flow.output_tokens, flow.cost_usd, flow.ttft_ms, flow.session_id, flow.session_name, flow.user_id, flow.gateway, \
        flow.instance
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
                if let facts = Self.facts(row, decoder) { result.add(facts) }
            }
            return (result, true)
        }
    }

    /// A row of `factColumns`; nil for a mode this build does not know.
    static func facts(_ row: Row, _ decoder: JSONDecoder) -> CallFacts? {
        guard let mode = FlowMode(rawValue: row[1]) else { return nil }
        let errorKind: String? = row[5]
        let gateway: String? = row[16]
        return CallFacts(
            startedAt: Date(milliseconds: row[0]), mode: mode, host: row[2], status: row[3], error: row[4],
            errorKind: errorKind.flatMap(FlowErrorKind.init(rawValue:)), durationMs: row[6],
            provider: row[7], model: row[8], inputTokens: row[9], outputTokens: row[10],
            costUSD: row[11],
            ttftMs: row[12], sessionID: row[13], sessionName: row[14], userID: row[15],
            gateway: gateway.flatMap { try? decoder.decode(GatewayRecord.self, from: Data($0.utf8)) }, instance: row[17])
    }
}
