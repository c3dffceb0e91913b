import Foundation
import SightlineCore
import SightlineLLM

// Between the store-neutral FlowRecord/FlowDetail and the SQLite rows.
extension FlowRow {
    init(_ record: FlowRecord) {
        let s = record.summary
        let detail = record.detail
        self.init(
            seq: nil, id: s.id.description, startedAt: RFC3339.milliseconds(s.startedAt), mode: s.mode.rawValue,
            clientAddress: s.clientAddress, method: s.method, url: s.url, host: s.host, upstreamURL: s.upstreamURL, gateway: s.gateway,
            status: s.status, error: s.error, errorKind: s.errorKind?.rawValue, durationMs: s.durationMs, ttfbMs: s.ttfbMs,
            requestBytes: s.requestBytes, responseBytes: s.responseBytes, provider: s.provider,
            endpoint: s.endpoint, model: s.model, stream: s.stream, inputTokens: s.inputTokens,
            outputTokens: s.outputTokens, cachedInputTokens: s.cachedInputTokens, reasoningTokens: s.reasoningTokens,
            costUSD: s.costUSD, ttftMs: s.ttftMs, tokensPerSecond: s.tokensPerSecond, finishReason: s.finishReason,
            toolCallCount: s.toolCallCount, truncated: s.truncated, sessionID: s.sessionID,
            sessionPath: s.sessionPath, sessionName: s.sessionName, userID: s.userID, properties: s.properties,
            upstreamConnectedMs: detail.timings.upstreamConnectedMs, tlsDoneMs: detail.timings.tlsDoneMs,
            requestSentMs: detail.timings.requestSentMs, firstByteMs: detail.timings.firstByteMs,
            lastByteMs: detail.timings.lastByteMs,
            requestHTTPVersion: detail.request.httpVersion, requestHeaders: detail.request.headers,
            requestBodyTruncated: detail.request.body.truncated, requestBodyDecoded: detail.request.body.decoded,
            requestOmitted: detail.request.body.omitted,
            responseReason: detail.response?.reason, responseHTTPVersion: detail.response?.httpVersion,
            responseHeaders: detail.response?.headers, responseBodyTruncated: detail.response?.body.truncated,
            responseBodyDecoded: detail.response?.body.decoded, responseOmitted: detail.response?.body.omitted,
            wsMessages: s.websocket?.messages, wsOpen: s.websocket?.open, instance: s.instance,
            parentID: s.parentID?.description, threadID: s.threadID?.description)
    }

    /// nil for a row whose id or mode this version cannot read (never written by Sightline).
    func summary() -> FlowSummary? {
        guard let flowID = FlowID(id), let flowMode = FlowMode(rawValue: mode) else { return nil }
        return FlowSummary(
            id: flowID, startedAt: Date(milliseconds: startedAt), method: method, url: url, host: host, status: status, error: error,
            errorKind: errorKind.flatMap(FlowErrorKind.init(rawValue:)), mode: flowMode, durationMs: durationMs, ttfbMs: ttfbMs,
            requestBytes: requestBytes, responseBytes: responseBytes, provider: provider, endpoint: endpoint, model: model, stream: stream,
            inputTokens: inputTokens, outputTokens: outputTokens, cachedInputTokens: cachedInputTokens,
            reasoningTokens: reasoningTokens, costUSD: costUSD, ttftMs: ttftMs, sessionID: sessionID,
            userID: userID, properties: properties, finishReason: finishReason, toolCallCount: toolCallCount,
            truncated: truncated, tokensPerSecond: tokensPerSecond, sessionPath: sessionPath,
            sessionName: sessionName, clientAddress: clientAddress, upstreamURL: upstreamURL, gateway: gateway,
            websocket: wsMessages.map { WebSocketSummary(messages: $0, open: wsOpen ?? false) }, instance: instance,
            parentID: parentID.flatMap(FlowID.init), threadID: threadID.flatMap(FlowID.init))
    }

    func detail(body: FlowBodyRow?) throws -> FlowDetail? {
        guard let summary = summary() else { return nil }
        var timings = FlowTimings(start: Date(milliseconds: startedAt))
        timings.upstreamConnectedMs = upstreamConnectedMs
        timings.tlsDoneMs = tlsDoneMs
        timings.requestSentMs = requestSentMs
        timings.firstByteMs = firstByteMs
        timings.lastByteMs = lastByteMs
        let request = FlowDetail.Request(
            method: method, url: url, httpVersion: requestHTTPVersion, headers: requestHeaders,
            body: StoredBody(bytes: body.map { [UInt8]($0.requestBody) } ?? [], size: requestBytes,
                             truncated: requestBodyTruncated, decoded: requestBodyDecoded, omitted: requestOmitted))
        var response: FlowDetail.Response?
        if let status, let responseHTTPVersion {
            response = FlowDetail.Response(
                status: status, reason: responseReason ?? "", httpVersion: responseHTTPVersion,
                headers: responseHeaders ?? [],
                body: StoredBody(bytes: body?.responseBody.map { [UInt8]($0) } ?? [], size: responseBytes,
                                 truncated: responseBodyTruncated ?? false, decoded: responseBodyDecoded ?? false,
                                 omitted: responseOmitted ?? false))
        }
        let decoder = JSONDecoder()
        let events = try body.map { try decoder.decode([TimedSSEEvent].self, from: Data($0.events.utf8)) } ?? []
        let conversation = try body?.conversation.map { try decoder.decode(Conversation.self, from: Data($0.utf8)) }
        let websocket = try body?.websocket.map { try decoder.decode(WebSocketSession.self, from: Data($0.utf8)) }
        return FlowDetail(summary: summary, request: request, response: response, timings: timings,
                          events: events, conversation: conversation, websocket: websocket)
    }
}

extension FlowBodyRow {
    init(_ record: FlowRecord) {
        let detail = record.detail
        self.init(
            flowID: record.id.description,
            requestBody: Data(detail.request.body.bytes),
            responseBody: detail.response.map { Data($0.body.bytes) },
            events: StoredJSON.events(detail.events),
            conversation: detail.conversation.map(StoredJSON.conversation),
            // Rare beside HTTP flows, and large when present: Foundation's encoder is fine here.
            websocket: detail.websocket.flatMap { try? String(decoding: JSONEncoder().encode($0), as: UTF8.self) })
    }
}

extension FlowPropertyRow {
    static func rows(_ record: FlowRecord) -> [FlowPropertyRow] {
        record.summary.properties.map { FlowPropertyRow(flowID: record.id.description, name: $0.key, value: $0.value) }
    }
}
