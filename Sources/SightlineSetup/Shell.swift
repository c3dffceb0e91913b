/// The shells `sightline env` writes for; each has its own syntax to set and unset a variable.
public enum Shell: String, Sendable, CaseIterable {
    case bash, zsh, fish

    /// The shell named by `$SHELL` (e.g. `/usr/bin/fish`), bash when it is none of these.
    public static func detect(fromShellVariable shell: String?) -> Shell {
        guard let name = shell?.split(separator: "/").last else { return .bash }
        return Shell(rawValue: String(name)) ?? .bash
    }

    public func exportLine(name: String, value: String) -> String {
        switch self {
        case .bash, .zsh: return "export \(name)=" + ShellQuoting.quote(value)
        case .fish: return "set -gx \(name) " + Self.fishQuote(value)
        }
    }

    public func unsetLines(names: [String]) -> [String] {
        switch self {
        case .bash, .zsh: return ["unset " + names.joined(separator: " ")]
        case .fish: return names.map { "set -e \($0)" }
        }
    }

    /// fish single quotes treat `\'` and `\\` as escapes, unlike POSIX shells.
    static func fishQuote(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
