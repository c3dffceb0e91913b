import NIOConcurrencyHelpers
import NIOCore

/// Scenario 4: the proxy's memory with `memoryStreams` SSE streams open through it at once, each on
/// its own CONNECT tunnel, events flowing every `memoryStreamGapMilliseconds`.
enum ManyStreamsMemoryScenario {
    struct Result: Sendable {
        let streamsOpen: Int
        let secondsToOpen: Double
        /// While the streams are open: the highest VmRSS sampled every 50 ms, and VmHWM (the
        /// kernel's high-water mark over the process's life, earlier scenarios included).
        let peakSampledResidentBytes: Int
        let highWaterMarkBytes: Int
        /// Events the clients received over the scenario: proof the streams were live.
        let eventsReceived: Int
        let residentBytesAfterClose: Int
        let openFileDescriptorsAfterClose: Int
    }

    static func run(proxyPID: Int32, via route: Route, settings: BenchSettings, context: BenchContext) async throws -> Result {
        let sampler = ResidentMemorySampler(pid: proxyPID)
        let sampling = Task { await sampler.run() }
        defer { sampling.cancel() }

        let target = context.upstream.mainEndpoint
        let startedAt = MonotonicClock.now()
        let connections = try await BenchConnection.openMany(settings.memoryStreams, to: target, via: route, group: context.group)
        // Long enough to outlast opening and holding; the bench closes the streams itself.
        let events = 600_000 / settings.memoryStreamGapMilliseconds
        let eventsReceived = NIOLockedValueBox(0)
        do {
            let opened = connections.map { connection in
                let opened = connection.channel.eventLoop.makePromise(of: Void.self)
                opened.fail(after: .seconds(30), closing: connection.channel, reason: "no response head for a stream")
                let done = connection.channel.eventLoop.makePromise(of: SSEStreamResult.self)
                connection.start {
                    SSEDelayHandler(host: target.description, events: events,
                                    gapMilliseconds: settings.memoryStreamGapMilliseconds, opened: opened,
                                    eventCounter: eventsReceived, done: done)
                }.cascadeFailure(to: opened)
                return opened.futureResult
            }
            for stream in opened { try await stream.get() }
        } catch {
            await BenchConnection.closeAll(connections)
            throw BenchError("\(route.name), \(settings.memoryStreams) streams: \(error)")
        }
        let openedAt = MonotonicClock.now()
        try await Task.sleep(for: .seconds(settings.memoryHoldSeconds))
        let whileOpen = ProcessSnapshot.read(pid: proxyPID)
        let peakSampled = max(sampler.peakResidentBytes, whileOpen?.residentBytes ?? 0)
        await BenchConnection.closeAll(connections)
        // Past the TLS close_notify wait (1 s in Sightline) of the connections being closed.
        try await Task.sleep(for: .seconds(2))
        let afterClose = ProcessSnapshot.read(pid: proxyPID)
        return Result(
            streamsOpen: connections.count,
            secondsToOpen: Double(openedAt - startedAt) / 1e9,
            peakSampledResidentBytes: peakSampled,
            highWaterMarkBytes: whileOpen?.peakResidentBytes ?? 0,
            eventsReceived: eventsReceived.withLockedValue { $0 },
            residentBytesAfterClose: afterClose?.residentBytes ?? 0,
            openFileDescriptorsAfterClose: afterClose?.openFileDescriptors ?? 0)
    }
}
