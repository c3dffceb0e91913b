import SightlineCore

/// What an incremental parser completes as a recorded body is fed to it chunk by chunk, each item with the arrival
/// time of the chunk that completed it: the timing `SSEEventTimer` and `AWSEventStreamEventTimer` share. Chunk
/// offsets past the recorded body (the capture was capped) are clamped; bytes past the last chunk take the last
/// chunk's time (0 with no chunks), as does what `finish` returns.
enum ChunkTiming {
    static func timed<Item>(body: [UInt8], chunks: [ChunkArrival], feed: (ArraySlice<UInt8>) -> [Item],
                            finish: () -> [Item] = { [] }) -> [(item: Item, tMs: Double)] {
        var timed: [(item: Item, tMs: Double)] = []
        var offset = 0
        var lastTime = 0.0
        for chunk in chunks {
            lastTime = chunk.tMs
            let end = min(max(chunk.endOffset, 0), body.count)
            guard end > offset else { continue }
            timed += feed(body[offset..<end]).map { ($0, chunk.tMs) }
            offset = end
        }
        if offset < body.count {
            timed += feed(body[offset...]).map { ($0, lastTime) }
        }
        timed += finish().map { ($0, lastTime) }
        return timed
    }
}
