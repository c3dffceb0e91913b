import Foundation
import NIOPosix

/// `sightline-bench`, driven by `bench/run.sh`:
/// - `prepare-upstream --dir DIR` writes the upstream's throwaway CA and server certificate, so the
///   proxy can be started with `--upstream-ca DIR/ca-cert.pem` before the bench runs;
/// - `run --upstream-dir DIR --proxy name=…,url=…,ca=…,pid=… [--proxy …] [--seconds S] [--streams N]`
///   starts the upstream, measures direct and through each proxy, and prints the report.
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
            default:
                FileHandle.standardError.write(Data("usage: sightline-bench prepare-upstream --dir DIR | run --upstream-dir DIR --proxy name=…,url=…,ca=…,pid=… [--seconds S] [--streams N] [--only load,sse,setup,memory]\n".utf8))
                exit(2)
            }
        } catch {
            FileHandle.standardError.write(Data("sightline-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    private static func run(_ options: CommandLineOptions) async throws {
        let upstreamDirectory = URL(fileURLWithPath: try options.required("upstream-dir"))
        var settings = BenchSettings()
        settings.loadSeconds = try options.number("seconds", default: settings.loadSeconds)
        settings.memoryStreams = Int(try options.number("streams", default: Double(settings.memoryStreams)))
        if let only = options.all("only").last {
            settings.scenarios = Set(try only.split(separator: ",").map { name in
                guard let scenario = BenchSettings.Scenario(rawValue: String(name)) else {
                    throw BenchError("--only takes a comma-separated list of load, sse, setup, memory; got \(name)")
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
