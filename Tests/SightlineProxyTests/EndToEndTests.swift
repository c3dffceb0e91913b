import Foundation
import SightlineTestSupport
import Testing

/// A new user's first run, as the issue states it: official clients through `HTTPS_PROXY` + `SSL_CERT_FILE`,
/// the real API host name (mapped to the test upstream), and the flows read back through the JSON API.
@Suite(.serialized) struct EndToEndTests {
    @Test(.enabled(if: TestPython.executable != nil || ProcessInfo.processInfo.environment["CI"] != nil,
                   "needs .venv with openai and httpx (made by .ci/run)"))
    func officialOpenAISDKThroughTheProxyIsRecordedAndUnderstood() async throws {
        let python = try #require(TestPython.executable, "no Python with the openai SDK: run .ci/run or set SIGHTLINE_TEST_PYTHON")
        let stack = try await FullStack.start()
        defer { Task { await stack.stop() } }

        let result = try run(python, [TestPython.script("openai_chat.py")], environment: stack.clientEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        let output = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        #expect(output["content"] as? String == "I am a little teapot.")
        #expect(output["stream_text"] as? String == "word0 word1 word2 word3 word4 ")
        let arrivals = output["arrivals"] as? [Double] ?? []
        // Events were sent 50 ms apart: the SDK must have seen them spread out, not in one burst.
        #expect(arrivals.count >= 5)
        #expect((arrivals.last ?? 0) - (arrivals.first ?? 0) >= 0.15)

        let flows = try await stack.waitForFlows(2)
        let chat = try #require(flows.first { $0["stream"] as? Bool == false && $0["provider"] as? String == "openai" })
        #expect(chat["url"] as? String == "https://api.openai.com/v1/chat/completions")
        #expect(chat["status"] as? Int == 200)
        #expect(chat["model"] as? String == "gpt-4o-mini-2024-07-18")
        #expect(chat["input_tokens"] as? Int == 12)
        #expect(chat["output_tokens"] as? Int == 6)
        #expect(chat["cost_usd"] is NSNumber)
        #expect(chat["mode"] as? String == "proxy")

        let streamed = try #require(flows.first { $0["stream"] as? Bool == true })
        let detail = try #require(try await stack.api("/api/flows/\(streamed["id"] as? String ?? "")") as? [String: Any])
        let events = detail["events"] as? [[String: Any]] ?? []
        #expect(events.count == 6)
        let times = events.compactMap { $0["t_ms"] as? Double }
        #expect((times.last ?? 0) - (times.first ?? 0) >= 150)
        #expect(streamed["ttft_ms"] is NSNumber)

        // The key never reaches the store: only its last four characters.
        let request = try #require(detail["request"] as? [String: Any])
        let headers = request["headers"] as? [[String]] ?? []
        #expect(headers.first { $0[0].lowercased() == "authorization" }?[1] == "Bearer ****7890")
        let conversation = try #require(detail["conversation"] as? [String: Any])
        let output2 = conversation["output"] as? [[String: Any]] ?? []
        #expect(!output2.isEmpty)
    }

    @Test(.enabled(if: TestPython.executable != nil || ProcessInfo.processInfo.environment["CI"] != nil,
                   "needs .venv with openai and httpx (made by .ci/run)"))
    func httpxGetsExactlyTheUpstreamBytes() async throws {
        let python = try #require(TestPython.executable, "no Python with httpx: run .ci/run or set SIGHTLINE_TEST_PYTHON")
        let stack = try await FullStack.start()
        defer { Task { await stack.stop() } }
        let result = try run(python, [TestPython.script("httpx_raw.py"), "https://api.openai.com/v1/chat/completions"],
                             environment: stack.clientEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText == TestUpstream.chatJSON)
        let flows = try await stack.waitForFlows(1)
        #expect(flows.first?["status"] as? Int == 200)
    }

    @Test func reloadMakesANewUpstreamCATakeEffectOnTheNextConnection() async throws {
        let stack = try await FullStack.start()
        defer { Task { await stack.stop() } }
        // Replace the trusted upstream CA file with an unrelated CA: after reload, the upstream must be refused.
        let original = try String(contentsOf: stack.upstream.caFile, encoding: .utf8)
        let other = try SightlineCAForTests.unrelatedCAPEM()
        try other.write(to: stack.upstream.caFile, atomically: true, encoding: .utf8)
        let before = try run("curl", ["--max-time", "10", "-sS", "-x", stack.proxyURL, "--cacert", stack.caFile.path, "-d", "{}",
                                      "https://api.openai.com/v1/chat/completions"])
        #expect(before.stdoutText == TestUpstream.chatJSON, "no reload yet: old trust still in force")

        _ = try await stack.api("/api/reload", method: "POST")
        let after = try run("curl", ["--max-time", "10", "-sS", "-x", stack.proxyURL, "--cacert", stack.caFile.path, "-d", "{}",
                                     "https://api.openai.com/v1/chat/completions"])
        #expect(after.status != 0)
        #expect(after.stderr.contains("502"))

        try original.write(to: stack.upstream.caFile, atomically: true, encoding: .utf8)
        _ = try await stack.api("/api/reload", method: "POST")
        let restored = try run("curl", ["--max-time", "10", "-sS", "-x", stack.proxyURL, "--cacert", stack.caFile.path, "-d", "{}",
                                        "https://api.openai.com/v1/chat/completions"])
        #expect(restored.stdoutText == TestUpstream.chatJSON)
    }
}

import SightlineCA
enum SightlineCAForTests {
    static func unrelatedCAPEM() throws -> String { try CertificateAuthority.create(commonName: "Unrelated").certificatePEM }
}
