/// What a setup action will do, as values: `--dry-run` prints `shellScript`, `PlanExecutor` runs the steps.
/// Every step renders as exactly one shell command that does the same thing.
public struct SetupPlan: Sendable, Hashable {
    /// One line saying what the plan achieves, e.g. "trust the Sightline CA system-wide (Debian/Ubuntu)".
    public var title: String
    public var steps: [SetupStep]
    /// Facts the reader should know (already done, what a step leaves behind); printed as `#` comments.
    public var notes: [String]
    /// The steps write outside the user's files, so the executor needs root.
    public var needsRoot: Bool

    public init(title: String, steps: [SetupStep] = [], notes: [String] = [], needsRoot: Bool = false) {
        self.title = title
        self.steps = steps
        self.notes = notes
        self.needsRoot = needsRoot
    }

    public var isEmpty: Bool { steps.isEmpty }

    /// The plan as a shell script: a comment header, then one command per step.
    public var shellScript: String {
        var lines = ["# " + title]
        if needsRoot && !steps.isEmpty { lines.append("# needs root (run with sudo)") }
        lines += notes.map { "# " + $0 }
        lines += steps.map(\.shellCommand)
        return lines.joined(separator: "\n")
    }
}

/// One change a plan makes. File steps are carried out by the executor itself; `command` runs a program.
public enum SetupStep: Sendable, Hashable {
    /// `mkdir -p PATH`
    case makeDirectory(path: String)
    /// `install -m MODE FROM TO` when `mode` is set, else `cp -p FROM TO` (bytes and permissions kept).
    case copyFile(from: String, to: String, mode: Int?)
    /// `cat FROM >> TO`
    case appendFile(from: String, to: String)
    /// `printf '\n' >> TO`: for a file that does not end with a newline, before appending to it.
    case appendNewline(to: String)
    /// `rm -f PATH`
    case removeFile(path: String)
    /// A program and its arguments, run without a shell.
    case command([String])

    public var shellCommand: String {
        switch self {
        case .makeDirectory(let path):
            return "mkdir -p " + ShellQuoting.quote(path)
        case .copyFile(let from, let to, let mode?):
            return "install -m " + String(mode, radix: 8) + " " + ShellQuoting.quote(from) + " " + ShellQuoting.quote(to)
        case .copyFile(let from, let to, nil):
            return "cp -p " + ShellQuoting.quote(from) + " " + ShellQuoting.quote(to)
        case .appendFile(let from, let to):
            return "cat " + ShellQuoting.quote(from) + " >> " + ShellQuoting.quote(to)
        case .appendNewline(let to):
            return "printf '\\n' >> " + ShellQuoting.quote(to)
        case .removeFile(let path):
            return "rm -f " + ShellQuoting.quote(path)
        case .command(let arguments):
            return arguments.map(ShellQuoting.quote).joined(separator: " ")
        }
    }
}
