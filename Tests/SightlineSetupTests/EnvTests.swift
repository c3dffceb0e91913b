import Foundation
import SightlineTestSupport
import Testing

/// `eval "$(sightline env)"` is all a shell needs: curl and Python's requests then reach an intercepted
/// HTTPS API through a running Sightline, trust its CA, and the calls are recorded.
@Suite(.serialized) struct EnvTests {
    /// The script each shell runs: load the env lines its own way, then curl and requests with no flag.
    private func script(shell: String, env: String) -> String {
        let load = shell == "fish" ? "\(env) | source" : "eval \"$(\(env))\""
        let curl = "curl -sS --max-time 15 -H 'Content-Type: application/json' -H 'Authorization: Bearer sk-env-test-0001' "
            + "-d '\(chatRequestJSON)' https://api.openai.com/v1/chat/completions"
        let python = "\(TestPython.path) -c 'import requests; "
            + "print(requests.post(\"https://api.openai.com/v1/chat/completions\", data=open(0).read(), timeout=15, "
            + "headers={\"Content-Type\": \"application/json\", \"Authorization\": \"Bearer sk-env-test-0002\"}).text)'"
        return [load, curl, "echo", "echo '\(chatRequestJSON)' | " + python].joined(separator: "\n")
    }

    /// bash always; zsh and fish where installed (`.ci/run` installs them).
    @Test(arguments: ["bash", "zsh", "fish"].filter { $0 == "bash" || isInstalled($0) })
    func evalEnvThenCurlAndRequestsGoThroughSightline(shell: String) async throws {
        let directory = try makeTemporaryDirectory("sightline-env-\(shell)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await TestUpstream(directory: directory)
        let data = directory.appendingPathComponent("data").path
        let sightline = try StartedSightline.start(["--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--log-level", "error",
                                                    "--data-dir", data] + upstream.openAIRemapFlags)
        defer { sightline.interrupt() }
        try #require(sightline.proxyPort > 0)

        let env = "\(SightlineBinary.path) env --shell \(shell) --listen 127.0.0.1:\(sightline.proxyPort) --data-dir \(data)"
        let result = try run(shell, ["-c", script(shell: shell, env: env)])
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines == [TestUpstream.chatJSON, TestUpstream.chatJSON], "\(result.stderr)")

        sightline.interrupt()
        await upstream.close()
        let flows = try SightlineBinary.recordedFlows(dataDir: data)
        #expect(flows.count == 2)
        #expect(flows.allSatisfy { $0["provider"] as? String == "openai" && $0["status"] as? Int == 200 })
    }

    @Test func unsetRemovesEveryVariableEnvSet() throws {
        let directory = try makeTemporaryDirectory("sightline-env-unset")
        defer { try? FileManager.default.removeItem(at: directory) }
        let env = "\(SightlineBinary.path) env --shell bash --data-dir \(directory.path)"
        let check = #"for v in HTTPS_PROXY http_proxy SSL_CERT_FILE REQUESTS_CA_BUNDLE NODE_EXTRA_CA_CERTS NODE_USE_ENV_PROXY; do echo "$v=${!v-unset}"; done"#
        let result = try run("bash", ["-c", "eval \"$(\(env))\"\n\(check)\neval \"$(\(env) --unset)\"\n\(check)"])
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(lines.count == 12, "\(result.stderr)")
        #expect(lines.prefix(6).allSatisfy { !$0.hasSuffix("=unset") })
        #expect(lines.contains("HTTPS_PROXY=http://127.0.0.1:9020"))
        #expect(lines.contains("SSL_CERT_FILE=\(directory.path)/ca-bundle.pem"))
        #expect(lines.suffix(6).allSatisfy { $0.hasSuffix("=unset") })
        // env makes the bundle a client will read, even before `start` ever ran with this data dir.
        let bundle = try String(contentsOfFile: directory.path + "/ca-bundle.pem", encoding: .utf8)
        #expect(bundle.contains(try String(contentsOfFile: directory.path + "/ca-cert.pem", encoding: .utf8)))
    }
}

/// Whether `program` is on PATH: the shells other than bash are optional outside CI.
private func isInstalled(_ program: String) -> Bool {
    (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
}
