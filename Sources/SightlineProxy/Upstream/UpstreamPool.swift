import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import SightlineCore

/// Idle keep-alive upstream connections, per event loop and origin, shared by every client connection on
/// that loop: a client that reconnects (as pooled Go, Java and Node clients do under load) reuses a warm
/// TLS connection instead of paying a new handshake upstream. A connection is lent to one exchange at a time.
final class UpstreamPool: Sendable {
    /// How long a connection may sit idle: below the usual server keep-alive (nginx 75 s, most APIs 60 s or more),
    /// so that a pooled connection is rarely one the server is about to close.
    static let maxIdle = TimeAmount.seconds(20)
    static let maxIdlePerOrigin = 64

    enum Checkout {
        case ready(UpstreamConnection)
        case connecting(EventLoopFuture<UpstreamConnection>)
    }

    private let connector: UpstreamConnector
    private let loops = NIOLockedValueBox<[ObjectIdentifier: NIOLoopBound<LoopPool>]>([:])

    init(connector: UpstreamConnector) {
        self.connector = connector
    }

    /// An idle connection to `origin` on `eventLoop`, or a new one. Called on `eventLoop`.
    /// `fresh`: a new connection, never a pooled one (every pooled connection has carried a request).
    func checkout(_ origin: Origin, on eventLoop: any EventLoop, fresh: Bool = false) -> Checkout {
        let pool = pool(for: eventLoop)
        if !fresh, let connection = pool.take(origin, now: .now()) { return .ready(connection) }
        // A connection being prepared for this origin is the one to wait for, not a second handshake.
        if !fresh, let prepared = pool.preparing[origin] {
            let connector = connector
            return .connecting(prepared.assumeIsolated().flatMap { () -> EventLoopFuture<UpstreamConnection> in
                if let connection = pool.take(origin, now: .now()) { return eventLoop.makeSucceededFuture(connection) }
                return connector.connect(to: origin, on: eventLoop)
            }.nonisolated())
        }
        return .connecting(connector.connect(to: origin, on: eventLoop))
    }

    /// Starts a connection to `origin` into the pool, unless one is idle or being made (a lazily answered CONNECT:
    /// its first request finds it). A failure reaches the checkouts that waited for it. Called on `eventLoop`.
    func prepare(_ origin: Origin, on eventLoop: any EventLoop) {
        let pool = pool(for: eventLoop)
        guard !pool.hasIdle(origin), pool.preparing[origin] == nil else { return }
        let ready = connector.connect(to: origin, on: eventLoop).assumeIsolated().map { connection in
            pool.preparing[origin] = nil
            pool.put(connection, now: .now())
        }
        ready.whenFailure { _ in pool.preparing[origin] = nil }
        pool.preparing[origin] = ready.nonisolated()
    }

    /// Takes back a connection whose exchange ended cleanly. Called on the connection's event loop.
    func release(_ connection: UpstreamConnection) {
        pool(for: connection.channel.eventLoop).put(connection, now: .now())
    }

    private func pool(for eventLoop: any EventLoop) -> LoopPool {
        let key = ObjectIdentifier(eventLoop)
        let bound = loops.withLockedValue { loops in
            if let bound = loops[key] { return bound }
            let bound = NIOLoopBound(LoopPool(eventLoop: eventLoop), eventLoop: eventLoop)
            loops[key] = bound
            return bound
        }
        return bound.value
    }
}

/// One event loop's idle connections; watches each so that one the server closes leaves the pool at once.
private final class LoopPool {
    private struct Idle {
        var connection: UpstreamConnection
        var since: NIODeadline
        /// The idle connection's delegate (the handler holds it weakly).
        var watch: IdleWatch
    }

    private var idle: [Origin: [Idle]] = [:]
    /// Connections `prepare` is making, by origin: done once the connection is in `idle`.
    var preparing: [Origin: EventLoopFuture<Void>] = [:]
    private let eventLoop: any EventLoop
    private var sweep: Scheduled<Void>?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func hasIdle(_ origin: Origin) -> Bool { !(idle[origin]?.isEmpty ?? true) }

    func take(_ origin: Origin, now: NIODeadline) -> UpstreamConnection? {
        while let entry = idle[origin]?.popLast() {
            entry.connection.handler.delegate = nil
            if entry.connection.isReusable, now - entry.since < UpstreamPool.maxIdle { return entry.connection }
            entry.connection.close()
        }
        return nil
    }

    func put(_ connection: UpstreamConnection, now: NIODeadline) {
        var list = idle[connection.origin] ?? []
        list.removeAll { entry in
            let stale = !entry.connection.isReusable || now - entry.since >= UpstreamPool.maxIdle
            if stale { entry.connection.close() }
            return stale
        }
        guard connection.isReusable, list.count < UpstreamPool.maxIdlePerOrigin else {
            connection.close()
            idle[connection.origin] = list
            return
        }
        let watch = IdleWatch { [weak self, weak handler = connection.handler] in
            guard let self, let handler else { return }
            self.forget(handler, origin: connection.origin)
        }
        connection.handler.delegate = watch
        connection.handler.setReadsPaused(false)
        list.append(Idle(connection: connection, since: now, watch: watch))
        idle[connection.origin] = list
        scheduleSweep()
    }

    /// Closes connections idle past `maxIdle`, while any are pooled, so that none stays open for nothing.
    private func scheduleSweep() {
        guard sweep == nil else { return }
        sweep = eventLoop.assumeIsolated().scheduleTask(in: UpstreamPool.maxIdle) { [weak self] in
            guard let self else { return }
            sweep = nil
            let now = NIODeadline.now()
            for (origin, list) in idle {
                let (fresh, stale) = (list.filter { now - $0.since < UpstreamPool.maxIdle }, list.filter { now - $0.since >= UpstreamPool.maxIdle })
                for entry in stale {
                    entry.connection.handler.delegate = nil
                    entry.connection.close()
                }
                idle[origin] = fresh.isEmpty ? nil : fresh
            }
            if !idle.isEmpty { scheduleSweep() }
        }
    }

    private func forget(_ handler: UpstreamHandler, origin: Origin) {
        guard var list = idle[origin], let index = list.firstIndex(where: { $0.connection.handler === handler }) else { return }
        let entry = list.remove(at: index)
        entry.connection.handler.delegate = nil
        entry.connection.close()
        idle[origin] = list
    }
}

/// The delegate of an idle connection: it has no exchange, so anything it says, or its end, removes it.
private final class IdleWatch: UpstreamDelegate {
    private let gone: () -> Void

    init(gone: @escaping () -> Void) { self.gone = gone }

    func upstreamReceived(_ part: HTTPClientResponsePart) { gone() }
    func upstreamReadComplete() {}
    func upstreamWritabilityChanged(isWritable: Bool) {}
    func upstreamIdleTimeout() { gone() }
    func upstreamClosed(error: (any Error)?) { gone() }
}
