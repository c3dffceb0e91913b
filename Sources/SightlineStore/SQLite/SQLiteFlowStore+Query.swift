import GRDB
import SightlineCore

// Listing: keyset pagination newest first. `id` is a UUIDv7 whose text sorts by time, so a page is
// `id < cursor ORDER BY id DESC LIMIT n+1` on an index: no OFFSET, no COUNT, as fast on page 1000 as on page 1.
extension SQLiteFlowStore {
    public func flows(_ query: FlowQuery) async throws -> FlowPage {
        let (sql, arguments) = try Self.listSQL(query)
        return try await reader.read { db in
            let rows = try FlowRow.fetchAll(db, sql: sql, arguments: arguments)
            let hasMore = rows.count > query.limit
            let page = rows.prefix(query.limit).compactMap { $0.summary() }
            return FlowPage(flows: page, next: hasMore ? rows[query.limit - 1].id : nil)
        }
    }

    static func listSQL(_ query: FlowQuery) throws -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments = StatementArguments()
        func add(_ condition: String, _ values: [(any DatabaseValueConvertible)?]) {
            conditions.append(condition)
            arguments += StatementArguments(values)
        }
        if let before = query.before {
            guard let cursor = FlowID(before) else { throw StoreError.invalidCursor(before) }
            add("id < ?", [cursor.description])
        }
        if let host = query.host { add("host = ?", [host.lowercased()]) }
        if let provider = query.provider { add("provider = ?", [provider]) }
        if let model = query.model { add("model = ?", [model]) }
        if let status = query.status { add("status = ?", [status]) }
        if let mode = query.mode { add("mode = ?", [mode.rawValue]) }
        if let session = query.session { add("session_id = ?", [session]) }
        if let user = query.user { add("user_id = ?", [user]) }
        // Property names are header names, so they match whatever their case (SDKs lower-case headers).
        for (name, value) in query.properties.sorted(by: { $0.key < $1.key }) {
            add("id IN (SELECT flow_id FROM flow_property WHERE lower(name) = lower(?) AND value = ?)", [name, value])
        }
        if let q = query.q, let match = FullTextQuery.matchExpression(q) {
            add("seq IN (SELECT rowid FROM flow_fts WHERE flow_fts MATCH ?)", [match])
        }
        var sql = "SELECT * FROM flow"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY id DESC LIMIT ?"
        arguments += [query.limit + 1]
        return (sql, arguments)
    }
}

/// Turns what a user types into a safe FTS5 query: every word must appear (as a prefix), and
/// FTS5 operators or quotes in the input are taken literally instead of failing the query.
enum FullTextQuery {
    static func matchExpression(_ text: String) -> String? {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        guard !words.isEmpty else { return nil }
        return words.map { word in
            "\"" + word.replacingOccurrences(of: "\"", with: "\"\"") + "\"*"
        }.joined(separator: " ")
    }
}
