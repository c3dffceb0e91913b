import SightlineCore
/// What Bedrock reports about a call beside the model's body. The token counts of InvokeModel: the
/// `X-Amzn-Bedrock-Input-Token-Count` / `-Output-Token-Count` response headers, and in a response stream the
/// `amazon-bedrock-invocationMetrics` of the last chunk. Used when the body's own usage was not read (models
/// whose native bodies Sightline does not decode: Llama, Mistral, Titan…).
enum BedrockResponseMetadata {
    static func usage(headers: [HeaderField], events: [StreamEvent]) -> LLMUsage? {
        if let metrics = events.last(where: { $0.json?["amazon-bedrock-invocationMetrics"] != nil })?
            .json?["amazon-bedrock-invocationMetrics"] {
            let usage = LLMUsage(inputTokens: metrics["inputTokenCount"]?.int, outputTokens: metrics["outputTokenCount"]?.int)
            if usage.inputTokens != nil || usage.outputTokens != nil { return usage }
        }
        let input = headers.first(named: "X-Amzn-Bedrock-Input-Token-Count").flatMap { Int($0.trimmingWhitespace) }
        let output = headers.first(named: "X-Amzn-Bedrock-Output-Token-Count").flatMap { Int($0.trimmingWhitespace) }
        return input == nil && output == nil ? nil : LLMUsage(inputTokens: input, outputTokens: output)
    }

    /// `X-Amzn-ErrorType: ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/` → `ThrottlingException`.
    static func errorType(headers: [HeaderField]) -> String? {
        guard let value = headers.first(named: "X-Amzn-ErrorType") else { return nil }
        let kind = String(value.prefix { $0 != ":" }).trimmingWhitespace
        return kind.isEmpty ? nil : kind
    }
}
