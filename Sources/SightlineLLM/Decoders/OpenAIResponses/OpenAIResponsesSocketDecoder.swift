import SightlineCore

/// The Responses API over a WebSocket (Codex's default transport): each turn is a client
/// `response.create` carrying what an HTTP request body would (model, instructions, input, tools; at the
/// top level or under `response`), answered by the Responses streaming events. The last turn is read by
/// the HTTP decoder itself, so the conversation has the same shape; usage is summed over the turns.
enum OpenAIResponsesSocketDecoder {
    /// Returns when the last turn was asked for, the start of its time to first token.
    static func decode(_ messages: [WebSocketMessage], into decoded: inout DecodedExchange) -> Double? {
        var request: JSONValue?
        var requestedAt: Double?
        var events: [StreamEvent] = []
        var usage = LLMUsage()
        for message in messages where message.opcode == "text" {
            guard let text = message.text, let event = JSONValue.parse(text), let type = event["type"]?.string else { continue }
            if message.direction == .client {
                guard type == "response.create" else { continue }
                var body = event["response"]?.object ?? event.object ?? [:]
                body["type"] = nil
                request = .object(body)
                requestedAt = message.tMs
                events = []
            } else {
                events.append(StreamEvent(tMs: message.tMs, json: event))
                if type == "response.completed" || type == "response.incomplete" || type == "response.failed" {
                    if let reported = OpenAIUsage.parse(event["response"]?["usage"]) { usage.add(reported) }
                }
            }
        }
        let decoder = OpenAIResponsesDecoder()
        if let request { decoder.decodeRequest(request, into: &decoded) }
        decoder.decodeStream(events, into: &decoded)
        decoded.conversation.usage = usage
        decoded.requestedStream = true
        return requestedAt
    }
}
