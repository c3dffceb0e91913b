import Foundation

/// Waits until processes stop using CPU. A proxy can go on working after its clients are done (its
/// recorder writing a backlog of flows to the store), and that work would steal the shared cores from
/// whichever scenario runs next, direct or proxied.
struct IdleWaiter {
    let pids: [Int32]
    /// Idle means under 5% of one core over a 200 ms window.
    private let window = Duration.milliseconds(200)
    private let idleCPUNanoseconds: UInt64 = 10_000_000

    /// Returns the seconds waited, at most `limit`.
    func wait(limit: Duration = .seconds(30)) async -> Double {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < limit {
            let before = pids.map { ProcessSnapshot.read(pid: $0)?.cpuNanoseconds ?? 0 }
            try? await Task.sleep(for: window)
            let after = pids.map { ProcessSnapshot.read(pid: $0)?.cpuNanoseconds ?? 0 }
            if zip(before, after).allSatisfy({ $1 &- $0 < idleCPUNanoseconds }) { break }
        }
        let waited = ContinuousClock.now - start
        return Double(waited.components.seconds) + Double(waited.components.attoseconds) / 1e18
    }
}
