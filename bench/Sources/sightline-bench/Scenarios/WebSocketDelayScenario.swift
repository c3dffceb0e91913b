import NIOCore

/// Scenario 6: `webSocketSessions` concurrent WebSocket sessions, each receiving `webSocketMessages`
/// text messages `webSocketGapMilliseconds` apart; the delay of each message from the upstream's
/// write to the client's read. The WebSocket twin of the SSE delay: after the 101 a proxy only relays
/// bytes, so this is what its relay adds per server message.
enum WebSocketDelayScenario {
    static func run(via route: Route, settings: BenchSettings, context: BenchContext) async throws -> Samples {
        let target = context.upstream.mainEndpoint
        let path = BenchPayloads.webSocketPath(messages: settings.webSocketMessages, gapMilliseconds: settings.webSocketGapMilliseconds)
        let sessions = try await WebSocketSession.openMany(settings.webSocketSessions, to: target, path: path,
                                                           via: route, group: context.group)
        for session in sessions {
            session.endWithin(.milliseconds(Int64(settings.webSocketMessages * settings.webSocketGapMilliseconds)) + .seconds(10),
                              reason: "the WebSocket session stalled")
        }
        var delays: [Int64] = []
        do {
            for session in sessions {
                // The upstream ends each session with a close frame after its last message.
                let result = try await session.ended.get()
                guard result.closedCleanly else { throw BenchError("a WebSocket session ended without a close frame") }
                delays += result.delays
            }
        } catch {
            await WebSocketSession.closeAll(sessions)
            throw BenchError("\(route.name), WebSocket delay: \(error)")
        }
        return Samples(delays)
    }
}
