import Foundation
import SightlineTestSupport
import Testing

/// `sightline run -- CMD`: the program needs no proxy configuration; its calls are recorded and
/// summarized, and its exit status is Sightline's.
@Suite(.serialized) struct RunTests {
    @Test func runStartsSightlineForAnUnconfiguredSDKProgramAndPassesItsExitCode() async throws {
        let directory = try makeTemporaryDirectory("sightline-run")
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await TestUpstream(directory: directory)
        defer { Task { await upstream.close() } }
        let data = directory.appendingPathComponent("data").path

        let script = TestPython.script("run_unconfigured.py")
        let result = try run(SightlineBinary.path, ["run", "--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--data-dir", data] + upstream.openAIRemapFlags
                             + ["--", TestPython.path, script, "3"], environment: cleanEnvironment(["OPENAI_API_KEY": "sk-run-test-0003"]))

        #expect(result.status == 3, "\(result.stderr)")
        // The child's own stdout is untouched by Sightline: openai (httpx) and aiohttp both got the answer.
        #expect(result.stdoutText == "openai: I am a little teapot.\naiohttp: 200 I am a little teapot.\n", "\(result.stderr)")
        #expect(result.stderr.contains("sightline: 2 LLM calls while"), "\(result.stderr)")
        #expect(result.stderr.contains("(exit 3)"))
        let row = result.stderr.split(separator: "\n").first { $0.contains("gpt-4o-mini-2024-07-18") }.map(String.init) ?? ""
        // MODEL  CALLS  IN TOK  OUT TOK  COST  ERRORS  P50 MS
        let columns = row.split(separator: " ").map(String.init)
        #expect(columns.count == 7 && Array(columns.prefix(4)) == ["gpt-4o-mini-2024-07-18", "2", "24", "12"] && columns[5] == "0", "\(row)")
        #expect(Int(columns.last ?? "") != nil, "p50 latency in ms: \(row)")
        #expect(row.contains("$0.0000"), "cost is shown: \(row)")
        #expect(result.stderr.contains("see them: sightline flows --data-dir \(data)"))

        let flows = try SightlineBinary.recordedFlows(dataDir: data)
        #expect(flows.count == 2)
        #expect(flows.allSatisfy { $0["model"] as? String == "gpt-4o-mini-2024-07-18" })
    }

    /// Node's fetch ignores HTTPS_PROXY (before 22.21/24.5, even with NODE_USE_ENV_PROXY): `run` preloads a
    /// script that routes it through Sightline, with no change to the program.
    @Test func runBringsNodeFetchThroughWithNoConfiguration() async throws {
        let directory = try makeTemporaryDirectory("sightline-run-node")
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await TestUpstream(directory: directory)
        defer { Task { await upstream.close() } }
        let data = directory.appendingPathComponent("data").path
        let script = PackageRoot.url.appendingPathComponent("Tests/e2e/node_fetch_unconfigured.mjs").path
        let result = try run(SightlineBinary.path, ["run", "--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--data-dir", data] + upstream.openAIRemapFlags
                             + ["--", "node", script], environment: cleanEnvironment(["OPENAI_API_KEY": "sk-run-node-0005", "NODE_OPTIONS": ""]))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText == "node fetch: 200 I am a little teapot.\n", "\(result.stderr)")
        #expect(result.stderr.contains("sightline: 1 LLM call while"), "\(result.stderr)")
        let flows = try SightlineBinary.recordedFlows(dataDir: data)
        #expect(flows.count == 1)
        #expect(flows.first?["model"] as? String == "gpt-4o-mini-2024-07-18")
    }

    @Test func runUsesTheSightlineThatAlreadyAnswers() async throws {
        let directory = try makeTemporaryDirectory("sightline-run-reuse")
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await TestUpstream(directory: directory)
        defer { Task { await upstream.close() } }
        let data = directory.appendingPathComponent("data").path
        let sightline = try StartedSightline.start(["--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--log-level", "error",
                                                    "--data-dir", data] + upstream.openAIRemapFlags)
        defer { sightline.interrupt() }
        try #require(sightline.uiPort > 0)

        // A different data dir: the running instance's CA must come from its API, not from disk.
        let result = try run(SightlineBinary.path, [
            "run", "--listen", "127.0.0.1:\(sightline.proxyPort)", "--ui", "127.0.0.1:\(sightline.uiPort)",
            "--data-dir", directory.appendingPathComponent("unused").path, "--",
            "curl", "-sS", "--max-time", "15", "-H", "Content-Type: application/json", "-H", "Authorization: Bearer sk-run-reuse-0004",
            "-d", chatRequestJSON, "https://api.openai.com/v1/chat/completions",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText == TestUpstream.chatJSON)
        #expect(result.stderr.contains("recording through the running Sightline at \(sightline.proxy)"), "\(result.stderr)")
        #expect(result.stderr.contains("sightline: 1 LLM call while"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("unused/flows.sqlite").path))

        sightline.interrupt()
        #expect(try SightlineBinary.recordedFlows(dataDir: data).count == 1)
    }

    @Test func runForwardsTerminationAndReportsTheSignal() throws {
        let directory = try makeTemporaryDirectory("sightline-run-signal")
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SightlineBinary.path)
        process.arguments = ["run", "--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--data-dir", directory.path, "--",
                             "sh", "-c", "echo ready; exec sleep 30"]
        process.environment = cleanEnvironment()
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.runWithDefaultSignals()
        let ready = out.fileHandleForReading.availableData
        #expect(String(decoding: ready, as: UTF8.self) == "ready\n")
        let started = Date()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(process.terminationStatus == 128 + SIGTERM)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stderr.contains("killed by signal \(SIGTERM)"), "\(stderr)")
    }
}
