import Foundation
import SightlineTestSupport
import Testing

/// Children the tests start can be stopped: they begin with no signal blocked, whatever thread starts them.
@Suite struct ChildSignalMaskTests {
    @Test func aChildStartedFromATestHasNoSignalBlockedAndStopsOnSIGTERM() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["30"]
        // From a concurrency thread, as every test runs (these threads block nearly every signal).
        try await Task.detached { try process.runWithDefaultSignals() }.value
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let status = try String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)
        let blocked = status.split(separator: "\n").first { $0.hasPrefix("SigBlk:") }
        #expect(blocked?.split(separator: "\t").last == "0000000000000000", "\(blocked ?? "no SigBlk line")")
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!process.isRunning, "SIGTERM stopped it")
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGTERM)
    }
}
