import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// One client WebSocket session with the upstream, upgraded and receiving: a `BenchConnection`
/// (direct, or one CONNECT tunnel and TLS with the proxy's leaf) whose `GET path` was answered 101,
/// with `WebSocketDelayHandler` last in its pipeline.
struct WebSocketSession: Sendable {
    let channel: any Channel
    private let endedPromise: EventLoopPromise<WebSocketSessionResult>

    /// Completes when the connection has ended, with what the session received.
    var ended: EventLoopFuture<WebSocketSessionResult> { endedPromise.futureResult }

    /// Opens the connection and upgrades it; succeeds once the 101 is in and the frame handlers are
    /// in place. `messageCounter`, shared by many sessions, counts the messages they receive.
    static func open(to target: Endpoint, path: String, via route: Route, on eventLoop: any EventLoop,
                     messageCounter: NIOLockedValueBox<Int>? = nil) -> EventLoopFuture<WebSocketSession> {
        let upgraded = eventLoop.makePromise(of: Void.self)
        let ended = eventLoop.makePromise(of: WebSocketSessionResult.self)
        upgraded.futureResult.cascadeFailure(to: ended)
        let connection = BenchConnection.open(to: target, via: route, on: eventLoop) { sync in
            let upgrader = NIOWebSocketClientUpgrader(upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(WebSocketDelayHandler(ended: ended, messageCounter: messageCounter))
                    upgraded.succeed()
                }
            })
            // `.forwardBytes`: frames the server sent right behind its 101 reach the frame decoder.
            try sync.addHTTPClientHandlers(leftOverBytesStrategy: .forwardBytes, withClientUpgrade: (upgraders: [upgrader], completionHandler: { context in
                let sync = context.pipeline.syncOperations
                if let requester = try? sync.handler(type: WebSocketUpgradeRequester.self) { sync.removeHandler(requester, promise: nil) }
            }))
            try sync.addHandler(WebSocketUpgradeRequester(host: target.description, path: path, upgraded: upgraded))
        }
        connection.whenFailure { upgraded.fail($0) }
        return connection.flatMap { connection in
            upgraded.fail(after: BenchConnection.setupTimeout, closing: connection.channel, reason: "no WebSocket upgrade of \(path)")
            return upgraded.futureResult.map { WebSocketSession(channel: connection.channel, endedPromise: ended) }
        }.flatMapErrorThrowing { error in
            throw BenchError("\(route.name): opening a WebSocket to \(target)\(path) failed: \(error)")
        }
    }

    /// Opens `count` sessions, at most `parallelism` setting up at once (see `BoundedOpening`), spread
    /// over the group's event loops.
    static func openMany(_ count: Int, to target: Endpoint, path: String, via route: Route, group: any EventLoopGroup,
                         messageCounter: NIOLockedValueBox<Int>? = nil, parallelism: Int = BoundedOpening.defaultParallelism) async throws -> [WebSocketSession] {
        try await BoundedOpening.open(count, parallelism: parallelism, {
            try await open(to: target, path: path, via: route, on: group.next(), messageCounter: messageCounter).get()
        }, discard: { sessions in _ = await closeAll(sessions) })
    }

    /// Fails `ended` and closes the connection if the session has not ended after `timeout`.
    func endWithin(_ timeout: TimeAmount, reason: String) {
        endedPromise.fail(after: timeout, closing: channel, reason: reason)
    }

    /// Starts the close handshake on every session, then waits for each to end; returns how they ended
    /// (nil for a session that failed).
    @discardableResult
    static func closeAll(_ sessions: [WebSocketSession]) async -> [WebSocketSessionResult?] {
        for session in sessions { session.channel.triggerUserOutboundEvent(WebSocketCloseRequest(), promise: nil) }
        var results: [WebSocketSessionResult?] = []
        results.reserveCapacity(sessions.count)
        for session in sessions {
            results.append(try? await session.ended.get())
            try? await session.channel.closeFuture.get()
        }
        return results
    }
}
