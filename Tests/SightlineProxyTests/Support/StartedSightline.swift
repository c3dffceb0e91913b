import Foundation

/// The built `sightline start` as a user runs it: the process, and the proxy and UI addresses its banner prints.
struct StartedSightline {
    static var binary: String {
        TestPython.packageRoot.appendingPathComponent(".build/debug/sightline").path
    }

    let process: Process
    let proxy: String
    let ui: String

    /// Starts `sightline start ARGUMENTS` and waits (bounded) for the banner; stderr goes to `stderr` or nowhere.
    static func start(_ arguments: [String], stderr: FileHandle? = nil) throws -> StartedSightline {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["start"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = stderr ?? FileHandle.nullDevice
        try process.run()
        var banner = ""
        let deadline = Date().addingTimeInterval(20)
        let expectsUI = !arguments.contains("--no-ui")
        while !(banner.contains("\nenv ") && (!expectsUI || banner.contains("\nui "))) && Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            banner += String(decoding: chunk, as: UTF8.self)
        }
        func address(_ prefix: String) -> String {
            banner.split(separator: "\n").first { $0.hasPrefix(prefix) }
                .flatMap { $0.split(separator: " ").first { $0.hasPrefix("http://") } }.map(String.init) ?? ""
        }
        return StartedSightline(process: process, proxy: address("proxy"), ui: address("ui"))
    }

    /// Ctrl-C, and the exit that follows (Sightline flushes what it recorded first).
    func interrupt() {
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
    }

    func terminateIfRunning() {
        if process.isRunning { process.terminate() }
    }
}

/// A fresh directory under the system's temporary directory; the caller removes it.
func makeTemporaryDirectory(_ prefix: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}
