import Foundation
import GRDB
import SightlineCore

/// A row of the `flow` table.
struct FlowRow: Codable, Hashable, Sendable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "flow"

    var seq: Int64?
    var id: String
    /// Unix milliseconds.
    var startedAt: Int64
    var mode: String
    var clientAddress: String?
    var method: String
    var url: String
    var host: String
    var upstreamURL: String?
    var gateway: GatewayRecord?
    var status: Int?
    var error: String?
    /// A `FlowErrorKind` word, kept as text so that a word this version does not know still reads.
    var errorKind: String?
    var durationMs: Double?
    var ttfbMs: Double?
    var requestBytes: Int
    var responseBytes: Int
    var provider: String?
    var endpoint: String?
    var model: String?
    var stream: Bool
    var inputTokens: Int?
    var outputTokens: Int?
    var cachedInputTokens: Int?
    var reasoningTokens: Int?
    var costUSD: Decimal?
    var ttftMs: Double?
    var tokensPerSecond: Double?
    var finishReason: String?
    var toolCallCount: Int?
    var truncated: Bool
    var sessionID: String?
    var sessionPath: String?
    var sessionName: String?
    var userID: String?
    var properties: [String: String]
    var upstreamConnectedMs: Double?
    var tlsDoneMs: Double?
    var requestSentMs: Double?
    var firstByteMs: Double?
    var lastByteMs: Double?
    var requestHTTPVersion: String
    var requestHeaders: [HeaderField]
    var requestBodyTruncated: Bool
    var requestBodyDecoded: Bool
    var requestOmitted: Bool
    var responseReason: String?
    var responseHTTPVersion: String?
    var responseHeaders: [HeaderField]?
    var responseBodyTruncated: Bool?
    var responseBodyDecoded: Bool?
    var responseOmitted: Bool?
    /// A WebSocket session's message count; NULL for every other flow.
    var wsMessages: Int?
    var wsOpen: Bool?
    var instance: String?
    /// The call this one continues, and its conversation's first call (`FlowSummary.parentID`, `threadID`).
    var parentID: String?
    var threadID: String?

    /// In column order: `insertFast` binds its arguments in this order.
    enum CodingKeys: String, CodingKey, ColumnExpression, CaseIterable {
        case seq, id, startedAt = "started_at", mode, clientAddress = "client_address", method, url, host
        case upstreamURL = "upstream_url", gateway, status, error, errorKind = "error_kind", durationMs = "duration_ms"
        case ttfbMs = "ttfb_ms", requestBytes = "request_bytes", responseBytes = "response_bytes", provider, endpoint, model, stream
        case inputTokens = "input_tokens", outputTokens = "output_tokens", cachedInputTokens = "cached_input_tokens"
        case reasoningTokens = "reasoning_tokens", costUSD = "cost_usd", ttftMs = "ttft_ms"
        case tokensPerSecond = "tokens_per_second", finishReason = "finish_reason", toolCallCount = "tool_call_count"
        case truncated, sessionID = "session_id", sessionPath = "session_path", sessionName = "session_name"
        case userID = "user_id", properties, upstreamConnectedMs = "upstream_connected_ms", tlsDoneMs = "tls_done_ms"
        case requestSentMs = "request_sent_ms", firstByteMs = "first_byte_ms", lastByteMs = "last_byte_ms"
        case requestHTTPVersion = "request_http_version", requestHeaders = "request_headers"
        case requestBodyTruncated = "request_body_truncated", requestBodyDecoded = "request_body_decoded"
        case requestOmitted = "request_omitted", responseReason = "response_reason"
        case responseHTTPVersion = "response_http_version", responseHeaders = "response_headers"
        case responseBodyTruncated = "response_body_truncated", responseBodyDecoded = "response_body_decoded"
        case responseOmitted = "response_omitted", wsMessages = "ws_messages", wsOpen = "ws_open", instance
        case parentID = "parent_id", threadID = "thread_id"
    }

    enum Columns {
        static let seq = CodingKeys.seq
        static let id = CodingKeys.id
        static let startedAt = CodingKeys.startedAt
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        seq = inserted.rowID
    }
}
