import Foundation
import SightlineCA
import SightlineTestSupport

/// A Python test server (`Tests/e2e/*_server.py`) that prints `port N` once it listens and exits when its stdin
/// closes: SIGTERM may be masked for the test runner's children, so the stdin pipe is its lifeline.
final class PythonServerProcess: @unchecked Sendable {
    let port: Int
    private let process: Process
    private let lifeline = Pipe()

    /// `hint` is added to the error when the server prints no port (what to install, say).
    init(script: String, arguments: [String] = [], startup: TimeInterval = 30, hint: String = "") throws {
        guard let python = TestPython.executable else {
            throw PythonServerFailed(script: script, output: "no Python with the clients: run .ci/run or set SIGHTLINE_TEST_PYTHON")
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [TestPython.script(script)] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = lifeline
        try process.runWithDefaultSignals()
        var text = ""
        let deadline = Date().addingTimeInterval(startup)
        while !text.contains("\n"), Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("port ") }), let port = Int(line.dropFirst(5)) else {
            process.terminate()
            throw PythonServerFailed(script: script, output: hint.isEmpty ? text : "\(hint): \(text)")
        }
        self.port = port
    }

    /// Not `waitUntilExit()`: on Linux it spins on a concurrency thread. The server exits on its own.
    func close() {
        try? lifeline.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    /// A throwaway CA and a leaf for `localhost` and `127.0.0.1`, as PEM files in `directory` named `NAME-ca.pem`,
    /// `NAME-leaf.pem`, `NAME-key.pem`.
    static func tlsIdentity(in directory: URL, name: String) throws -> (caFile: URL, certFile: URL, keyFile: URL) {
        let authority = try CertificateAuthority.create(commonName: "Sightline \(name) Test CA")
        let caFile = directory.appendingPathComponent("\(name)-ca.pem")
        try authority.certificatePEM.write(to: caFile, atomically: true, encoding: .utf8)
        let leaf = try LeafCertificateIssuer(authority: authority).issue(forNames: ["localhost", "127.0.0.1"])
        let certFile = directory.appendingPathComponent("\(name)-leaf.pem"), keyFile = directory.appendingPathComponent("\(name)-key.pem")
        try pem("CERTIFICATE", leaf.certificateDER).write(to: certFile, atomically: true, encoding: .utf8)
        try pem("PRIVATE KEY", leaf.privateKeyDER).write(to: keyFile, atomically: true, encoding: .utf8)
        return (caFile, certFile, keyFile)
    }

    private static func pem(_ label: String, _ der: [UInt8]) -> String {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
    }
}

struct PythonServerFailed: Error, CustomStringConvertible {
    let script: String
    let output: String
    var description: String { "\(script) did not start: \(output)" }
}
