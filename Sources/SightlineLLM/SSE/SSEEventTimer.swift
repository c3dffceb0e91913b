import SightlineCore

/// Gives each SSE event of a recorded body the arrival time of the chunk that completed it.
public enum SSEEventTimer {
    /// Feeds `body` to an `SSEParser` chunk by chunk. Chunk offsets past the recorded body (the capture
    /// was capped) are clamped; bytes past the last chunk take the last chunk's time (0 with no chunks).
    public static func timedEvents(body: [UInt8], chunks: [ChunkArrival]) -> [TimedSSEEvent] {
        var parser = SSEParser()
        return ChunkTiming.timed(body: body, chunks: chunks, feed: { parser.feed($0) }, finish: { parser.finish() })
            .map { TimedSSEEvent(tMs: $0.tMs, event: $0.item.event, data: $0.item.data, id: $0.item.id) }
    }
}
