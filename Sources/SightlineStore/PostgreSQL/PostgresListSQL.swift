import PostgresNIO
import SightlineCore

/// A page (or, unordered, an aggregate's rows) of `FlowQuery` on PostgreSQL: the same filters and keyset
/// cursor as SQLite's `listSQL`, newest first by id (a UUIDv7, whose text sorts by time). Time bounds are
/// given on `started_at` as well as on id, so only the partitions of the range are read.
struct PostgresListSQL {
    private var from = "flow"
    private var conditions: [String] = []
    private var binds = PostgresBindings()

    private mutating func add(_ condition: (String) -> String, _ value: some PostgresDynamicTypeEncodable) {
        binds.append(value)
        conditions.append(condition("$\(binds.count)"))
    }

    static func make(_ query: FlowQuery, columns: String, limit: Int, ordered: Bool) throws -> PostgresQuery {
        var sql = PostgresListSQL()
        if let before = query.before {
            guard let id = FlowID(before) else { throw StoreError.invalidCursor(before) }
            sql.add({ "flow.id < \($0)" }, id.description)
        }
        if let q = query.q, let text = PostgresFullText.query(q) {
            sql.add({ "flow.search @@ to_tsquery('simple', \($0))" }, text)
        }
        for (name, value) in query.properties.sorted(by: { $0.key < $1.key }) {
            // Property names are header names, so they match whatever their case (SDKs lower-case headers).
            sql.binds.append(name)
            let nameBind = sql.binds.count
            sql.add({ """
                EXISTS (SELECT 1 FROM flow_property AS p WHERE p.flow_id = flow.id AND p.started_at = flow.started_at \
                AND lower(p.name) = lower($\(nameBind)) AND p.value = \($0))
                """ }, value)
        }
        if let host = query.host { sql.add({ "flow.host = \($0)" }, host.lowercased()) }
        if let provider = query.provider { sql.add({ "flow.provider = \($0)" }, provider) }
        if let model = query.model { sql.add({ "flow.model = \($0)" }, model) }
        if let status = query.status { sql.add({ "flow.status = \($0)" }, status) }
        if let mode = query.mode { sql.add({ "flow.mode = \($0)" }, mode.rawValue) }
        if query.hideTunnels { sql.conditions.append("flow.mode <> 'tunnel'") }
        if let session = query.session { sql.add({ "flow.session_id = \($0)" }, session) }
        if let thread = query.thread { sql.add({ "flow.thread_id = \($0)" }, thread) }
        if let user = query.user { sql.add({ "flow.user_id = \($0)" }, user) }
        if let errorKind = query.errorKind { sql.add({ "flow.error_kind = \($0)" }, errorKind.rawValue) }
        if let since = query.since {
            sql.add({ "flow.started_at >= \($0)" }, since.unixMilliseconds)
            sql.add({ "flow.id >= \($0)" }, SQLiteFlowStore.smallestID(atMilliseconds: since.unixMilliseconds))
        }
        if let until = query.until {
            sql.add({ "flow.started_at < \($0)" }, until.unixMilliseconds)
            sql.add({ "flow.id < \($0)" }, SQLiteFlowStore.smallestID(atMilliseconds: until.unixMilliseconds))
        }
        var text = "SELECT \(columns) FROM \(sql.from)"
        if !sql.conditions.isEmpty { text += " WHERE " + sql.conditions.joined(separator: " AND ") }
        if ordered { text += " ORDER BY flow.id DESC" }
        sql.binds.append(limit)
        text += " LIMIT $\(sql.binds.count)"
        return PostgresQuery(unsafeSQL: text, binds: sql.binds)
    }
}
