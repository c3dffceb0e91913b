import NIOConcurrencyHelpers

/// Samples a process's VmRSS until cancelled and keeps the highest value.
final class ResidentMemorySampler: Sendable {
    private let pid: Int32
    private let peak = NIOLockedValueBox(0)

    init(pid: Int32) { self.pid = pid }

    var peakResidentBytes: Int { peak.withLockedValue { $0 } }

    func run() async {
        while !Task.isCancelled {
            if let resident = ProcessSnapshot.read(pid: pid)?.residentBytes {
                peak.withLockedValue { $0 = max($0, resident) }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
