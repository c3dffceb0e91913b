import Foundation
import GRDB

// Rows are written with cached statements and positional arguments: GRDB's Codable persistence builds a
// keyed container per row, and with ~50 columns that showed as a sixth of the proxy's CPU under load.
// Values are converted as the Codable path converts them (DatabaseValueConvertible; JSON text for nested
// values, written by `StoredJSON` and, for the rare gateway record, GRDB's JSON encoder), so
// `FetchableRecord` reads them back unchanged.
extension FlowRow {
    /// Every column but `seq` (the rowid SQLite assigns), in `CodingKeys` order.
    static let insertedColumns = CodingKeys.allCases.filter { $0 != .seq }

    static let insertSQL = "INSERT INTO flow (\(insertedColumns.map(\.rawValue).joined(separator: ", "))) VALUES "
        + "(\(Array(repeating: "?", count: insertedColumns.count).joined(separator: ", ")))"

    /// Inserts the row and sets `seq`.
    mutating func insertFast(_ db: Database) throws {
        let arguments: [(any DatabaseValueConvertible)?] = [
            id, startedAt, mode, clientAddress, method, url, host, upstreamURL, try Self.json(gateway, .gateway), status,
            error, errorKind, durationMs, ttfbMs, requestBytes, responseBytes, provider, endpoint, model, stream,
            inputTokens, outputTokens, cachedInputTokens, reasoningTokens, costUSD, ttftMs,
            tokensPerSecond, finishReason, toolCallCount, truncated, sessionID, sessionPath,
            sessionName, userID, StoredJSON.properties(properties), upstreamConnectedMs, tlsDoneMs, requestSentMs,
            firstByteMs, lastByteMs, requestHTTPVersion, StoredJSON.headers(requestHeaders), requestBodyTruncated,
            requestBodyDecoded, requestOmitted, responseReason, responseHTTPVersion, responseHeaders.map(StoredJSON.headers),
            responseBodyTruncated, responseBodyDecoded, responseOmitted,
        ]
        assert(arguments.count == Self.insertedColumns.count, "one argument per column, in CodingKeys order")
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
