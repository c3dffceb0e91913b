import Foundation
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
