import SightlineCore

/// Gives each SSE event of a recorded body the arrival time of the chunk that completed it.
public enum SSEEventTimer {
    /// Feeds `body` to an `SSEParser` chunk by chunk. Chunk offsets past the recorded body (the capture
    /// was capped) are clamped; bytes past the last chunk take the last chunk's time (0 with no chunks).
    public static func timedEvents(body: [UInt8], chunks: [ChunkArrival]) -> [TimedSSEEvent] {
        var parser = SSEParser()
        var timed: [TimedSSEEvent] = []
        var offset = 0
        var lastTime = 0.0

        func stamp(_ events: [SSEEvent], at tMs: Double) {
            timed += events.map { TimedSSEEvent(tMs: tMs, event: $0.event, data: $0.data, id: $0.id) }
        }

        for chunk in chunks {
            lastTime = chunk.tMs
            let end = min(max(chunk.endOffset, 0), body.count)
            guard end > offset else { continue }
            stamp(parser.feed(body[offset..<end]), at: chunk.tMs)
            offset = end
        }
        if offset < body.count {
            stamp(parser.feed(body[offset...]), at: lastTime)
        }
        stamp(parser.finish(), at: lastTime)
        return timed
    }
}
