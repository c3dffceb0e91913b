/// The sizes and durations of one run; the defaults keep a whole run near two minutes on 2 cores.
struct BenchSettings: Sendable {
    var loadSeconds = 5.0
    var warmupSeconds = 0.5
    var sseStreams = 4
    var sseEvents = 200
    var sseGapMilliseconds = 10
    var memoryStreams = 1000
    var memoryStreamGapMilliseconds = 100
    var memoryHoldSeconds = 2.0
    var webSocketSessions = 4
    var webSocketMessages = 200
    var webSocketGapMilliseconds = 10
    var memoryWebSockets = 1000
    /// One message a second: each session is live (the proxy relays and records on it) without the
    /// 1,000 of them adding up to a load test.
    var memoryWebSocketGapMilliseconds = 1000
    var memoryWebSocketHoldSeconds = 3.0
    static let clientCounts = [1, 32]
    /// Which scenarios run; all by default, fewer with `--only` while working on one.
    var scenarios: Set<Scenario> = Set(Scenario.allCases)

    enum Scenario: String, CaseIterable, Sendable {
        case load, sse, setup, memory, websocket
    }

    var loadNanoseconds: UInt64 { UInt64(loadSeconds * 1e9) }
    var warmupNanoseconds: UInt64 { UInt64(warmupSeconds * 1e9) }
}
