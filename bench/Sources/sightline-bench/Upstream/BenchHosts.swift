/// The host names the bench uses. Every `127.0.0.0/8` address is loopback on Linux, so
/// `127.0.0.2`…`127.0.0.21` are distinct hosts to the proxy (each gets a freshly minted leaf) that
/// still reach this machine; the upstream listens on each of them.
enum BenchHosts {
    /// The host of the keep-alive, SSE and memory scenarios (its leaf is minted once, then cached).
    static let main = "127.0.0.1"
    static let firstConnectionCount = 20
    static let firstConnection: [String] = (2..<(2 + firstConnectionCount)).map { "127.0.0.\($0)" }
    static let all: [String] = ["localhost", main] + firstConnection
}
