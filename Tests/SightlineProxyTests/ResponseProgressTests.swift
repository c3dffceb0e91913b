import Testing
@testable import SightlineProxy

/// Which responses have their chunk arrival times kept: the streams whose events are timed.
@Suite struct ResponseProgressTests {
    @Test(arguments: ["text/event-stream", "text/event-stream; charset=utf-8", "application/x-ndjson",
                      "application/vnd.amazon.eventstream", "Application/Vnd.Amazon.EventStream"])
    func streamsKeepChunkTimes(_ contentType: String) {
        #expect(ResponseProgress.isStreaming(contentType))
    }

    @Test(arguments: ["application/json", "text/plain", "application/octet-stream"])
    func bodiesDoNot(_ contentType: String) {
        #expect(!ResponseProgress.isStreaming(contentType))
        #expect(!ResponseProgress.isStreaming(nil))
    }
}
