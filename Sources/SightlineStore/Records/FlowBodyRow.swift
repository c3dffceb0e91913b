import Foundation
import GRDB

/// A row of the `flow_body` table: bodies, SSE events and the conversation of one flow.
struct FlowBodyRow: Codable, Hashable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "flow_body"

    var flowID: String
    var requestBody: Data
    var responseBody: Data?
    /// JSON text as stored, decoded only when a detail is read.
    var events: String
    var conversation: String?
    /// JSON `WebSocketSession`, NULL unless the flow is a WebSocket session.
    var websocket: String?

    enum CodingKeys: String, CodingKey, ColumnExpression {
        case flowID = "flow_id", requestBody = "request_body", responseBody = "response_body", events, conversation, websocket
    }
}
