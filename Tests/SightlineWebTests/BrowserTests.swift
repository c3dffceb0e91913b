import Foundation
import SightlineCore
import SightlineStore
import SightlineTestSupport
import Testing

/// The UI in a real headless Chromium (Debian's `chromium` + `chromium-driver`, driven by selenium from
/// `Tests/e2e/ui_*.py`) against the whole stack in-process: calls go through the proxy, the page
/// must show them. Set `SIGHTLINE_SCREENSHOTS=docs` to refresh the README's screenshots.
@Suite(.serialized) struct BrowserTests {
    static var python: String? { TestBrowser.python }
    static var enabled: Bool { TestBrowser.enabled }

    func runScript(_ name: String, stack: WebStack, password: String? = nil, extra: [String] = []) async throws {
        _ = try #require(Self.python, "needs .venv with selenium and httpx, and chromium-driver (run .ci/run)")
        var extra = extra
        if let password { extra = ["--password", password] + extra }
        let result = try await TestBrowser.runScript(name, ui: stack.uiURL, proxy: stack.proxyURL, caFile: stack.caFile.path, extra: extra)
        #expect(result.status == 0, "\(name) failed:\n\(result.stderr)\n\(result.stdoutText)")
    }

    @Test(.enabled(if: BrowserTests.enabled, "needs chromium, chromium-driver and selenium (made by .ci/run)"))
    func liveListConversationSearchHostilePromptAndStream() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await runScript("ui_flows.py", stack: stack)
    }

    @Test(.enabled(if: BrowserTests.enabled, "needs chromium, chromium-driver and selenium (made by .ci/run)"))
    func replayOpensTheNewFlowBesideTheOldWithADiff() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await runScript("ui_replay.py", stack: stack)
    }

    @Test(.enabled(if: BrowserTests.enabled, "needs chromium, chromium-driver and selenium (made by .ci/run)"))
    func anOpenWebSocketSessionIsListedAndItsMessagesFollow() async throws {
        let stack = try await WebStack.start(webSocket: true)
        defer { Task { await stack.stop() } }
        try await runScript("ui_websocket.py", stack: stack,
                            extra: ["--websocket", "wss://realtime.openai.test/v1/realtime?model=gpt-realtime"])
    }

    @Test(.enabled(if: BrowserTests.enabled, "needs chromium, chromium-driver and selenium (made by .ci/run)"))
    func aSessionIsATreeOfItsPathsWithAWaterfall() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await runScript("ui_sessions.py", stack: stack)
    }

    @Test(.enabled(if: BrowserTests.enabled, "needs chromium, chromium-driver and selenium (made by .ci/run)"))
    func aToolLoopIsOneThreadWithItsNewMessagesMarked() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await runScript("ui_threads.py", stack: stack)
    }

    @Test(.enabled(if: BrowserTests.enabled, "needs chromium, chromium-driver and selenium (made by .ci/run)"))
    func anMCPSessionListsItsMethodsAndShowsAToolCall() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await runScript("ui_mcp.py", stack: stack)
    }

    @Test(.enabled(if: BrowserTests.enabled, "needs chromium, chromium-driver and selenium (made by .ci/run)"))
    func aBedrockStreamShowsItsFramesAsEvents() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await stack.store.insert([stack.recorder.builder.build(try Self.bedrockConverseStream())])
        try await runScript("ui_bedrock_stream.py", stack: stack)
    }

    /// A recorded ConverseStream call: the fixture's frames, one chunk each 30 ms apart, SigV4-signed.
    static func bedrockConverseStream() throws -> FlowCapture {
        let directory = DemoFlows.fixtures.appendingPathComponent("bedrock/converse-stream")
        let body = [UInt8](try Data(contentsOf: directory.appendingPathComponent("response.eventstream")))
        let headers = [HeaderField("Host", "bedrock-runtime.us-east-1.amazonaws.com"), HeaderField("Content-Type", "application/json"),
                       HeaderField("X-Amz-Security-Token", "IQoJb3JpZ2luX2VjBrowserTestSessionToken0000WXYZ"),
                       HeaderField("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261207/us-east-1/bedrock/aws4_request, "
                                   + "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=00112233445566778899aabbccddeeff00112233445566778899aabbccdd5a7e")]
        var request = CapturedRequest(
            method: "POST", url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream",
            httpVersion: "HTTP/1.1", headers: headers, body: CapturedBody(capBytes: 1 << 24))
        request.body.append([UInt8](try Data(contentsOf: directory.appendingPathComponent("request.json"))))
        var capture = FlowCapture(id: FlowID.make(at: Date()), mode: .proxy, clientAddress: "127.0.0.1", request: request,
                                  timings: FlowTimings(start: Date()))
        var responseBody = CapturedBody(capBytes: 1 << 24)
        responseBody.append(body)
        capture.response = CapturedResponse(status: 200, reason: "OK", httpVersion: "HTTP/1.1",
                                            headers: [HeaderField("Content-Type", "application/vnd.amazon.eventstream")], body: responseBody)
        var offset = 0
        while offset + 4 <= body.count {
            offset += body[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            capture.responseChunks.append(ChunkArrival(endOffset: offset, tMs: 300 + 30 * Double(capture.responseChunks.count)))
        }
        capture.timings.requestSentMs = 40
        capture.timings.firstByteMs = 300
        capture.timings.lastByteMs = capture.responseChunks.last?.tMs
        return capture
    }

    @Test(.enabled(if: BrowserTests.enabled, "needs chromium, chromium-driver and selenium (made by .ci/run)"))
    func loginIsRequiredWhenAPasswordIsSet() async throws {
        let stack = try await WebStack.start(password: "correct horse battery")
        defer { Task { await stack.stop() } }
        try await runScript("ui_login.py", stack: stack, password: "correct horse battery")
    }
}

/// `SIGHTLINE_SCREENSHOTS=docs swift test --filter ReadmeScreenshots` refreshes the README's pictures
/// from a day of varied, seeded flows (not a test of behaviour: the suites above are).
@Suite struct ReadmeScreenshots {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SIGHTLINE_SCREENSHOTS"] != nil && BrowserTests.python != nil))
    func screenshotsOfASeededStore() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await DemoFlows.seed(stack.store, builder: stack.recorder.builder)
        try await BrowserTests().runScript("ui_screenshots.py", stack: stack)
    }
}
