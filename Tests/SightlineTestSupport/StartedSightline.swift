import Foundation

/// The built `sightline start` as a user runs it, in the background: the process, and what its banner announced.
public struct StartedSightline {
    public let process: Process
    public let banner: StartBanner

    public var proxy: String { banner.proxy }
    public var ui: String { banner.ui }
    public var proxyPort: Int { banner.proxyPort }
    public var uiPort: Int { banner.uiPort }

    /// Starts `sightline start ARGUMENTS` and waits (bounded) for the banner, the `ui` line too unless
    /// `--no-ui`: only then does it answer. stderr goes to `stderr` or nowhere; the environment is
    /// `cleanEnvironment()` unless given, as for `run`.
    public static func start(_ arguments: [String], stderr: FileHandle? = nil,
                             environment: [String: String]? = nil) throws -> StartedSightline {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SightlineBinary.path)
        process.arguments = ["start"] + arguments
        process.environment = environment ?? cleanEnvironment()
        let out = Pipe()
        process.standardOutput = out
        process.standardError = stderr ?? FileHandle.nullDevice
        try process.runWithDefaultSignals()
        let expectsUI = !arguments.contains("--no-ui")
        var text = ""
        var banner = StartBanner(text)
        let deadline = Date().addingTimeInterval(30)
        while !(banner.hasEnv && (!expectsUI || !banner.ui.isEmpty)) && Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            banner = StartBanner(text)
        }
        return StartedSightline(process: process, banner: banner)
    }

    /// Ctrl-C, and the exit that follows: Sightline flushes what it recorded first, so the store is
    /// complete once this returns.
    public func interrupt() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
    }

    public func terminateIfRunning() {
        if process.isRunning { process.terminate() }
    }
}
