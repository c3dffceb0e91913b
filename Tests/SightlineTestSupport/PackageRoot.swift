import Foundation

/// The repository checkout the tests run from: the built binary, the Python drivers and the fixtures
/// are found relative to it, so the tests work from any working directory.
public enum PackageRoot {
    /// Three levels above this file: `Tests/SightlineTestSupport/PackageRoot.swift`.
    public static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}
