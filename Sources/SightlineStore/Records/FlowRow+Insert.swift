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
        // DatabaseValues, not existentials: converting 52 `any DatabaseValueConvertible` showed in profiles.
        let arguments: [DatabaseValue] = [
            id.databaseValue, startedAt.databaseValue, mode.databaseValue, clientAddress.databaseValue,
            method.databaseValue, url.databaseValue, host.databaseValue, upstreamURL.databaseValue,
            try Self.json(gateway, .gateway).databaseValue, status.databaseValue, error.databaseValue,
            errorKind.databaseValue, durationMs.databaseValue, ttfbMs.databaseValue, requestBytes.databaseValue,
            responseBytes.databaseValue, provider.databaseValue, endpoint.databaseValue, model.databaseValue,
            stream.databaseValue, inputTokens.databaseValue, outputTokens.databaseValue,
            cachedInputTokens.databaseValue, reasoningTokens.databaseValue, costUSD.databaseValue,
            ttftMs.databaseValue, tokensPerSecond.databaseValue, finishReason.databaseValue,
            toolCallCount.databaseValue, truncated.databaseValue, sessionID.databaseValue, sessionPath.databaseValue,
            sessionName.databaseValue, userID.databaseValue, StoredJSON.properties(properties).databaseValue,
            upstreamConnectedMs.databaseValue, tlsDoneMs.databaseValue, requestSentMs.databaseValue,
            firstByteMs.databaseValue, lastByteMs.databaseValue, requestHTTPVersion.databaseValue,
            StoredJSON.headers(requestHeaders).databaseValue, requestBodyTruncated.databaseValue,
            requestBodyDecoded.databaseValue, requestOmitted.databaseValue, responseReason.databaseValue,
            responseHTTPVersion.databaseValue, responseHeaders.map(StoredJSON.headers).databaseValue,
            responseBodyTruncated.databaseValue, responseBodyDecoded.databaseValue, responseOmitted.databaseValue,
            wsMessages.databaseValue, wsOpen.databaseValue, instance.databaseValue, parentID.databaseValue,
            threadID.databaseValue,
        ]
        assert(arguments.count == Self.insertedColumns.count, "one argument per column, in CodingKeys order")
        try DirectStatement.execute(db.cachedStatement(sql: Self.insertSQL), arguments, db)
        seq = db.lastInsertedRowID
    }

    private static func json<T: Encodable>(_ value: T?, _ column: CodingKeys) throws -> String? {
        guard let value else { return nil }
        return String(decoding: try databaseJSONEncoder(for: column.rawValue).encode(value), as: UTF8.self)
    }
}

extension FlowBodyRow {
    func insertFast(_ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO flow_body (flow_id, request_body, response_body, events, conversation, websocket) VALUES (?, ?, ?, ?, ?, ?)")
            .execute(arguments: [flowID, requestBody, responseBody, events, conversation, websocket])
    }
}

extension FlowPropertyRow {
    func insertFast(_ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO flow_property (flow_id, name, value) VALUES (?, ?, ?)").execute(arguments: [flowID, name, value])
    }
}
