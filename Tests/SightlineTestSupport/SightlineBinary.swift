import Foundation

/// The `sightline` that `swift build` made: the tests drive it as a user would, through its command line.
public enum SightlineBinary {
    public static var path: String { PackageRoot.url.appendingPathComponent(".build/debug/sightline").path }

    /// The flows `sightline flows --json` reads back from a data directory: what a user would see recorded.
    public static func recordedFlows(dataDir: String) throws -> [[String: Any]] {
        let result = try run(path, ["flows", "--json", "--data-dir", dataDir])
        let page = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        return page?["flows"] as? [[String: Any]] ?? []
    }
}
