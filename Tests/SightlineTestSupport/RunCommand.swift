import Foundation

/// Runs a program to completion (a bare name is looked up on PATH) with `environment`, or with
/// `cleanEnvironment()` when nil. Its stdin gets `stdin` and then end of file, so a program that reads
/// it never waits on the test. stderr goes through a file, so a child that writes a lot to it never
/// stalls while stdout is being read.
@discardableResult
public func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                stdin: String? = nil) throws -> CommandResult {
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
    let start = Date()
    try process.runWithDefaultSignals()
    try? errHandle.close()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()
    var reads: [(TimeInterval, Data)] = []
    var stdout = Data()
    while true {
        let chunk = out.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        reads.append((Date().timeIntervalSince(start), chunk))
        stdout.append(chunk)
    }
    process.waitUntilExit()
    let stderr = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
    return CommandResult(status: process.terminationStatus, stdout: stdout, stderr: stderr, reads: reads)
}

/// `run` on a thread of its own. `run` blocks its thread until the program exits, and the servers that
/// program talks to (in-process proxies, upstreams, web apps) run on Swift concurrency's small pool:
/// blocking one of its threads can starve them.
public func runOffThePool(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                          stdin: String? = nil) async throws -> CommandResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result { try run(executable, arguments, environment: environment, stdin: stdin) })
        }.start()
    }
}
