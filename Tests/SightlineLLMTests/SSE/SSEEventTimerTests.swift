import SightlineCore
import Testing
@testable import SightlineLLM

@Suite("SSE event timing")
struct SSEEventTimerTests {
    @Test func eachEventGetsTheTimeOfTheChunkThatCompletedIt() {
        let body = Array("data: a\n\ndata: b\n".utf8) + Array("\ndata: c\n\n".utf8)
        let chunks = [ChunkArrival(endOffset: 17, tMs: 10), ChunkArrival(endOffset: body.count, tMs: 25)]
        let events = SSEEventTimer.timedEvents(body: body, chunks: chunks)
        #expect(events == [
            TimedSSEEvent(tMs: 10, event: nil, data: "a"),
            TimedSSEEvent(tMs: 25, event: nil, data: "b"),
            TimedSSEEvent(tMs: 25, event: nil, data: "c"),
        ])
    }

    @Test func offsetsBeyondTheCapturedBodyAreClampedAndAnUnfinishedEventIsDropped() {
        let body = Array("event: x\ndata: 1\n\ndata: 2".utf8)
        let events = SSEEventTimer.timedEvents(body: body, chunks: [ChunkArrival(endOffset: 10_000, tMs: 7)])
        #expect(events == [TimedSSEEvent(tMs: 7, event: "x", data: "1")])
    }

    @Test func bytesPastTheLastChunkTakeItsTime() {
        let body = Array("data: a\n\ndata: b\n\n".utf8)
        let events = SSEEventTimer.timedEvents(body: body, chunks: [ChunkArrival(endOffset: 9, tMs: 3)])
        #expect(events.map(\.tMs) == [3, 3])
        #expect(SSEEventTimer.timedEvents(body: body, chunks: []).map(\.tMs) == [0, 0])
    }

    @Test func fixtureEventsAreTimedOnePerChunk() {
        let body = Fixture.bytes("openai/chat-completions-stream-tools/response.sse")
        let events = SSEEventTimer.timedEvents(body: body, chunks: ExchangeBuilder.eventChunks(body))
        #expect(events.count == 10)
        #expect(events.first?.tMs == 100)
        #expect(events.last?.tMs == 190)
        #expect(events.last?.data == "[DONE]")
    }
}
