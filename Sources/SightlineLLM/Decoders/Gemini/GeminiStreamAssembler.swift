/// Rebuilds a `GenerateContentResponse` from `streamGenerateContent` chunks (SSE with `alt=sse`, or
/// the elements of the JSON array without it): each chunk's parts are appended per candidate, runs of
/// text (and of thought text) joined, usage and model taken from the last chunk that has them. A
/// `finishReason` marks the end.
struct GeminiStreamAssembler: StreamAssembler {
    private var candidates: [Int: [Conversation.Part]] = [:]
    private var finishReasons: [Int: String] = [:]
    private var blockReason: String?

    mutating func consume(_ event: StreamEvent, into result: inout DecodedExchange) {
        guard let chunk = event.json else { return }
        if chunk["error"] != nil {
            result.noteError(ProviderErrorDecoder.describe(json: chunk))
            return
        }
        if let model = chunk.field("modelVersion")?.nonEmptyString { result.responseModel = model }
        if let id = chunk.field("responseId")?.nonEmptyString { result.responseID = id }
        if let usage = GeminiParts.usage(chunk.field("usageMetadata")) { result.conversation.usage = usage }
        if let reason = chunk.field("promptFeedback")?.field("blockReason")?.nonEmptyString {
            blockReason = reason
            result.sawFinalEvent = true
        }
        for (offset, candidate) in chunk["candidates"].arrayOrEmpty.enumerated() {
            let index = candidate["index"]?.int ?? offset
            var parts = candidates[index] ?? []
            for part in GeminiParts.parts(candidate["content"]) {
                GeminiParts.append(part, to: &parts)
                // Gemini 2.5 sends empty text parts that only carry a thought signature.
                if part.text?.isEmpty != true { result.noteOutput(at: event.tMs) }
            }
            candidates[index] = parts
            if let reason = candidate.field("finishReason")?.nonEmptyString {
                finishReasons[index] = reason
                result.sawFinalEvent = true
            }
        }
    }

    func finish(into result: inout DecodedExchange) {
        let indices = Set(candidates.keys).union(finishReasons.keys).sorted()
        result.conversation.output = indices.map {
            Conversation.Message(role: "assistant", parts: candidates[$0] ?? [])
        }
        result.conversation.finishReason = indices.first.flatMap { finishReasons[$0] } ?? blockReason
    }
}
