import NIOCore

extension BenchConnection {
    /// Opens `count` connections to `target`, at most `parallelism` setting up at once (see
    /// `BoundedOpening`). Connections are spread over the group's event loops.
    static func openMany(_ count: Int, to target: Endpoint, via route: Route, group: any EventLoopGroup,
                         parallelism: Int = BoundedOpening.defaultParallelism) async throws -> [BenchConnection] {
        try await BoundedOpening.open(count, parallelism: parallelism, {
            try await open(to: target, via: route, on: group.next()).get()
        }, discard: closeAll)
    }

    static func closeAll(_ connections: [BenchConnection]) async {
        for connection in connections { connection.channel.close(promise: nil) }
        for connection in connections { try? await connection.channel.closeFuture.get() }
    }
}
