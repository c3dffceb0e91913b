import NIOCore

extension BenchConnection {
    /// Opens `count` connections to `target`, at most `parallelism` setting up at once so the
    /// listen backlogs of proxy and upstream are never the thing being measured. Connections are
    /// spread over the group's event loops.
    static func openMany(_ count: Int, to target: Endpoint, via route: Route, group: any EventLoopGroup,
                         parallelism: Int = 32) async throws -> [BenchConnection] {
        var opened: [BenchConnection] = []
        opened.reserveCapacity(count)
        do {
            try await withThrowingTaskGroup(of: BenchConnection.self) { tasks in
                var started = 0
                func startNext() {
                    guard started < count else { return }
                    started += 1
                    tasks.addTask { try await open(to: target, via: route, on: group.next()).get() }
                }
                for _ in 0..<min(parallelism, count) { startNext() }
                while let connection = try await tasks.next() {
                    opened.append(connection)
                    startNext()
                }
            }
        } catch {
            await closeAll(opened)
            throw error
        }
        return opened
    }

    static func closeAll(_ connections: [BenchConnection]) async {
        for connection in connections { connection.channel.close(promise: nil) }
        for connection in connections { try? await connection.channel.closeFuture.get() }
    }
}
