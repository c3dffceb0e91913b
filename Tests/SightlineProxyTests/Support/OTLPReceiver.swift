import Foundation
import SightlineTestSupport
import Testing

/// `Tests/e2e/otlp_receiver.py` in the background: a real OTLP/HTTP endpoint decoding Sightline's protobuf with
/// the official bindings. What it received is read back from the JSON lines it appends.
final class OTLPReceiver {
    let process: Process
    let port: Int
    let output: URL

    var endpoint: String { "http://127.0.0.1:\(port)" }

    /// `delay` holds each answer that long (a slow collector); `status` is what it answers.
    init(directory: URL, delay: Double = 0, status: Int = 200) throws {
        let python = try #require(TestPython.executable)
        output = directory.appendingPathComponent("otlp-\(UUID().uuidString).jsonl")
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestPython.script("otlp_receiver.py"), output.path, "--delay", String(delay), "--status", String(status)]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.runWithDefaultSignals()
        var text = ""
        while !text.contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    deinit { stop() }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// Every export request so far, decoded: `kind` (`spans`/`metrics`), `path`, `content_type`, `items`.
    var requests: [[String: Any]] {
        guard let text = try? String(contentsOf: output, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    var spans: [[String: Any]] {
        requests.filter { $0["kind"] as? String == "spans" }.flatMap { $0["items"] as? [[String: Any]] ?? [] }
    }

    /// The metrics of the latest export (they are cumulative, so the latest holds everything so far).
    var latestMetrics: [[String: Any]] {
        requests.last { $0["kind"] as? String == "metrics" }?["items"] as? [[String: Any]] ?? []
    }

    /// The bodies as they came over the wire.
    var raw: Data { (try? Data(contentsOf: URL(fileURLWithPath: output.path + ".raw"))) ?? Data() }

    /// Waits (bounded: export is batched) until `condition` holds for what was received.
    func wait(timeout: Duration = .seconds(20), until condition: (OTLPReceiver) -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !condition(self), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
