import Foundation
import SightlineCA
import SightlineTestSupport

/// `Tests/e2e/mcp_server.py`: a real MCP server (the `mcp` SDK's FastMCP) on streamable HTTP at
/// `http://127.0.0.1:PORT/mcp`, answering as SSE, or as JSON with `json: true`. Given a directory, it serves
/// HTTPS instead, behind a throwaway CA (for `localhost` and `127.0.0.1`), as a `FullStack` upstream that an
/// intercepted host can be mapped to.
final class PythonMCPServer: StackUpstream, @unchecked Sendable {
    let port: Int
    /// The throwaway CA of the HTTPS server; unused (and absent) for plain HTTP.
    let caFile: URL
    private let process: Process
    /// The server exits when this closes (its stdin ends): SIGTERM may be masked for the test runner's children.
    private let lifeline = Pipe()

    var url: String { "http://127.0.0.1:\(port)/mcp" }
    var origin: String { "http://127.0.0.1:\(port)" }

    init(json: Bool = false, tlsIn directory: URL? = nil) throws {
        guard let python = TestPython.executable else {
            throw PythonMCPServerFailed(output: "no Python with the clients: run .ci/run or set SIGHTLINE_TEST_PYTHON")
        }
        var arguments = [TestPython.script("mcp_server.py")] + (json ? ["--json"] : [])
        caFile = (directory ?? FileManager.default.temporaryDirectory).appendingPathComponent("mcp-ca.pem")
        if let directory {
            let authority = try CertificateAuthority.create(commonName: "Sightline MCP Test CA")
            try authority.certificatePEM.write(to: caFile, atomically: true, encoding: .utf8)
            let leaf = try LeafCertificateIssuer(authority: authority).issue(forNames: ["localhost", "127.0.0.1"])
            let certFile = directory.appendingPathComponent("mcp-leaf.pem"), keyFile = directory.appendingPathComponent("mcp-key.pem")
            try Self.pem("CERTIFICATE", leaf.certificateDER).write(to: certFile, atomically: true, encoding: .utf8)
            try Self.pem("PRIVATE KEY", leaf.privateKeyDER).write(to: keyFile, atomically: true, encoding: .utf8)
            arguments += ["--tls", certFile.path, keyFile.path]
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
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

    private static func pem(_ label: String, _ der: [UInt8]) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }
}

struct PythonMCPServerFailed: Error, CustomStringConvertible {
    let output: String
    var description: String { "mcp_server.py did not start (is `mcp` < 2 installed? see Tests/e2e/requirements.txt): \(output)" }
}
