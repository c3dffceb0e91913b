import ArgumentParser
import Foundation

/// Where Sightline keeps its CA and flows: `--data-dir`, else `SIGHTLINE_HOME`, else `~/.sightline`.
struct DataDirectoryOption: ParsableArguments {
    @Option(name: .long, help: "Data directory (CA, flows). Default: $SIGHTLINE_HOME or ~/.sightline")
    var dataDir: String?

    var url: URL {
        if let dataDir { return URL(fileURLWithPath: (dataDir as NSString).expandingTildeInPath) }
        if let home = ProcessInfo.processInfo.environment["SIGHTLINE_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: (home as NSString).expandingTildeInPath)
        }
        return UserHome.url.appendingPathComponent(".sightline")
    }

    var storePath: String { url.appendingPathComponent("flows.sqlite").path }
    var caCertificatePath: String { url.appendingPathComponent("ca-cert.pem").path }
}

/// `host:port` for `--listen` and `--ui`; a bare port means loopback.
struct ListenAddress: ExpressibleByArgument, CustomStringConvertible {
    var host: String
    var port: Int

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(argument: String) {
        if let port = Int(argument), (0...65535).contains(port) {
            self.init(host: "127.0.0.1", port: port)
            return
        }
        guard let colon = argument.lastIndex(of: ":"), let port = Int(argument[argument.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(argument[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }

    var isLoopback: Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1"
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// The user's home: `$HOME` first, as shells and other tools read it (Foundation on Linux reads the
/// password database, which ignores `HOME=/tmp/x sightline …`).
enum UserHome {
    static var url: URL {
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        return FileManager.default.homeDirectoryForCurrentUser
    }
}
