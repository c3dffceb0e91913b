import Foundation
import NIOPosix

/// `sightline-bench`, driven by `bench/run.sh`:
/// - `prepare-upstream --dir DIR` writes the upstream's throwaway CA and server certificate, so the
///   proxy can be started with `--upstream-ca DIR/ca-cert.pem` before the bench runs;
/// - `run --upstream-dir DIR --proxy name=…,url=…,ca=…,pid=… [--proxy …] [--seconds S] [--streams N]
///   [--sockets N] [--only load,sse,setup,memory,websocket]` starts the upstream, measures direct and
///   through each proxy, and prints the report;
/// - `serve --upstream-dir DIR` only runs that upstream, printing one `upstream https://HOST:PORT` line
///   per host it listens on, until it is killed: the origin of `bench/hey.sh` (hey and curl runs).
@main
enum SightlineBench {
    static func main() async {
        let arguments = CommandLine.arguments.dropFirst()
        do {
            switch arguments.first {
            case "prepare-upstream":
                let options = try CommandLineOptions(arguments.dropFirst())
                try UpstreamCertificates.write(to: URL(fileURLWithPath: try options.required("dir")))
            case "run":
                try await run(CommandLineOptions(arguments.dropFirst()))
            case "serve":
                let options = try CommandLineOptions(arguments.dropFirst())
                try await serve(upstreamDirectory: URL(fileURLWithPath: try options.required("upstream-dir")))
            default:
                FileHandle.standardError.write(Data("usage: sightline-bench prepare-upstream --dir DIR | serve --upstream-dir DIR | run --upstream-dir DIR --proxy name=…,url=…,ca=…,pid=… [--seconds S] [--streams N] [--sockets N] [--only load,sse,setup,memory,websocket]\n".utf8))
                exit(2)
            }
        } catch {
            FileHandle.standardError.write(Data("sightline-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    private static func serve(upstreamDirectory: URL) async throws {
        let upstream = try await BenchUpstream.start(certificateDirectory: upstreamDirectory, group: MultiThreadedEventLoopGroup.singleton)
        let lines = ([BenchHosts.main] + BenchHosts.firstConnection).map { host in
            let endpoint = upstream.endpoint(host: host)
            return "upstream https://\(endpoint.host):\(endpoint.port)\n"
        }
        // Written unbuffered: the script reads the ports while this process keeps running.
        FileHandle.standardOutput.write(Data(lines.joined().utf8))
        while true { try await Task.sleep(for: .seconds(3600)) }
    }

    private static func run(_ options: CommandLineOptions) async throws {
        let upstreamDirectory = URL(fileURLWithPath: try options.required("upstream-dir"))
        var settings = BenchSettings()
        settings.loadSeconds = try options.number("seconds", default: settings.loadSeconds)
        settings.memoryStreams = Int(try options.number("streams", default: Double(settings.memoryStreams)))
        settings.memoryWebSockets = Int(try options.number("sockets", default: Double(settings.memoryWebSockets)))
        if let only = options.all("only").last {
            settings.scenarios = Set(try only.split(separator: ",").map { name in
                guard let scenario = BenchSettings.Scenario(rawValue: String(name)) else {
                    throw BenchError("--only takes a comma-separated list of load, sse, setup, memory, websocket; got \(name)")
                }
                return scenario
            })
        }

        let group = MultiThreadedEventLoopGroup.singleton
        let upstream = try await BenchUpstream.start(certificateDirectory: upstreamDirectory, group: group)
        let upstreamCA = upstreamDirectory.appendingPathComponent(UpstreamCertificates.caFileName).path
        var routes = [Route(name: "direct", proxy: nil, tls: try Route.clientTLS(trusting: upstreamCA), proxyPID: nil)]
        for option in try options.all("proxy").map(ProxyOption.init) {
            routes.append(Route(name: option.name, proxy: option.address, tls: try Route.clientTLS(trusting: option.caFile),
                                proxyPID: option.pid))
        }
        do {
            let results = try await BenchRunner(routes: routes, settings: settings,
                                                context: BenchContext(group: group, upstream: upstream)).run()
            print(BenchReport(results: results, settings: settings).render())
        } catch {
            await upstream.close()
            throw error
        }
        await upstream.close()
    }
}
