import Foundation
import SightlineTestSupport

/// `Tests/e2e/mcp_server.py`: a real MCP server (the `mcp` SDK's FastMCP) on streamable HTTP at
/// `http://127.0.0.1:PORT/mcp`, answering as SSE, or as JSON with `json: true`.
final class PythonMCPServer: @unchecked Sendable {
    let port: Int
    private let process: Process
    /// The server exits when this closes (its stdin ends): SIGTERM may be masked for the test runner's children.
    private let lifeline = Pipe()

    var url: String { "http://127.0.0.1:\(port)/mcp" }
    var origin: String { "http://127.0.0.1:\(port)" }

    init(json: Bool = false) throws {
        guard let python = TestPython.executable else {
            throw PythonMCPServerFailed(output: "no Python with the clients: run .ci/run or set SIGHTLINE_TEST_PYTHON")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestPython.script("mcp_server.py")] + (json ? ["--json"] : [])
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = lifeline
        try process.runWithDefaultSignals()
        var text = ""
        let deadline = Date().addingTimeInterval(30)
        while !text.contains("\n"), Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("port ") }), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            throw PythonMCPServerFailed(output: text)
        }
        self.port = port
    }

    /// Not `waitUntilExit()`: on Linux it spins on a concurrency thread. The server exits on its own.
    func close() {
        try? lifeline.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }
}

struct PythonMCPServerFailed: Error, CustomStringConvertible {
    let output: String
    var description: String { "mcp_server.py did not start (is `mcp` < 2 installed? see Tests/e2e/requirements.txt): \(output)" }
}
