import GRDB
import SightlineCore

// Listing: keyset pagination newest first, no OFFSET and no COUNT, so page 1000 costs what page 1 costs.
// Each page is read by walking one index backwards and stopping after `limit + 1` rows; which index leads
// depends on the filters, because a filter that matches half of a million flows must not be materialised
// and sorted (that took a second), and one that matches ten must not be found by scanning them all:
// - full text: the FTS5 index in rowid order (rowid = flow.seq, the recording order), other filters on the row;
// - a property: the (lower(name), value, flow_id) index, whose flow_id order is the id order;
// - otherwise: the flow table's indexes, which all end in id (a UUIDv7, whose text sorts by time).
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

    /// `ordered: false` leaves the order to SQLite (aggregates): a window holding most of the store is then
    /// read in table order rather than by a million index lookups.
    static func listSQL(_ query: FlowQuery, columns: String = "flow.*", limit: Int? = nil, ordered: Bool = true) throws -> (String, StatementArguments) {
        var sql = ListSQL()
        let cursor = try query.before.map { before -> String in
            guard let id = FlowID(before) else { throw StoreError.invalidCursor(before) }
            return id.description
        }
        var properties = query.properties.sorted(by: { $0.key < $1.key })[...]
        let orderBy: String
        if let q = query.q, let match = FullTextQuery.matchExpression(q) {
            sql.from = "flow_fts JOIN flow ON flow.seq = flow_fts.rowid"
            sql.add("flow_fts MATCH ?", [match])
            // The cursor is a flow id; in recording order it stands for its seq (or, for an id that is
            // not stored, such as a time turned into a cursor, the seq of the next newer flow).
            if let cursor {
                sql.add("flow_fts.rowid < coalesce((SELECT seq FROM flow WHERE id >= ? ORDER BY id LIMIT 1), 9223372036854775807)", [cursor])
            }
            orderBy = "flow_fts.rowid DESC"
        } else if let (name, value) = properties.popFirst() {
            // Property names are header names, so they match whatever their case (SDKs lower-case headers).
            sql.from = "flow_property AS p JOIN flow ON flow.id = p.flow_id"
            sql.add("lower(p.name) = lower(?) AND p.value = ?", [name, value])
            if let cursor { sql.add("p.flow_id < ?", [cursor]) }
            orderBy = "p.flow_id DESC"
        } else {
            if let cursor { sql.add("flow.id < ?", [cursor]) }
            orderBy = "flow.id DESC"
        }
        for (name, value) in properties {
            sql.add("""
                EXISTS (SELECT 1 FROM flow_property AS other WHERE other.flow_id = flow.id \
                AND lower(other.name) = lower(?) AND other.value = ?)
                """, [name, value])
        }
        if let host = query.host { sql.add("flow.host = ?", [host.lowercased()]) }
        if let provider = query.provider { sql.add("flow.provider = ?", [provider]) }
        if let model = query.model { sql.add("flow.model = ?", [model]) }
        if let status = query.status { sql.add("flow.status = ?", [status]) }
        if let mode = query.mode { sql.add("flow.mode = ?", [mode.rawValue]) }
        if query.hideTunnels { sql.add("flow.mode != 'tunnel'", []) }
        if let session = query.session { sql.add("flow.session_id = ?", [session]) }
        if let thread = query.thread { sql.add("flow.thread_id = ?", [thread]) }
        if let user = query.user { sql.add("flow.user_id = ?", [user]) }
        if let errorKind = query.errorKind { sql.add("flow.error_kind = ?", [errorKind.rawValue]) }
        // A flow's id starts with its start time, so a time bound is also an id bound, which the indexes
        // ending in id can seek to instead of walking the newer flows.
        if let since = query.since {
            sql.add("flow.id >= ? AND flow.started_at >= ?", [Self.smallestID(atMilliseconds: since.unixMilliseconds), since.unixMilliseconds])
        }
        if let until = query.until {
            sql.add("flow.id < ? AND flow.started_at < ?", [Self.smallestID(atMilliseconds: until.unixMilliseconds), until.unixMilliseconds])
        }
        return sql.finish(columns: columns, orderBy: ordered ? orderBy : nil, limit: limit ?? query.limit + 1)
    }
}

extension SQLiteFlowStore {
    /// The text of the smallest UUIDv7 minted in millisecond `ms`: every flow id of that millisecond or later sorts at
    /// or after it, every earlier one before it.
    static func smallestID(atMilliseconds ms: Int64) -> String {
        let hex = String(UInt64(max(0, ms)), radix: 16)
        let padded = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        return "\(padded.prefix(8))-\(padded.suffix(4))-7000-8000-000000000000"
    }
}

private struct ListSQL {
    var from = "flow"
    private var conditions: [String] = []
    private var arguments = StatementArguments()

    mutating func add(_ condition: String, _ values: [(any DatabaseValueConvertible)?]) {
        conditions.append(condition)
        arguments += StatementArguments(values)
    }

    func finish(columns: String, orderBy: String?, limit: Int) -> (String, StatementArguments) {
        var sql = "SELECT \(columns) FROM \(from)"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if let orderBy { sql += " ORDER BY \(orderBy)" }
        return (sql + " LIMIT ?", arguments + [limit])
    }
}

/// Turns what a user types into a safe FTS5 query: every word must appear as a whole word, or as a
/// prefix when it ends in `*` (as in SQLite and PostgreSQL full-text search: a prefix merges the lists of
/// every word it starts, which over a million flows costs tens of milliseconds instead of one).
/// FTS5 operators or quotes in the input are taken literally instead of failing the query.
enum FullTextQuery {
    static func matchExpression(_ text: String) -> String? {
        let words = text.split(whereSeparator: { $0.isWhitespace }).compactMap { word -> String? in
            let isPrefix = word.hasSuffix("*")
            let stem = isPrefix ? String(word.dropLast()) : String(word)
            guard !stem.isEmpty else { return nil }
            return "\"" + stem.replacingOccurrences(of: "\"", with: "\"\"") + "\"" + (isPrefix ? "*" : "")
        }
        return words.isEmpty ? nil : words.joined(separator: " ")
    }
}
