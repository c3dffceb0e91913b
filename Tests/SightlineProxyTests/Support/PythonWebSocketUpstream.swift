import Foundation
import SightlineCA
import SightlineTestSupport

/// `Tests/e2e/websocket_server.py`: a TLS WebSocket server that negotiates `permessage-deflate` (NIO's
/// upgrader does not), behind a throwaway CA, as a `FullStack` upstream.
final class PythonWebSocketUpstream: StackUpstream, @unchecked Sendable {
    let port: Int
    let caFile: URL
    private let process: Process
    /// The server exits when this closes (its stdin ends), so no test can leave one running.
    private let lifeline = Pipe()

    /// `mode`: `--realtime` or `--responses` to play those APIs rather than echo.
    init(directory: URL, mode: String? = nil) throws {
        guard let python = TestPython.executable else {
            throw PythonUpstreamFailed(output: "no Python with the clients: run .ci/run or set SIGHTLINE_TEST_PYTHON")
        }
        let authority = try CertificateAuthority.create(commonName: "Sightline Deflate Test CA")
        caFile = directory.appendingPathComponent("deflate-ca.pem")
        try authority.certificatePEM.write(to: caFile, atomically: true, encoding: .utf8)
        let leaf = try LeafCertificateIssuer(authority: authority).issue(forNames: ["localhost", "127.0.0.1"])
        let certFile = directory.appendingPathComponent("deflate-leaf.pem"), keyFile = directory.appendingPathComponent("deflate-key.pem")
        try Self.pem("CERTIFICATE", leaf.certificateDER).write(to: certFile, atomically: true, encoding: .utf8)
        try Self.pem("PRIVATE KEY", leaf.privateKeyDER).write(to: keyFile, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestPython.script("websocket_server.py"), certFile.path, keyFile.path] + (mode.map { [$0] } ?? [])
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = lifeline
        try process.runWithDefaultSignals()
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while !text.contains("\n"), Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("port ") }), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            throw PythonUpstreamFailed(output: text)
        }
        self.port = port
    }

    /// Not `waitUntilExit()`: on Linux it spins on a concurrency thread. The server exits on its own.
    func close() async {
        try? lifeline.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    private static func pem(_ label: String, _ der: [UInt8]) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }
}

struct PythonUpstreamFailed: Error, CustomStringConvertible {
    let output: String
    var description: String { "websocket_server.py did not start: \(output)" }
}
