import NIOCore

/// Scenarios 1 and 2: small chat POSTs from `clients` closed-loop clients, each on its own keep-alive
/// connection (through a proxy: one CONNECT per connection, then every request on it).
enum LoadScenario {
    struct Result: Sendable {
        let latency: Samples
        let requestsPerSecond: Double
        /// CPU time the proxy and this bench process (client + upstream) spent per request.
        let proxyCPUPerRequest: Double?
        let benchCPUPerRequest: Double?
        /// CPU use over the measured window, in cores (1.0 = one core busy throughout).
        let proxyCores: Double?
        let benchCores: Double?
    }

    static func run(clients: Int, via route: Route, settings: BenchSettings, context: BenchContext) async throws -> Result {
        let target = context.upstream.mainEndpoint
        let connections = try await BenchConnection.openMany(clients, to: target, via: route, group: context.group)
        let recordFrom = MonotonicClock.now() + settings.warmupNanoseconds
        let stopAt = recordFrom + settings.loadNanoseconds
        let runs = connections.map { connection in
            let done = connection.channel.eventLoop.makePromise(of: [UInt64].self)
            done.fail(after: .nanoseconds(Int64(settings.warmupNanoseconds + settings.loadNanoseconds)) + .seconds(10),
                      closing: connection.channel, reason: "a response stalled")
            connection.start {
                KeepAliveLoadHandler(host: target.description, recordFrom: recordFrom, stopAt: stopAt, done: done)
            }.cascadeFailure(to: done)
            return done.futureResult
        }

        try await Task.sleep(for: .nanoseconds(Int64(settings.warmupNanoseconds)))
        let before = CPUReadings(proxyPID: route.proxyPID)
        var latencies: [UInt64] = []
        do {
            for run in runs { latencies += try await run.get() }
        } catch {
            await BenchConnection.closeAll(connections)
            throw BenchError("\(route.name), \(clients) clients: \(error)")
        }
        let after = CPUReadings(proxyPID: route.proxyPID)
        await BenchConnection.closeAll(connections)

        let seconds = Double(settings.loadNanoseconds) / 1e9
        let requests = Double(max(1, latencies.count))
        let elapsed = Double(after.at - before.at)
        return Result(
            latency: Samples(latencies),
            requestsPerSecond: Double(latencies.count) / seconds,
            proxyCPUPerRequest: after.proxyCPU(since: before).map { Double($0) / requests },
            benchCPUPerRequest: after.benchCPU(since: before).map { Double($0) / requests },
            proxyCores: after.proxyCPU(since: before).map { Double($0) / elapsed },
            benchCores: after.benchCPU(since: before).map { Double($0) / elapsed })
    }
}
