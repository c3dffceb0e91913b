import Foundation

/// Carries out a `SetupPlan` step by step, stopping at the first failure. File steps are done here
/// (the same effect as the command each prints); `command` steps run the program with this process's
/// stdio, so the user sees the platform tool's own output.
public struct PlanExecutor: Sendable {
    /// Called with each step's shell line before it runs (the CLI prints it, as `set -x` would).
    public var announce: @Sendable (String) -> Void

    public init(announce: @escaping @Sendable (String) -> Void = { _ in }) {
        self.announce = announce
    }

    public func run(_ plan: SetupPlan) throws {
        for step in plan.steps {
            announce(step.shellCommand)
            try run(step)
        }
    }

    func run(_ step: SetupStep) throws {
        let fm = FileManager.default
        do {
            switch step {
            case .makeDirectory(let path):
                try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
            case .copyFile(let from, let to, let mode):
                let data = try Data(contentsOf: URL(fileURLWithPath: from))
                let source = try fm.attributesOfItem(atPath: from)
                try data.write(to: URL(fileURLWithPath: to), options: .atomic)
                var attributes: [FileAttributeKey: Any] = [:]
                if let mode {
                    attributes[.posixPermissions] = mode
                } else {
                    // cp -p: permissions and modification time as the source had them.
                    attributes[.posixPermissions] = source[.posixPermissions]
                    attributes[.modificationDate] = source[.modificationDate]
                }
                try fm.setAttributes(attributes, ofItemAtPath: to)
            case .appendFile(let from, let to):
                try append(try Data(contentsOf: URL(fileURLWithPath: from)), to: to)
            case .appendNewline(let to):
                try append(Data("\n".utf8), to: to)
            case .removeFile(let path):
                if fm.fileExists(atPath: path) { try fm.removeItem(atPath: path) }
            case .command(let arguments):
                try runCommand(arguments)
            }
        } catch let error as SetupError {
            throw error
        } catch {
            throw SetupError.fileOperationFailed(step.shellCommand, underlying: error)
        }
    }

    private func append(_ data: Data, to path: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: data)
    }

    /// PATH, then the sbin directories: a user's PATH often lacks them, yet `update-ca-certificates` lives
    /// there and works unprivileged on a tree under `--root`.
    static func resolve(_ program: String) -> String? {
        if program.contains("/") { return program }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/sbin", "/sbin"]
        return directories.map { $0 + "/" + program }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private func runCommand(_ arguments: [String]) throws {
        let process = Process()
        guard let program = arguments.first, let path = Self.resolve(program) else {
            throw SetupError.commandFailed(arguments.joined(separator: " "), status: 127, output: "\(arguments.first ?? "") not found")
        }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = Array(arguments.dropFirst())
        do {
            try process.run()
        } catch {
            throw SetupError.commandFailed(arguments.joined(separator: " "), status: -1, output: "\(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SetupError.commandFailed(arguments.joined(separator: " "), status: process.terminationStatus, output: "")
        }
    }
}
