import Foundation

/// Everything measured on one route: one column of the report.
struct RouteResults: Sendable {
    let route: Route
    var load: [Int: LoadScenario.Result] = [:]
    var sseDelay = Samples([Int64]())
    var firstConnection: FirstConnectionScenario.Result?
    /// The proxy process before any bench traffic reached it.
    var idle: ProcessSnapshot?
    var manyStreams: ManyStreamsMemoryScenario.Result?
    var webSocketDelay = Samples([Int64]())
    var manyWebSockets: ManyWebSocketsMemoryScenario.Result?
}

/// Runs every scenario on every route. Routes alternate within each scenario, so direct and proxied
/// figures are taken minutes, not a whole run, apart.
struct BenchRunner {
    let routes: [Route]
    let settings: BenchSettings
    let context: BenchContext

    func run() async throws -> [RouteResults] {
        var results = routes.map { route in
            var result = RouteResults(route: route)
            result.idle = route.proxyPID.flatMap(ProcessSnapshot.read(pid:))
            return result
        }
        for clients in BenchSettings.clientCounts where settings.scenarios.contains(.load) {
            for index in results.indices {
                await progress("small POSTs, \(clients) client(s), \(routes[index].name)")
                results[index].load[clients] = try await LoadScenario.run(
                    clients: clients, via: routes[index], settings: settings, context: context)
            }
        }
        for index in results.indices where settings.scenarios.contains(.sse) {
            await progress("SSE event delay, \(routes[index].name)")
            results[index].sseDelay = try await SSEDelayScenario.run(via: routes[index], settings: settings, context: context)
        }
        for index in results.indices where settings.scenarios.contains(.websocket) {
            await progress("WebSocket message delay, \(routes[index].name)")
            results[index].webSocketDelay = try await WebSocketDelayScenario.run(via: routes[index], settings: settings, context: context)
        }
        for index in results.indices where settings.scenarios.contains(.setup) {
            await progress("first connections, \(routes[index].name)")
            results[index].firstConnection = try await FirstConnectionScenario.run(via: routes[index], context: context)
        }
        // Last, so the memory it leaves behind cannot slow the timed scenarios.
        for index in results.indices where settings.scenarios.contains(.memory) {
            guard let pid = routes[index].proxyPID else { continue }
            await progress("\(settings.memoryStreams) open SSE streams, \(routes[index].name)")
            // A proxy that cannot hold this many streams leaves its column empty instead of losing the report.
            do {
                results[index].manyStreams = try await ManyStreamsMemoryScenario.run(
                    proxyPID: pid, via: routes[index], settings: settings, context: context)
            } catch {
                FileHandle.standardError.write(Data("  \(routes[index].name): \(settings.memoryStreams) streams failed: \(error)\n".utf8))
            }
        }
        for index in results.indices where settings.scenarios.contains(.websocket) {
            guard let pid = routes[index].proxyPID else { continue }
            await progress("\(settings.memoryWebSockets) open WebSockets, \(routes[index].name)")
            do {
                results[index].manyWebSockets = try await ManyWebSocketsMemoryScenario.run(
                    proxyPID: pid, via: routes[index], settings: settings, context: context)
            } catch {
                FileHandle.standardError.write(Data("  \(routes[index].name): \(settings.memoryWebSockets) WebSockets failed: \(error)\n".utf8))
            }
        }
        return results
    }

    /// Announces the next step once the proxies are idle, saying how long that took when it shows.
    private func progress(_ step: String) async {
        let waited = await IdleWaiter(pids: routes.compactMap(\.proxyPID)).wait()
        let note = waited >= 0.5 ? String(format: " (after %.1f s waiting for the proxies to go idle)", waited) : ""
        FileHandle.standardError.write(Data("  running: \(step)\(note)\n".utf8))
    }
}
