import NIOCore

/// Scenario 5: how long a new connection takes until TLS is up (through a proxy: TCP, CONNECT, the
/// proxy's upstream connection, then TLS with the proxy's leaf). One connection at a time, so each
/// sample is an unloaded setup.
enum FirstConnectionScenario {
    struct Result: Sendable {
        /// Each target host used for the first time (through a proxy: a leaf is minted for it).
        let newHost: Samples
        /// The main host again and again (through a proxy: its leaf is cached).
        let repeatedHost: Samples
    }

    static func run(via route: Route, context: BenchContext) async throws -> Result {
        let newHosts = BenchHosts.firstConnection.map(context.upstream.endpoint(host:))
        let repeated = Array(repeating: context.upstream.mainEndpoint, count: BenchHosts.firstConnectionCount)
        return Result(newHost: try await setupTimes(newHosts, via: route, context: context),
                      repeatedHost: try await setupTimes(repeated, via: route, context: context))
    }

    private static func setupTimes(_ targets: [Endpoint], via route: Route, context: BenchContext) async throws -> Samples {
        var times: [UInt64] = []
        for target in targets {
            let connection = try await BenchConnection.open(to: target, via: route, on: context.group.next()).get()
            times.append(connection.setupNanoseconds)
            await connection.close()
        }
        return Samples(times)
    }
}
