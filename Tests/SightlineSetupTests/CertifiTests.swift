import Crypto
import Foundation
import SightlineTestSupport
import Testing

/// `ca patch-certifi` on a real venv: requests, which trusts only certifi's bundle, then works through
/// Sightline with no CA variable at all; `unpatch-certifi` puts the file back exactly.
@Suite(.serialized) struct CertifiTests {
    /// A plain requests call through the proxy, told the proxy in code: no environment variable is involved.
    private func requestsCall(python: String, proxy: String) throws -> CommandResult {
        let code = """
        import requests
        try:
            r = requests.post("https://api.openai.com/v1/chat/completions", data='\(chatRequestJSON)', timeout=15,
                              headers={"Content-Type": "application/json", "Authorization": "Bearer sk-certifi-0005"},
                              proxies={"https": "\(proxy)"})
            print(r.text)
        except requests.exceptions.SSLError as error:
            print("SSLError", error)
        """
        return try run(python, ["-c", code])
    }

    private func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    @Test func patchCertifiMakesPlainRequestsTrustSightlineAndUnpatchRestoresTheFile() async throws {
        let directory = try makeTemporaryDirectory("sightline-certifi")
        defer { try? FileManager.default.removeItem(at: directory) }
        let venv = directory.appendingPathComponent("venv").path
        let made = try run("python3", ["-m", "venv", venv])
        try #require(made.status == 0, "\(made.stderr)")
        let python = venv + "/bin/python"
        let pip = try run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "requests", "certifi"])
        try #require(pip.status == 0, "pip could not install requests and certifi: \(pip.stderr)")
        let bundle = try run(python, ["-c", "import certifi; print(certifi.where())"]).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        let originalHash = try sha256(bundle)

        let upstream = try await TestUpstream(directory: directory)
        defer { Task { await upstream.close() } }
        let data = directory.appendingPathComponent("data").path
        let sightline = try StartedSightline.start(["--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--log-level", "error",
                                                    "--data-dir", data] + upstream.openAIRemapFlags)
        defer { sightline.interrupt() }

        let before = try requestsCall(python: python, proxy: sightline.proxy)
        #expect(before.stdoutText.hasPrefix("SSLError"), "unpatched certifi must not trust Sightline: \(before.stdoutText) \(before.stderr)")

        let patch = try run(SightlineBinary.path, ["ca", "patch-certifi", "--python", python, "--data-dir", data])
        #expect(patch.status == 0, "\(patch.stderr)")
        #expect(patch.stdoutText.contains("+ cp -p \(bundle) \(bundle).sightline-backup"))
        let after = try requestsCall(python: python, proxy: sightline.proxy)
        #expect(after.stdoutText == TestUpstream.chatJSON + "\n", "\(after.stdoutText) \(after.stderr)")

        let patchedHash = try sha256(bundle)
        let again = try run(SightlineBinary.path, ["ca", "patch-certifi", "--python", python, "--data-dir", data])
        #expect(again.status == 0 && again.stdoutText.contains("already patched"))
        #expect(try sha256(bundle) == patchedHash)

        let unpatch = try run(SightlineBinary.path, ["ca", "unpatch-certifi", "--python", python, "--data-dir", data])
        #expect(unpatch.status == 0, "\(unpatch.stderr)")
        #expect(try sha256(bundle) == originalHash)
        #expect(!FileManager.default.fileExists(atPath: bundle + ".sightline-backup"))
        #expect(try requestsCall(python: python, proxy: sightline.proxy).stdoutText.hasPrefix("SSLError"))

        sightline.interrupt()
        #expect(try SightlineBinary.recordedFlows(dataDir: data).contains { $0["status"] as? Int == 200 })
    }
}
