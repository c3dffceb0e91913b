import Foundation
import SightlineTestSupport
import Testing

/// The UI in a real headless Chromium (Debian's `chromium` + `chromium-driver`, driven by selenium from
/// `Tests/e2e/ui_*.py`) against the whole stack in-process: calls go through the proxy, the page
/// must show them. Set `SIGHTLINE_SCREENSHOTS=docs` to refresh the README's screenshots.
@Suite(.serialized) struct BrowserTests {
    /// The venv's Python when it has selenium and a chromedriver is installed; in CI it must be there.
    static let python: String? = {
        let environment = ProcessInfo.processInfo.environment
        let candidate = TestPython.path
        guard FileManager.default.isExecutableFile(atPath: candidate),
              FileManager.default.isExecutableFile(atPath: environment["SIGHTLINE_CHROMEDRIVER"] ?? "/usr/bin/chromedriver"),
              let check = try? run(candidate, ["-c", "import selenium, httpx"]), check.status == 0 else { return nil }
        return candidate
    }()

    static var enabled: Bool { python != nil || ProcessInfo.processInfo.environment["CI"] != nil }

    func runScript(_ name: String, stack: WebStack, password: String? = nil, extra: [String] = []) async throws {
        let python = try #require(Self.python, "needs .venv with selenium and httpx, and chromium-driver (run .ci/run)")
        var arguments = [TestPython.script(name),
                         "--ui", stack.uiURL, "--proxy", stack.proxyURL, "--ca", stack.caFile.path]
        if let password { arguments += ["--password", password] }
        arguments += extra
        var environment = ProcessInfo.processInfo.environment
        for name in ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY", "all_proxy"] { environment.removeValue(forKey: name) }
        if let screenshots = environment["SIGHTLINE_SCREENSHOTS"] {
            let directory = screenshots.hasPrefix("/") ? screenshots : PackageRoot.url.appendingPathComponent(screenshots).path
            arguments += ["--screenshots", directory]
        }
        let result = try await runOffThePool(python, arguments, environment: environment)
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
