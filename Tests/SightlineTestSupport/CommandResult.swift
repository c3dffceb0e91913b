import Foundation

/// What a program run by `run` left behind once it exited.
public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: String
    /// Each stdout read with its arrival time in seconds since launch, so a test can tell a stream
    /// that arrived over time from one that was buffered and arrived at the end.
    public var reads: [(TimeInterval, Data)]

    /// stdout as UTF-8 text.
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}
