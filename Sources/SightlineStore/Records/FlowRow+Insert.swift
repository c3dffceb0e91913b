import Foundation
import GRDB

// Rows are written with cached statements and positional arguments: GRDB's Codable persistence builds a
// keyed container per row, and with ~50 columns that showed as a sixth of the proxy's CPU under load.
// Values are converted exactly as the Codable path converts them (DatabaseValueConvertible, GRDB's JSON
// encoder for nested values), so `FetchableRecord` reads them back unchanged.
extension FlowRow {
    static let insertSQL: String = {
        let columns = ["id", "started_at", "mode", "client_address", "method", "url", "host", "upstream_url", "gateway", "status",
                       "error", "duration_ms", "ttfb_ms", "request_bytes", "response_bytes", "provider", "endpoint", "model", "stream",
                       "input_tokens", "output_tokens", "cached_input_tokens", "reasoning_tokens", "cost_usd", "ttft_ms",
                       "tokens_per_second", "finish_reason", "tool_call_count", "truncated", "session_id", "session_path",
                       "session_name", "user_id", "properties", "upstream_connected_ms", "tls_done_ms", "request_sent_ms",
                       "first_byte_ms", "last_byte_ms", "request_http_version", "request_headers", "request_body_truncated",
                       "request_body_decoded", "request_omitted", "response_reason", "response_http_version", "response_headers",
                       "response_body_truncated", "response_body_decoded", "response_omitted"]
        return "INSERT INTO flow (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
    }()

    /// Inserts the row and sets `seq`.
    mutating func insertFast(_ db: Database) throws {
        let arguments: [(any DatabaseValueConvertible)?] = [
            id, startedAt, mode, clientAddress, method, url, host, upstreamURL, try Self.json(gateway, .gateway), status,
            error, durationMs, ttfbMs, requestBytes, responseBytes, provider, endpoint, model, stream,
            inputTokens, outputTokens, cachedInputTokens, reasoningTokens, costUSD, ttftMs,
            tokensPerSecond, finishReason, toolCallCount, truncated, sessionID, sessionPath,
            sessionName, userID, try Self.json(properties, .properties), upstreamConnectedMs, tlsDoneMs, requestSentMs,
            firstByteMs, lastByteMs, requestHTTPVersion, try Self.json(requestHeaders, .requestHeaders), requestBodyTruncated,
            requestBodyDecoded, requestOmitted, responseReason, responseHTTPVersion, try Self.json(responseHeaders, .responseHeaders),
            responseBodyTruncated, responseBodyDecoded, responseOmitted,
        ]
        try db.cachedStatement(sql: Self.insertSQL).execute(arguments: StatementArguments(arguments))
        seq = db.lastInsertedRowID
    }

    private static func json<T: Encodable>(_ value: T?, _ column: CodingKeys) throws -> String? {
        guard let value else { return nil }
        return String(decoding: try databaseJSONEncoder(for: column.rawValue).encode(value), as: UTF8.self)
    }
}

extension FlowBodyRow {
    func insertFast(_ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO flow_body (flow_id, request_body, response_body, events, conversation) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [flowID, requestBody, responseBody, events, conversation])
    }
}

extension FlowPropertyRow {
    func insertFast(_ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO flow_property (flow_id, name, value) VALUES (?, ?, ?)").execute(arguments: [flowID, name, value])
    }
}
