import Foundation
import SightlineCore
import Testing
@testable import SightlineLLM

@Suite("AWS event stream framing")
struct AWSEventStreamParserTests {
    static let converseStream = Fixture.bytes("bedrock/converse-stream/response.eventstream")

    @Test func crc32MatchesZlib() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }

    @Test func readsEveryFrameWithItsHeadersAndPayload() throws {
        var parser = AWSEventStreamParser()
        let messages = parser.feed(Self.converseStream)
        #expect(!parser.failed && !parser.hasPartialMessage)
        #expect(messages.map { $0.headers[":event-type"] } == [
            "messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockDelta", "contentBlockDelta",
            "contentBlockStop", "messageStop", "metadata",
        ])
        #expect(messages.allSatisfy { $0.messageType == "event" && $0.headers[":content-type"] == "application/json" })
        let first = try #require(JSONValue.parse(messages[0].payload))
        #expect(first["role"] == .string("assistant"))
    }

    @Test("a feed may split the stream anywhere", arguments: [1, 3, 7, 12, 13, 64, 500])
    func splitFeedsGiveTheSameMessages(_ size: Int) {
        var whole = AWSEventStreamParser()
        let expected = whole.feed(Self.converseStream)
        var parser = AWSEventStreamParser()
        var messages: [AWSEventStreamMessage] = []
        var offset = 0
        while offset < Self.converseStream.count {
            let end = min(offset + size, Self.converseStream.count)
            messages += parser.feed(Self.converseStream[offset..<end])
            offset = end
        }
        #expect(messages == expected)
    }

    @Test func aCutOffFrameEndsTheEventsReadSoFar() {
        let ends = EventStreamExchangeBuilder.frameEnds(Self.converseStream)
        let cut = Array(Self.converseStream.prefix(ends[2] + 20))
        var parser = AWSEventStreamParser()
        #expect(parser.feed(cut).count == 3)
        #expect(parser.hasPartialMessage)
        #expect(AWSEventStreamEventTimer.timedEvents(body: cut, chunks: []).count == 3)
    }

    @Test func aFrameFailingItsMessageCRCEndsTheStream() {
        let ends = EventStreamExchangeBuilder.frameEnds(Self.converseStream)
        var damaged = Self.converseStream
        damaged[ends[3] + 30] ^= 0x01 // inside the fifth frame, past its prelude
        var parser = AWSEventStreamParser()
        #expect(parser.feed(damaged).count == 4)
        #expect(parser.failed)
        #expect(parser.feed(Self.converseStream).isEmpty, "nothing is read after a failure")
    }

    @Test func aFrameFailingItsPreludeCRCEndsTheStream() {
        var damaged = Self.converseStream
        damaged[1] ^= 0x40 // the first frame's total length
        var parser = AWSEventStreamParser()
        #expect(parser.feed(damaged).isEmpty)
        #expect(parser.failed)
    }

    @Test("garbage never crashes the parser", arguments: [0, 1, 2, 3, 4, 5])
    func garbage(_ seed: Int) {
        var generator = SplitMix64(seed: UInt64(seed))
        let bytes = (0..<2048).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var parser = AWSEventStreamParser()
        _ = parser.feed(bytes)
        // A plausible prelude with a damaged body, and headers of every type cut short.
        _ = AWSEventStreamParser.headers([5, 0x61, 0x62, 0x63, 0x64, 0x65, 7, 0xFF, 0xFF, 0x61][...])
        _ = AWSEventStreamParser.headers([1, 0x61, 9, 1, 2][...])
    }

    @Test func headersOfEveryTypeAreRead() {
        var block: [UInt8] = []
        func name(_ text: String, _ type: UInt8) { block += [UInt8(text.utf8.count)] + Array(text.utf8) + [type] }
        name("t", 0)
        name("f", 1)
        name("b", 2); block += [0xFF]
        name("s", 3); block += [0x01, 0x00]
        name("i", 4); block += [0x00, 0x00, 0x01, 0x00]
        name("l", 5); block += [0, 0, 0, 0, 0, 0, 0x10, 0x00]
        name("x", 6); block += [0x00, 0x02, 0xAB, 0xCD]
        name("str", 7); block += [0x00, 0x02] + Array("hi".utf8)
        name("ts", 8); block += [0, 0, 0x01, 0x93, 0x00, 0x00, 0x00, 0x00]
        name("u", 9); block += Array(repeating: 0x11, count: 16)
        let headers = AWSEventStreamParser.headers(block[...])
        #expect(headers?["t"] == "true" && headers?["f"] == "false")
        #expect(headers?["b"] == "-1" && headers?["s"] == "256" && headers?["i"] == "256" && headers?["l"] == "4096")
        #expect(headers?["x"] == "abcd" && headers?["str"] == "hi")
        #expect(headers?["u"] == String(repeating: "11", count: 16))
        #expect(AWSEventStreamParser.headers(block.dropLast()[...]) == nil, "a header cut short")
        #expect(AWSEventStreamParser.headers([1, 0x61, 42][...]) == nil, "an unknown type")
    }

    @Test func eventsAreNamedByTheirTypeAndTimedByTheChunkThatCompletedThem() {
        let chunks = EventStreamExchangeBuilder.frameChunks(Self.converseStream)
        let events = AWSEventStreamEventTimer.timedEvents(body: Self.converseStream, chunks: chunks)
        #expect(events.count == 8)
        #expect(events[1].event == "contentBlockDelta")
        #expect(events[1].tMs == 110)
        #expect(JSONValue.parse(events[1].data)?["delta"]?["text"] == .string("Hello"))
        #expect(events.last?.event == "metadata")
    }

    @Test func invokeChunksCarryTheModelsOwnEvent() {
        let body = Fixture.bytes("bedrock/invoke-anthropic-stream/response.eventstream")
        let events = AWSEventStreamEventTimer.timedEvents(body: body, chunks: [])
        #expect(events.count == 9)
        #expect(events.allSatisfy { $0.event == "chunk" })
        #expect(JSONValue.parse(events[0].data)?["type"] == .string("message_start"))
        #expect(JSONValue.parse(events[8].data)?["amazon-bedrock-invocationMetrics"]?["outputTokenCount"] == .number(18))
    }

    @Test func exceptionsAndErrorsBecomeNamedEvents() {
        let exception = AWSEventStreamMessage(
            headers: [":message-type": "exception", ":exception-type": "throttlingException", ":content-type": "application/json"],
            payload: Array(#"{"message":"Too many requests, please wait before trying again."}"#.utf8))
        let error = AWSEventStreamMessage(
            headers: [":message-type": "error", ":error-code": "InternalFailure", ":error-message": "An \"internal\" error"],
            payload: [])
        let timed = [AWSEventStreamEventTimer.event(of: exception, at: 5), AWSEventStreamEventTimer.event(of: error, at: 6)]
        #expect(timed[0].event == "throttlingException")
        #expect(timed[1].event == "InternalFailure")
        #expect(JSONValue.parse(timed[1].data)?["message"] == .string(#"An "internal" error"#))
    }
}


@Suite("AWS event stream sniffing")
struct AWSEventStreamSniffingTests {
    @Test func aStreamIsKnownByItsContentTypeOrItsFirstPrelude() {
        let body = Fixture.bytes("bedrock/converse-stream/response.eventstream")
        #expect(AWSEventStreamEventTimer.isEventStream(contentType: "application/vnd.amazon.eventstream", body: []))
        #expect(AWSEventStreamEventTimer.isEventStream(contentType: nil, body: body))
        #expect(AWSEventStreamEventTimer.isEventStream(contentType: "application/octet-stream", body: body))
        for other in ["bedrock/converse/response.json", "cohere/chat-stream/response.sse", "openai/chat-completions/response.json"] {
            #expect(!AWSEventStreamEventTimer.isEventStream(contentType: nil, body: Fixture.bytes(other)), "\(other)")
        }
        #expect(!AWSEventStreamEventTimer.isEventStream(contentType: nil, body: Array(body.prefix(15))))
        var damaged = body
        damaged[9] ^= 1
        #expect(!AWSEventStreamEventTimer.isEventStream(contentType: nil, body: damaged))
    }

    @Test func aConverseStreamWithoutContentTypeIsStillRead() throws {
        let exchange = LLMExchange(
            method: "POST", url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-pro-v1:0/converse-stream",
            requestHeaders: [], requestBody: Fixture.bytes("bedrock/converse-stream/request.json"), status: 200,
            responseHeaders: [], responseBody: Fixture.bytes("bedrock/converse-stream/response.eventstream"),
            events: [], requestSentMs: 10, firstByteMs: 50, lastByteMs: 60)
        let a = try #require(analyze(exchange))
        #expect(a.conversation.output.first?.text == "Hello! It's nice to meet you. How can I help you today?")
        #expect(a.usage == LLMUsage(inputTokens: 25, outputTokens: 18))
        #expect(a.truncated == false)
    }
}
