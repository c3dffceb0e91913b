import SightlineCore
/// Usage as the OpenAI family reports it. Chat and legacy completions say `prompt_tokens`, Responses
/// and embeddings-v2 say `input_tokens` (Realtime: `input_token_details`); compatible providers add
/// their own spellings of cache hits.
/// Input counts include cached tokens (the pricing code knows).
enum OpenAIUsage {
    static func parse(_ json: JSONValue?) -> LLMUsage? {
        guard let json, json.object != nil else { return nil }
        let inputDetails = json["prompt_tokens_details"] ?? json["input_tokens_details"] ?? json["input_token_details"]
        let outputDetails = json["completion_tokens_details"] ?? json["output_tokens_details"] ?? json["output_token_details"]
        return LLMUsage(
            inputTokens: json["prompt_tokens"]?.int ?? json["input_tokens"]?.int,
            outputTokens: json["completion_tokens"]?.int ?? json["output_tokens"]?.int,
            // DeepSeek reports cache hits as `prompt_cache_hit_tokens`.
            cachedInputTokens: inputDetails?["cached_tokens"]?.int ?? json["prompt_cache_hit_tokens"]?.int,
            cacheWriteTokens: nil,
            reasoningTokens: outputDetails?["reasoning_tokens"]?.int
        )
    }
}
