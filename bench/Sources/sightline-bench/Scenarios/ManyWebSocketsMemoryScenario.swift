import NIOConcurrencyHelpers
import NIOCore

/// Scenario 7: the proxy's memory with `memoryWebSockets` WebSocket sessions open through it at once,
/// each on its own CONNECT tunnel and live: the upstream sends each one a message every
/// `memoryWebSocketGapMilliseconds`. Then every session is closed with a close handshake.
enum ManyWebSocketsMemoryScenario {
    struct Result: Sendable {
        let sessionsOpen: Int
        let secondsToOpen: Double
        /// The proxy just before the first session was opened (earlier scenarios' leftovers included).
        let residentBytesBefore: Int
        let openFileDescriptorsBefore: Int
        /// The highest VmRSS sampled every 50 ms from the first session opened until the last was
        /// asked to close.
        let peakSampledResidentBytes: Int
        /// Messages the clients received over the scenario: proof the sessions were live.
        let messagesReceived: Int
        /// Sessions that saw the server's close frame before their connection ended.
        let closedCleanly: Int
        let residentBytesAfterClose: Int
        let openFileDescriptorsAfterClose: Int

        /// What each open session cost the proxy: (peak − before) / sessions.
        var residentBytesPerSession: Double {
            Double(peakSampledResidentBytes - residentBytesBefore) / Double(max(1, sessionsOpen))
        }
    }

    static func run(proxyPID: Int32, via route: Route, settings: BenchSettings, context: BenchContext) async throws -> Result {
        let before = ProcessSnapshot.read(pid: proxyPID)
        let sampler = ResidentMemorySampler(pid: proxyPID)
        let sampling = Task { await sampler.run() }
        defer { sampling.cancel() }

        let target = context.upstream.mainEndpoint
        // Long enough to outlast opening and holding; the bench closes the sessions itself.
        let messages = 600_000 / settings.memoryWebSocketGapMilliseconds
        let path = BenchPayloads.webSocketPath(messages: messages, gapMilliseconds: settings.memoryWebSocketGapMilliseconds)
        let messagesReceived = NIOLockedValueBox(0)
        let startedAt = MonotonicClock.now()
        let sessions: [WebSocketSession]
        do {
            sessions = try await WebSocketSession.openMany(settings.memoryWebSockets, to: target, path: path, via: route,
                                                           group: context.group, messageCounter: messagesReceived)
        } catch {
            throw BenchError("\(route.name), \(settings.memoryWebSockets) WebSockets: \(error)")
        }
        let openedAt = MonotonicClock.now()
        try? await Task.sleep(for: .seconds(settings.memoryWebSocketHoldSeconds))
        let whileOpen = ProcessSnapshot.read(pid: proxyPID)
        let peakSampled = max(sampler.peakResidentBytes, whileOpen?.residentBytes ?? 0)
        let ends = await WebSocketSession.closeAll(sessions)
        // Past the TLS close_notify wait (1 s in Sightline) of the connections being closed.
        try? await Task.sleep(for: .seconds(2))
        let afterClose = ProcessSnapshot.read(pid: proxyPID)
        return Result(
            sessionsOpen: sessions.count,
            secondsToOpen: Double(openedAt - startedAt) / 1e9,
            residentBytesBefore: before?.residentBytes ?? 0,
            openFileDescriptorsBefore: before?.openFileDescriptors ?? 0,
            peakSampledResidentBytes: peakSampled,
            messagesReceived: messagesReceived.withLockedValue { $0 },
            closedCleanly: ends.filter { $0?.closedCleanly == true }.count,
            residentBytesAfterClose: afterClose?.residentBytes ?? 0,
            openFileDescriptorsAfterClose: afterClose?.openFileDescriptors ?? 0)
    }
}
