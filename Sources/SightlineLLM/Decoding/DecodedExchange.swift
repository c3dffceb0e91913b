/// What a wire-format decoder learned from one exchange, before the analyzer adds cost, timing and
/// search text. Decoders fill it in place so request and response decoding can each add their share.
struct DecodedExchange {
    var conversation = Conversation()
    var requestModel: String?
    /// The model the provider said answered (often a dated snapshot of the requested alias).
    var responseModel: String?
    /// The provider's id for this response (`chatcmpl-…`, `msg_…`, `resp_…`, Gemini's `responseId`).
    var responseID: String?
    /// The response this request continues on the provider's side (Responses API `previous_response_id`).
    var previousResponseID: String?
    /// The request's own `stream` flag, when it has one.
    var requestedStream: Bool?
    /// The stream reached the provider's final event (`[DONE]`, `message_stop`, …).
    var sawFinalEvent = false
    /// Arrival time of the first event that carried output (text, tool call or reasoning).
    var firstOutputMs: Double?
    /// Generation time the provider measured itself (Ollama's `eval_duration`), preferred for speed.
    var providerGenerationSeconds: Double?
    /// Counting endpoints report tokens that are not billed.
    var isFreeCount = false

    mutating func noteOutput(at tMs: Double?) {
        if firstOutputMs == nil, let tMs { firstOutputMs = tMs }
    }

    /// Records an error the stream itself carried; a transport-level HTTP error is set by the analyzer.
    mutating func noteError(_ text: String?) {
        guard let text, conversation.error == nil else { return }
        conversation.error = text
    }
}
