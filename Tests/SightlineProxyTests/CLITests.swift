import Foundation
import SightlineCore
import SightlineStore
import SightlineTestSupport
import Testing

/// The built `sightline` binary as a user runs it: `start` prints its addresses, records, and flushes on Ctrl-C;
/// `flows` and `show` read the store back.
@Suite(.serialized) struct CLITests {
    static var binary: String { SightlineBinary.path }

    /// `start`'s arguments for a run into `data` whose calls to api.openai.com reach the test upstream.
    static func recordingTo(_ upstream: TestUpstream, data: String) -> [String] {
        ["--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--data-dir", data, "--upstream-ca", upstream.caFile.path,
         "--map-remote", "https://api.openai.com=https://localhost:\(upstream.port)", "--log-level", "error"]
    }

    /// Starts `sightline start` and returns the process and the proxy and UI URLs from its banner.
    private func start(_ arguments: [String]) throws -> (Process, String, String) {
        let started = try StartedSightline.start(arguments)
        return (started.process, started.proxy, started.ui)
    }

    @Test func startRecordsFlushesOnInterruptAndFlowsReadsItBack() async throws {
        let directory = try makeTemporaryDirectory("sightline-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await TestUpstream(directory: directory)
        defer { Task { await upstream.close() } }
        let data = directory.appendingPathComponent("data").path

        let (process, proxy, ui) = try start(Self.recordingTo(upstream, data: data))
        defer { if process.isRunning { process.terminate() } }
        #expect(proxy.hasPrefix("http://127.0.0.1:"))
        #expect(ui.hasPrefix("http://127.0.0.1:"))
        let keyMode = try FileManager.default.attributesOfItem(atPath: data + "/ca-key.pem")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)

        let curl = try run("curl", ["--max-time", "10", "-sS", "-x", proxy, "--cacert", data + "/ca-cert.pem",
                                    "-H", "Authorization: Bearer sk-cli-secret-abcd", "-H", "Content-Type: application/json",
                                    "-d", #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello teapot"}]}"#,
                                    "https://api.openai.com/v1/chat/completions"])
        #expect(curl.stdoutText == TestUpstream.chatJSON, "\(curl.stderr)")

        // Ctrl-C: the flow must be flushed before the process exits.
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)

        let flows = try run(Self.binary, ["flows", "--json", "--data-dir", data])
        let page = try #require(try JSONSerialization.jsonObject(with: flows.stdout) as? [String: Any], "\(flows.stderr)")
        let list = page["flows"] as? [[String: Any]] ?? []
        #expect(list.count == 1)
        #expect(list.first?["provider"] as? String == "openai")
        #expect(list.first?["model"] as? String == "gpt-4o-mini-2024-07-18")

        let show = try run(Self.binary, ["show", "last", "--data-dir", data])
        let text = show.stdoutText
        #expect(text.contains("Authorization: Bearer ****"))
        #expect(!text.contains("sk-cli-secret-abcd"))
        #expect(text.contains("hello teapot"))
        #expect(text.contains("I am a little teapot."))

