import Foundation

/// The headless Chromium of the browser tests (Debian's `chromium` + `chromium-driver`, driven by selenium from
/// `Tests/e2e/ui_*.py`).
public enum TestBrowser {
    /// The venv's Python when it has selenium and a chromedriver is installed; in CI it must be there.
    public static let python: String? = {
        let environment = ProcessInfo.processInfo.environment
        let candidate = TestPython.path
        guard FileManager.default.isExecutableFile(atPath: candidate),
              FileManager.default.isExecutableFile(atPath: environment["SIGHTLINE_CHROMEDRIVER"] ?? "/usr/bin/chromedriver"),
              let check = try? run(candidate, ["-c", "import selenium, httpx"]), check.status == 0 else { return nil }
        return candidate
    }()

    public static var enabled: Bool { python != nil || ProcessInfo.processInfo.environment["CI"] != nil }

    /// Runs `Tests/e2e/<name>` against a UI, without the test process's proxy variables.
    public static func runScript(_ name: String, ui: String, proxy: String, caFile: String, extra: [String] = []) async throws -> CommandResult {
        guard let python else { throw TestBrowserError() }
        var environment = ProcessInfo.processInfo.environment
        for variable in ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY", "all_proxy"] {
            environment.removeValue(forKey: variable)
        }
        var arguments = [TestPython.script(name), "--ui", ui, "--proxy", proxy, "--ca", caFile] + extra
        if let screenshots = environment["SIGHTLINE_SCREENSHOTS"] {
            let directory = screenshots.hasPrefix("/") ? screenshots : PackageRoot.url.appendingPathComponent(screenshots).path
            arguments += ["--screenshots", directory]
        }
        return try await runOffThePool(python, arguments, environment: environment)
    }
}

public struct TestBrowserError: Error, CustomStringConvertible {
    public var description: String { "needs .venv with selenium and httpx, and chromium-driver (run .ci/run)" }
}
