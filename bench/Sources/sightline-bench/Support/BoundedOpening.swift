/// Opens `count` things (connections, sessions) with at most `parallelism` being set up at once, so
/// the listen backlogs of proxy and upstream are never the thing being measured. On a failure the
/// ones already open are handed to `discard` and the error is rethrown.
enum BoundedOpening {
    /// What the bench's scenarios use: enough to open 1,000 tunnels in seconds, far below any backlog.
    static let defaultParallelism = 32

    static func open<Opened: Sendable>(_ count: Int, parallelism: Int,
                                       _ openOne: @escaping @Sendable () async throws -> Opened,
                                       discard: ([Opened]) async -> Void) async throws -> [Opened] {
        var opened: [Opened] = []
        opened.reserveCapacity(count)
        do {
            try await withThrowingTaskGroup(of: Opened.self) { tasks in
                var started = 0
                func startNext() {
                    guard started < count else { return }
                    started += 1
                    tasks.addTask { try await openOne() }
                }
                for _ in 0..<min(parallelism, count) { startNext() }
                while let one = try await tasks.next() {
                    opened.append(one)
                    startNext()
                }
            }
        } catch {
            await discard(opened)
            throw error
        }
        return opened
    }
}
