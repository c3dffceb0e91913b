import Foundation

/// The repository, the built binary and the Python venv the tests drive, as a user would.
enum Paths {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var binary: String { packageRoot.appendingPathComponent(".build/debug/sightline").path }

    /// The venv with the official SDKs (`scripts/test` makes it; SIGHTLINE_TEST_PYTHON overrides).
    static var python: String {
        ProcessInfo.processInfo.environment["SIGHTLINE_TEST_PYTHON"] ?? packageRoot.appendingPathComponent(".venv/bin/python").path
    }

    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sightline-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func isInstalled(_ program: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }
    }
}

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// This process's environment without any proxy or CA variable, so a test proves what Sightline sets.
func cleanEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    let dropped: Set<String> = ["HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
                                "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "PYTHONPATH",
                                "SIGHTLINE_HOME", "VIRTUAL_ENV"]
    return ProcessInfo.processInfo.environment.filter { !dropped.contains($0.key) }.merging(extra) { $1 }
}

/// Runs a program to completion (a bare name is looked up on PATH). stderr goes through a file, so a
/// child that writes a lot to it never stalls while stdout is being read.
@discardableResult
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, stdin: String? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    process.environment = environment ?? cleanEnvironment()
    let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("sightline-stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errFile) }
    let errHandle = try FileHandle(forWritingTo: errFile)
    let out = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = errHandle
    process.standardInput = input
    try process.run()
    try? errHandle.close()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let stderr = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
    return CommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: stderr)
}

/// `sightline start` in the background: its process and the proxy and UI addresses from its banner.
struct RunningSightline {
    let process: Process
    let proxy: String
    let ui: String

    var proxyPort: Int { Int(proxy.split(separator: ":").last ?? "") ?? 0 }
    var uiPort: Int { Int(ui.split(separator: ":").last ?? "") ?? 0 }

    static func start(_ arguments: [String]) throws -> RunningSightline {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments = ["start", "--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--log-level", "error"] + arguments
        process.environment = cleanEnvironment()
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var banner = ""
        let deadline = Date().addingTimeInterval(30)
        while !(banner.contains("\nenv ") && banner.contains("\nui ")) && Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            banner += String(decoding: chunk, as: UTF8.self)
        }
        func address(_ prefix: String) -> String {
            banner.split(separator: "\n").first { $0.hasPrefix(prefix) }
                .flatMap { $0.split(separator: " ").first { $0.hasPrefix("http://") } }.map(String.init) ?? ""
        }
        return RunningSightline(process: process, proxy: address("proxy"), ui: address("ui"))
    }

    /// Ctrl-C: flushes what was recorded, then exits.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
    }
}

/// The flows `sightline flows --json` reads back from a data directory.
func recordedFlows(dataDir: String) throws -> [[String: Any]] {
    let result = try run(Paths.binary, ["flows", "--json", "--data-dir", dataDir])
    let page = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    return page?["flows"] as? [[String: Any]] ?? []
}

/// The body of a chat completion request, as the tests' clients send it.
let chatRequestJSON = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello setup"}]}"#
