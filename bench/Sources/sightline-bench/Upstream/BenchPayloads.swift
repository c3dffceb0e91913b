import NIOCore

/// The bodies on the wire: shaped like an OpenAI chat completion so the proxy's recorder and LLM
/// decoders do their usual work, and about 300 bytes each, the size of a short chat turn.
enum BenchPayloads {
    static let chatPath = "/v1/chat/completions"

    static let chatRequest = padded(
        prefix: #"{"model":"gpt-4o-mini","max_tokens":16,"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":""#,
        suffix: #""}]}"#)

    static let chatResponse = padded(
        prefix: #"{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":""#,
        suffix: #""},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":6,"total_tokens":18}}"#)

    static let streamRequest = #"{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Count."}]}"#

    /// Query of a streaming request: how many events, how far apart.
    static func streamPath(events: Int, gapMilliseconds: Int) -> String {
        "\(chatPath)?events=\(events)&gap_ms=\(gapMilliseconds)"
    }

    /// One SSE event carrying its send time, `CLOCK_MONOTONIC` nanoseconds, as `sent_ns`.
    static func streamEvent(index: Int, sentNanoseconds: UInt64) -> ByteBuffer {
        ByteBuffer(string: #"data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","sent_ns":\#(sentNanoseconds),"choices":[{"index":0,"delta":{"content":"token\#(index) "},"finish_reason":null}]}"# + "\n\n")
    }

    static let streamEnd = ByteBuffer(string: "data: [DONE]\n\n")

    static let webSocketRoute = "/ws"

    /// Path and query of a WebSocket session: how many messages the upstream sends, how far apart
    /// (the same `events` and `gap_ms` as a stream's).
    static func webSocketPath(messages: Int, gapMilliseconds: Int) -> String {
        "\(webSocketRoute)?events=\(messages)&gap_ms=\(gapMilliseconds)"
    }

    /// One WebSocket text message, shaped like a Realtime `response.output_text.delta` and about
    /// 200 bytes, carrying its send time, `CLOCK_MONOTONIC` nanoseconds, as `sent_ns`.
    static func webSocketMessage(index: Int, sentNanoseconds: UInt64) -> ByteBuffer {
        ByteBuffer(string: #"{"type":"response.output_text.delta","event_id":"event_bench\#(index)","response_id":"resp_bench","item_id":"msg_bench","output_index":0,"content_index":0,"sent_ns":\#(sentNanoseconds),"delta":"token\#(index) "}"#)
    }

    private static let targetBytes = 300

    private static func padded(prefix: String, suffix: String) -> ByteBuffer {
        let filler = String(repeating: "x", count: max(0, targetBytes - prefix.utf8.count - suffix.utf8.count))
        return ByteBuffer(string: prefix + filler + suffix)
    }
}
