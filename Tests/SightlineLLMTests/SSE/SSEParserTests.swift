import Testing
@testable import SightlineLLM

@Suite("SSE parser (WHATWG event-stream rules)")
struct SSEParserTests {
    private func parse(_ text: String) -> [SSEEvent] {
        var parser = SSEParser()
        return parser.feed(Array(text.utf8)) + parser.finish()
    }

    private func parse(feeds: [[UInt8]]) -> [SSEEvent] {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        for feed in feeds { events += parser.feed(feed) }
        return events + parser.finish()
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func everyLineEndingDispatches(_ eol: String) {
        let stream = "event: a\(eol)data: one\(eol)\(eol)data: two\(eol)\(eol)"
        #expect(parse(stream) == [SSEEvent(event: "a", data: "one"), SSEEvent(data: "two")])
    }

    @Test func mixedLineEndingsInOneStream() {
        #expect(parse("data: a\r\ndata: b\rdata: c\n\r\n") == [SSEEvent(data: "a\nb\nc")])
    }

    @Test func crAtTheEndOfOneFeedAndLFAtTheStartOfTheNext() {
        // The LF completes the CRLF; treating it as a second line end would dispatch an empty line early.
        let events = parse(feeds: [Array("data: x\r".utf8), Array("\ndata: y\r".utf8), Array("\n\r\n".utf8)])
        #expect(events == [SSEEvent(data: "x\ny")])
    }

    @Test func multiLineDataIsJoinedWithNewlines() {
        #expect(parse("data: first\ndata: second\ndata\n\n") == [SSEEvent(data: "first\nsecond\n")])
    }

    @Test func commentsAreIgnored() {
        #expect(parse(": keep-alive\n\n:another\ndata: x\n: inside\n\n") == [SSEEvent(data: "x")])
    }

    @Test func aFieldWithoutColonHasAnEmptyValue() {
        #expect(parse("data\n\n") == [SSEEvent(data: "")])
        #expect(parse("event\ndata: x\n\n") == [SSEEvent(data: "x")])
    }

    @Test func onlyOneLeadingSpaceIsStripped() {
        #expect(parse("data:  two spaces\n\ndata:none\n\n") == [SSEEvent(data: " two spaces"), SSEEvent(data: "none")])
    }

    @Test func valueMayContainColons() {
        #expect(parse("data: {\"a\":\"b:c\"}\n\n") == [SSEEvent(data: "{\"a\":\"b:c\"}")])
    }

    @Test func leadingBOMIsSkippedEvenWhenSplit() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("data: x\n\n".utf8)
        #expect(parse(feeds: [bytes]) == [SSEEvent(data: "x")])
        #expect(parse(feeds: [[0xEF], [0xBB], [0xBF, 0x64], Array("ata: x\n\n".utf8)]) == [SSEEvent(data: "x")])
        // Only at the very start: a second BOM is part of the field name, which is then unknown.
        #expect(parse(feeds: [[0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array("data: x\n\n".utf8)]) == [])
    }

    @Test func noDispatchWithoutTheBlankLine() {
        var parser = SSEParser()
        #expect(parser.feed(Array("data: pending\n".utf8)) == [])
        #expect(parser.finish() == [])
        #expect(parse("data: complete\n\ndata: cut off") == [SSEEvent(data: "complete")])
    }

    @Test func anEventWithEmptyDataBufferIsNotDispatched() {
        #expect(parse("event: ping\n\nid: 7\n\ndata: real\n\n") == [SSEEvent(data: "real", id: "7")])
    }

    @Test func eventTypeResetsAfterDispatch() {
        #expect(parse("event: a\ndata: 1\n\ndata: 2\n\n") == [SSEEvent(event: "a", data: "1"), SSEEvent(data: "2")])
    }

    @Test func idPersistsAndIsIgnoredWhenItContainsNUL() {
        let events = parse("id: 1\ndata: a\n\ndata: b\n\nid: x\u{0}y\ndata: c\n\nid\ndata: d\n\n")
        #expect(events.map(\.id) == ["1", "1", "1", nil])
    }

    @Test func retryTakesDigitsOnly() {
        let events = parse("retry: 1500\ndata: a\n\nretry: 15x\ndata: b\n\nretry:\ndata: c\n\n")
        #expect(events.map(\.retry) == [1500, nil, nil])
    }

    @Test func multiByteCharactersSplitAcrossFeeds() {
        let bytes = Array("data: héllo 🌍 — 你好\n\n".utf8)
        for cut in 1..<bytes.count {
            #expect(parse(feeds: [Array(bytes[..<cut]), Array(bytes[cut...])]) == [SSEEvent(data: "héllo 🌍 — 你好")])
        }
    }

    @Test(arguments: Fixture.allEventStreams())
    func splittingAFixtureAnywhereGivesTheSameEvents(_ path: String) {
        let bytes = Fixture.bytes(path)
        let whole = parse(feeds: [bytes])
        #expect(whole.count > 2)
        #expect(parse(feeds: bytes.map { [$0] }) == whole, "byte by byte")
        for cut in 0...bytes.count {
            let split = parse(feeds: [Array(bytes[..<cut]), Array(bytes[cut...])])
            if split != whole {
                Issue.record("split at \(cut) of \(path) differs")
                return
            }
        }
        var generator = SplitMix64(seed: UInt64(bytes.count))
        for _ in 0..<20 {
            var feeds: [[UInt8]] = []
            var offset = 0
            while offset < bytes.count {
                let length = Int(generator.next() % 64) + 1
                feeds.append(Array(bytes[offset..<min(offset + length, bytes.count)]))
                offset += length
            }
            #expect(parse(feeds: feeds) == whole, "random split")
        }
    }
}

/// Deterministic randomness, so a failing split can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
