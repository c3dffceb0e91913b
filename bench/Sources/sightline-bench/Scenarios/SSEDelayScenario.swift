import NIOCore

/// Scenario 3: `sseStreams` concurrent streams of `sseEvents` events, `sseGapMilliseconds` apart; the
/// delay of each event from the upstream's write to the client's read.
enum SSEDelayScenario {
    static func run(via route: Route, settings: BenchSettings, context: BenchContext) async throws -> Samples {
        let target = context.upstream.mainEndpoint
        let connections = try await BenchConnection.openMany(settings.sseStreams, to: target, via: route, group: context.group)
        let streams = connections.map { connection in
            let done = connection.channel.eventLoop.makePromise(of: SSEStreamResult.self)
            done.fail(after: .milliseconds(Int64(settings.sseEvents * settings.sseGapMilliseconds)) + .seconds(10),
                      closing: connection.channel, reason: "the stream stalled")
            connection.start {
                SSEDelayHandler(host: target.description, events: settings.sseEvents,
                                gapMilliseconds: settings.sseGapMilliseconds, done: done)
            }.cascadeFailure(to: done)
            return done.futureResult
        }
        var delays: [Int64] = []
        do {
            for stream in streams {
                let result = try await stream.get()
                guard result.completed else { throw BenchError("a stream ended before [DONE]") }
                delays += result.delays
            }
        } catch {
            await BenchConnection.closeAll(connections)
            throw BenchError("\(route.name), SSE delay: \(error)")
        }
        await BenchConnection.closeAll(connections)
        return Samples(delays)
    }
}
