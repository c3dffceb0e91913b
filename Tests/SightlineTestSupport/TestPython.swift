import Foundation

/// The Python with the official SDKs and the other test clients: the venv `scripts/test` makes, or
/// `SIGHTLINE_TEST_PYTHON`.
public enum TestPython {
    /// Where that Python is, whether or not it is installed: for a test that must fail loudly without it.
    public static var path: String {
        ProcessInfo.processInfo.environment["SIGHTLINE_TEST_PYTHON"] ?? PackageRoot.url.appendingPathComponent(".venv/bin/python").path
    }

    /// That Python, or nil when the venv is missing, so that a test can skip outside CI. An explicit
    /// `SIGHTLINE_TEST_PYTHON` is taken as given: a wrong one should fail, not skip.
    public static var executable: String? {
        if let path = ProcessInfo.processInfo.environment["SIGHTLINE_TEST_PYTHON"] { return path }
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// A driver script under `Tests/e2e/`.
    public static func script(_ name: String) -> String {
        PackageRoot.url.appendingPathComponent("Tests/e2e/\(name)").path
    }
}
