import Foundation

/// A fresh directory under the system's temporary directory; the caller removes it. The UUID keeps
/// suites that run one after another (or a rerun after a crash) from seeing each other's files.
public func makeTemporaryDirectory(_ prefix: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}
