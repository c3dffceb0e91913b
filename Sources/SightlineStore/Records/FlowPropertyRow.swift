import GRDB

/// A row of the `flow_property` table: one `Property-<Name>` of one flow, indexed for filters.
struct FlowPropertyRow: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "flow_property"

    var flowID: String
    var name: String
    var value: String

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case flowID = "flow_id", name, value
    }
}