        // Flows survive a restart: a second start sees the same store.
        let (again, _, ui2) = try start(["--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--data-dir", data, "--log-level", "error"])
        defer { if again.isRunning { again.terminate() } }
        let api = try curlAPI(ui2, "/api/flows")
        let apiPage = try JSONSerialization.jsonObject(with: api.stdout) as? [String: Any]
        #expect((apiPage?["flows"] as? [Any])?.count == 1)
        let ca = try curlAPI(ui2, "/api/ca.pem")
        #expect(ca.stdoutText == (try String(contentsOfFile: data + "/ca-cert.pem", encoding: .utf8)))
        kill(again.processIdentifier, SIGTERM)
        again.waitUntilExit()
    }

    @Test func replayEditsAndResendsACallThroughTheRunningInstanceAndDiffSaysWhatChanged() async throws {
        let directory = try makeTemporaryDirectory("sightline-replay")
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await TestUpstream(directory: directory)
        defer { Task { await upstream.close() } }
        let data = directory.appendingPathComponent("data").path
        let (process, proxy, ui) = try start(Self.recordingTo(upstream, data: data))
        defer { if process.isRunning { process.terminate() } }
        let curl = try run("curl", ["--max-time", "10", "-sS", "-x", proxy, "--cacert", data + "/ca-cert.pem",
                                    "-H", "Authorization: Bearer sk-replay-secret-abcd", "-H", "Content-Type: application/json",
                                    "-d", #"{"model":"gpt-4o-mini","temperature":1,"messages":[{"role":"user","content":"hello teapot"}]}"#,
                                    "https://api.openai.com/v1/chat/completions"])
        #expect(curl.status == 0, "\(curl.stderr)")
        let address = String(ui.dropFirst("http://".count))
        var original: String?
        for _ in 0..<50 where original == nil {
            let page = try JSONSerialization.jsonObject(with: try curlAPI(ui, "/api/flows").stdout) as? [String: Any]
            original = (page?["flows"] as? [[String: Any]])?.first?["id"] as? String
            if original == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let originalID = try #require(original)

        let replay = try run(Self.binary, ["replay", "last", "--model", "gpt-4o", "--set", "temperature=0", "--set", "messages.0.content=hello kettle",
                                           "--json", "--ui", address])
        #expect(replay.status == 0, "\(replay.stderr)")
        let answer = try #require(try JSONSerialization.jsonObject(with: replay.stdout) as? [String: Any], "\(replay.stdoutText)")
        let newID = try #require(answer["id"] as? String)
        #expect(newID != originalID && answer["status"] as? Int == 200 && answer["replay_of"] as? String == originalID)
        let diff = try #require(answer["diff"] as? [String: Any])
        let params = diff["params_changed"] as? [String: [Any]] ?? [:]
        #expect(params["model"]?.compactMap { $0 as? String } == ["gpt-4o-mini", "gpt-4o"], "\(params)")
        #expect(params["temperature"]?.compactMap { ($0 as? NSNumber)?.intValue } == [1, 0], "\(params)")
        #expect((diff["changed_messages"] as? [[String: Any]])?.count == 1 && (diff["added_messages"] as? [Any])?.isEmpty == true)
        // The new flow went out edited (its recorded request is what reached the upstream) and names the one it replays.
        let flow = try JSONSerialization.jsonObject(with: try curlAPI(ui, "/api/flows/\(newID)").stdout) as? [String: Any]
        let sent = (flow?["request"] as? [String: Any])?["body"] as? String ?? ""
        #expect(sent.contains(#""model":"gpt-4o""#) && sent.contains("hello kettle") && !sent.contains("hello teapot"), "\(sent)")
        #expect(upstream.requests.count == 2)
        let listed = try JSONSerialization.jsonObject(with: try curlAPI(ui, "/api/flows?limit=1").stdout) as? [String: Any]
        #expect((listed?["flows"] as? [[String: Any]])?.first?["replay_of"] as? String == originalID)
        // `diff` prints the same in words, against the replayed flow by default.
        let words = try run(Self.binary, ["diff", newID, "--ui", address])
        #expect(words.status == 0 && words.stdoutText.contains("against \(originalID): 3 changes"), "\(words.stdoutText)\(words.stderr)")
        #expect(words.stdoutText.contains("~ model: \"gpt-4o-mini\" → \"gpt-4o\""), "\(words.stdoutText)")
        let nothing = try run(Self.binary, ["replay", originalID, "--ui", "127.0.0.1:1"])
        #expect(nothing.status != 0 && nothing.stderr.contains("no Sightline answers at http://127.0.0.1:1"), "\(nothing.stderr)")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
    }

    /// GATEWAY.md state lives in the store: a cached answer and a rate-limit window outlast a restart,
    /// `DELETE /api/cache` empties the cache, and `sightline stats` counts hits, savings and refusals.
    @Test func gatewayCacheAndRateLimitsSurviveARestart() async throws {
        let directory = try makeTemporaryDirectory("sightline-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await TestUpstream(directory: directory)
        defer { Task { await upstream.close() } }
        let data = directory.appendingPathComponent("data").path
        let arguments = ["--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--data-dir", data, "--upstream-ca", upstream.caFile.path,
                         "--gateway-target", "https://localhost:\(upstream.port)", "--log-level", "error"]
        func chat(_ proxy: String, _ headers: [String]) throws -> (status: String, headers: String) {
            let result = try run("curl", ["--max-time", "10", "-sS", "-D", "-", "-o", "/dev/null", "-H", "Authorization: Bearer sk-restart-abcd",
                                          "-H", "Content-Type: application/json"] + headers.flatMap { ["-H", $0] } + [
                                          "-d", #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"persist me"}]}"#,
                                          proxy + "/v1/chat/completions"])
            let text = result.stdoutText
            return (String(text.split(separator: " ").dropFirst().first ?? ""), text.lowercased())
        }
        let cache = ["Sightline-Cache-Enabled: true"]
        let limit = ["Sightline-RateLimit-Policy: 2;w=3600", "Sightline-User-Id: ada"]
        func stop(_ process: Process) {
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
        }

        let (first, proxy1, _) = try start(arguments)
        defer { if first.isRunning { first.terminate() } }
        #expect(try chat(proxy1, cache).headers.contains("sightline-cache: miss"))
        #expect(try chat(proxy1, cache).headers.contains("sightline-cache: hit"))
        #expect(try chat(proxy1, limit).status == "200")
        #expect(upstream.requests.count == 2, "the hit and nothing else was answered by Sightline")
        stop(first)

        let (second, proxy2, ui2) = try start(arguments)
        defer { if second.isRunning { second.terminate() } }
        #expect(try chat(proxy2, cache).headers.contains("sightline-cache: hit"), "the cached answer was kept in the store")
        #expect(try chat(proxy2, limit).status == "200")
        #expect(try chat(proxy2, limit).status == "429", "the window counted the call made before the restart")
        #expect(upstream.requests.count == 3)

        let cleared = try run("curl", ["--max-time", "10", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "DELETE", ui2 + "/api/cache"])
        #expect(cleared.stdoutText == "204")
        #expect(try chat(proxy2, cache).headers.contains("sightline-cache: miss"), "DELETE /api/cache emptied it")
        #expect(upstream.requests.count == 4)
        stop(second)

        let stats = try run(Self.binary, ["stats", "--json", "--data-dir", data])
        let report = try #require(try JSONSerialization.jsonObject(with: stats.stdout) as? [String: Any], "\(stats.stderr)")
        let gateway = try #require(report["gateway"] as? [String: Any])
        #expect(gateway["cache_hits"] as? Int == 2)
        #expect(gateway["cache_misses"] as? Int == 2)
        #expect(gateway["rate_limited"] as? Int == 1)
        #expect((gateway["saved_cost_usd"] as? Double ?? 0) > 0, "gpt-4o-mini has a price, so hits saved money")
        let table = try run(Self.binary, ["stats", "--data-dir", data])
        #expect(table.stdoutText.contains("gateway: 2 cache hits"))
    }

    /// A run that was behind when it died (kill -9, power loss) left captures in the spool beside the
    /// store: the next start records them, redacted like any flow, and empties the spool.
    @Test func startRecordsWhatACrashedRunLeftInTheSpool() throws {
        let directory = try makeTemporaryDirectory("sightline-cli-spool")
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let spoolPath = data.appendingPathComponent("flows.sqlite-spool").path
        let ids = try (0..<3).map { index -> FlowID in
            var capture = FlowCapture(
                id: FlowID.make(), mode: .proxy, clientAddress: "127.0.0.1:5\(index)",
                request: CapturedRequest(method: "POST", url: "https://api.openai.com/v1/chat/completions", httpVersion: "HTTP/1.1",
                                         headers: [HeaderField("Authorization", "Bearer sk-spooled-secret-\(index)xyz")],
                                         body: CapturedBody(capBytes: 1 << 20, bytes: Array(#"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"spooled"}]}"#.utf8))),
                timings: FlowTimings(start: Date()))
            capture.response = CapturedResponse(status: 200, reason: "OK", httpVersion: "HTTP/1.1",
                                                headers: [HeaderField("Content-Type", "application/json")],
                                                body: CapturedBody(capBytes: 1 << 20, bytes: Array(TestUpstream.chatJSON.utf8)))
            let spool = try CaptureSpool(path: spoolPath)
            try spool.append([capture])
            return capture.id
        }

        let started = try StartedSightline.start(["--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--data-dir", data.path,
                                                  "--log-level", "error"])
        defer { started.terminateIfRunning() }
        var listed: [[String: Any]] = []
        for _ in 0..<100 where listed.count < 3 {
            let api = try curlAPI(started.ui, "/api/flows")
            listed = (try? JSONSerialization.jsonObject(with: api.stdout) as? [String: Any])?["flows"] as? [[String: Any]] ?? []
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(Set(listed.compactMap { $0["id"] as? String }) == Set(ids.map(\.description)))
        #expect(listed.allSatisfy { $0["model"] as? String == "gpt-4o-mini-2024-07-18" })
        let detail = try curlAPI(started.ui, "/api/flows/\(ids[1])")
        let text = detail.stdoutText
        #expect(text.contains("****"))
        #expect(!text.contains("sk-spooled-secret"))
        #expect(try FileManager.default.attributesOfItem(atPath: spoolPath)[.size] as? Int == 0)
        started.interrupt()
    }

    @Test func refusesACAKeyThatOthersCanRead() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sightline-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try run(Self.binary, ["env", "--data-dir", directory.path])
        let (first, _, _) = try start(["--listen", "127.0.0.1:0", "--no-ui", "--data-dir", directory.path])
        // SIGKILL, not terminate(): a child of the test process can inherit SIGTERM ignored, and then this
        // wait never ends (it hung a CI run). All this test needs is the first start to have made the key.
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory.path + "/ca-key.pem")
        let result = try run(Self.binary, ["start", "--listen", "127.0.0.1:0", "--no-ui", "--data-dir", directory.path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("chmod 600"))
    }
}
