import SightlineLLM

extension FlowDetail {
    /// The MCP call of a flow the analysis labelled `mcp`, read from the stored bodies and headers (secrets
    /// already redacted) each time the detail is served: nothing more is stored, and the schema is unchanged.
    public var mcp: MCPDetail? {
        guard summary.provider == "mcp" else { return nil }
        return MCPDetail.of(method: request.method, requestHeaders: request.headers, requestBody: request.body.bytes,
                            responseHeaders: response?.headers ?? [], responseBody: response?.body.bytes ?? [])
    }
}
