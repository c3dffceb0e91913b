import SightlineCore

extension LLMAnalyzer {
    /// An MCP exchange as an analysis: provider `mcp`, the method as endpoint, no model, tokens or cost.
    /// nil when the exchange is not MCP.
    func analyzeMCP(_ exchange: LLMExchange) -> LLMAnalysis? {
        guard let mcp = MCPExchange.read(method: exchange.method, requestHeaders: exchange.requestHeaders,
                                         requestBody: exchange.requestBody, responseHeaders: exchange.responseHeaders,
                                         responseBody: exchange.responseBody, events: exchange.events) else { return nil }
        let conversation = MCPConversation.of(mcp)
        let failed = (exchange.status ?? 0) >= 400
        var analysis = LLMAnalysis(
            provider: "mcp", endpoint: mcp.endpoint, model: nil, stream: mcp.streamed, usage: LLMUsage(), costUSD: nil,
            ttftMs: nil, tokensPerSecond: nil, finishReason: nil,
            toolCallCount: mcp.requests.count { $0.method == "tools/call" },
            // The server's GET stream has no final event: it lasts as long as the session.
            truncated: !failed && mcp.isTruncated,
            conversation: conversation, searchText: SearchText.of(conversation))
        // The calls of one session are one thread, each continuing the one before.
        analysis.threadKeys = mcp.sessionID.flatMap { $0.isEmpty ? nil : ThreadKeys.mcp(sessionID: $0) }
        if failed, analysis.conversation.error == nil {
            analysis.conversation.error = ProviderErrorDecoder.describe(body: exchange.responseBody, status: exchange.status)
        }
        return analysis
    }
}
