import Foundation
import SightlineTestSupport

/// One Sightline of a team: the built binary recording into `storeURL` as `name`, the providers' hosts mapped to
/// `upstream`, its data directory under `directory`.
struct TeamInstance {
    let sightline: StartedSightline
    let name: String
    let dataDirectory: String

    static func start(_ name: String, storeURL: String, upstream: FixtureUpstream, in directory: URL,
                      logLevel: String = "warning", stderr: FileHandle? = nil) throws -> TeamInstance {
        let data = directory.appendingPathComponent(name).path
        var arguments = ["--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--data-dir", data, "--log-level", logLevel,
                         "--upstream-ca", upstream.caFile.path, "--store", storeURL, "--instance-name", name]
        for origin in SDKRun.providerOrigins { arguments += ["--map-remote", "\(origin)=https://localhost:\(upstream.port)"] }
        return TeamInstance(sightline: try StartedSightline.start(arguments, stderr: stderr), name: name, dataDirectory: data)
    }

    /// The flows this instance lists (`/api/flows` + `query`), waiting up to 15 s for at least `count`.
    func flows(_ query: String = "", atLeast count: Int = 0) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now.advanced(by: .seconds(15))
        var flows: [[String: Any]] = []
        while ContinuousClock.now < deadline {
            let result = try run("curl", ["--max-time", "10", "-sS", sightline.ui + "/api/flows" + query])
            flows = (try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])?["flows"] as? [[String: Any]] ?? []
            if flows.count >= count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return flows
    }
}
