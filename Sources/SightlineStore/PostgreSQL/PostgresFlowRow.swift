import Foundation
import PostgresNIO
import SightlineCore

// Between FlowRow (the store-neutral row, also SQLite's) and PostgreSQL: the columns are SQLite's, in
// `FlowRow.CodingKeys` order, with the same JSON text for headers, properties and the gateway record.
extension FlowRow {
    static let postgresColumns = insertedColumns.map(\.rawValue)

    /// Appends the row's values in `postgresColumns` order.
    func bind(into binds: inout PostgresBindings) throws {
        binds.append(id); binds.append(startedAt); binds.append(mode); binds.append(clientAddress)
        binds.append(method); binds.append(url); binds.append(host); binds.append(upstreamURL)
        binds.append(try gateway.map { String(decoding: try Self.databaseJSONEncoder(for: "gateway").encode($0), as: UTF8.self) })
        binds.append(status); binds.append(error); binds.append(errorKind); binds.append(durationMs); binds.append(ttfbMs)
        binds.append(requestBytes); binds.append(responseBytes); binds.append(provider); binds.append(endpoint)
        binds.append(model); binds.append(stream); binds.append(inputTokens); binds.append(outputTokens)
        binds.append(cachedInputTokens); binds.append(reasoningTokens); binds.append(costUSD.map { "\($0)" })
        binds.append(ttftMs); binds.append(tokensPerSecond); binds.append(finishReason); binds.append(toolCallCount)
        binds.append(truncated); binds.append(sessionID); binds.append(sessionPath); binds.append(sessionName)
        binds.append(userID); binds.append(StoredJSON.properties(properties)); binds.append(upstreamConnectedMs)
        binds.append(tlsDoneMs); binds.append(requestSentMs); binds.append(firstByteMs); binds.append(lastByteMs)
        binds.append(requestHTTPVersion); binds.append(StoredJSON.headers(requestHeaders)); binds.append(requestBodyTruncated)
        binds.append(requestBodyDecoded); binds.append(requestOmitted); binds.append(responseReason)
        binds.append(responseHTTPVersion); binds.append(responseHeaders.map(StoredJSON.headers))
        binds.append(responseBodyTruncated); binds.append(responseBodyDecoded); binds.append(responseOmitted)
        binds.append(wsMessages); binds.append(wsOpen); binds.append(instance); binds.append(parentID); binds.append(threadID)
    }

    /// Reads a row selected with `postgresColumns` (by name, so extra columns may follow).
    init(postgres row: PostgresRow) throws {
        let r = row.makeRandomAccess()
        func v<T: PostgresDecodable>(_ name: String, _: T.Type = T.self) throws -> T { try r[name].decode(T.self) }
        let decoder = JSONDecoder()
        let gatewayText: String? = try v("gateway")
        let costText: String? = try v("cost_usd")
        let responseHeadersText: String? = try v("response_headers")
        self.init(
            seq: nil, id: try v("id"), startedAt: try v("started_at"), mode: try v("mode"), clientAddress: try v("client_address"),
            method: try v("method"), url: try v("url"), host: try v("host"), upstreamURL: try v("upstream_url"),
            gateway: try gatewayText.map { try Self.databaseJSONDecoder(for: "gateway").decode(GatewayRecord.self, from: Data($0.utf8)) },
            status: try v("status"), error: try v("error"), errorKind: try v("error_kind"), durationMs: try v("duration_ms"),
            ttfbMs: try v("ttfb_ms"), requestBytes: try v("request_bytes"), responseBytes: try v("response_bytes"),
            provider: try v("provider"), endpoint: try v("endpoint"), model: try v("model"), stream: try v("stream"),
            inputTokens: try v("input_tokens"), outputTokens: try v("output_tokens"), cachedInputTokens: try v("cached_input_tokens"),
            reasoningTokens: try v("reasoning_tokens"), costUSD: costText.flatMap { Decimal(string: $0) }, ttftMs: try v("ttft_ms"),
            tokensPerSecond: try v("tokens_per_second"), finishReason: try v("finish_reason"), toolCallCount: try v("tool_call_count"),
            truncated: try v("truncated"), sessionID: try v("session_id"), sessionPath: try v("session_path"),
            sessionName: try v("session_name"), userID: try v("user_id"),
            properties: try decoder.decode([String: String].self, from: Data((try v("properties", String.self)).utf8)),
            upstreamConnectedMs: try v("upstream_connected_ms"), tlsDoneMs: try v("tls_done_ms"),
            requestSentMs: try v("request_sent_ms"), firstByteMs: try v("first_byte_ms"), lastByteMs: try v("last_byte_ms"),
            requestHTTPVersion: try v("request_http_version"),
            requestHeaders: try decoder.decode([HeaderField].self, from: Data((try v("request_headers", String.self)).utf8)),
            requestBodyTruncated: try v("request_body_truncated"), requestBodyDecoded: try v("request_body_decoded"),
            requestOmitted: try v("request_omitted"), responseReason: try v("response_reason"),
            responseHTTPVersion: try v("response_http_version"),
            responseHeaders: try responseHeadersText.map { try decoder.decode([HeaderField].self, from: Data($0.utf8)) },
            responseBodyTruncated: try v("response_body_truncated"), responseBodyDecoded: try v("response_body_decoded"),
            responseOmitted: try v("response_omitted"), wsMessages: try v("ws_messages"), wsOpen: try v("ws_open"),
            instance: try v("instance"), parentID: try v("parent_id"), threadID: try v("thread_id"))
    }
}

extension FlowBodyRow {
    init(postgres row: PostgresRow) throws {
        let (flowID, request, response, events, conversation, websocket) =
            try row.decode((String, ByteBuffer, ByteBuffer?, String, String?, String?).self)
        self.init(flowID: flowID, requestBody: Data(buffer: request), responseBody: response.map { Data(buffer: $0) },
                  events: events, conversation: conversation, websocket: websocket)
    }
}

/// Full-text search on PostgreSQL: the words SQLite's `unicode61` tokenizer would see, as a `tsvector` of the
/// `simple` configuration (no stemming, no stop words), and the query as the same words ANDed.
enum PostgresFullText {
    /// A prompt over this many characters is indexed by its beginning: a `tsvector` holds at most 1 MB.
    static let maxIndexedCharacters = 200_000

    /// Letters and digits kept, everything else a space: `api.openai.com/v1` is the words `api openai com v1`.
    static func words(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            if count > maxIndexedCharacters { break }
            out.append(CharacterSet.alphanumerics.contains(scalar) ? scalar : " ")
        }
        return String(out)
    }

    /// `hello wor*` → `'hello' & 'wor':*`; nil when nothing searchable is left.
    static func query(_ text: String) -> String? {
        var terms: [String] = []
        for word in text.split(whereSeparator: { $0.isWhitespace }) {
            let isPrefix = word.hasSuffix("*")
            let parts = words(String(isPrefix ? word.dropLast() : word)).split(separator: " ")
            for (index, part) in parts.enumerated() {
                let lexeme = "'" + part.lowercased().replacingOccurrences(of: "'", with: "''") + "'"
                terms.append(isPrefix && index == parts.count - 1 ? lexeme + ":*" : lexeme)
            }
        }
        return terms.isEmpty ? nil : terms.joined(separator: " & ")
    }
}
