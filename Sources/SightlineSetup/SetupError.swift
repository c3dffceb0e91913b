import Foundation

/// Why a setup plan could not be made or run; `reason` says what to do about it.
public struct SetupError: Error, CustomStringConvertible, Sendable, Hashable {
    private enum Code: String, Sendable, Hashable {
        case unsupportedPlatform, needsRoot, commandFailed, fileOperationFailed, certifiNotFound, backupMissing, backupStale
    }

    private let code: Code
    public let reason: String

    private init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// A short label, safe for logs and metrics (no paths).
    public var shortDescription: String { code.rawValue }
    public var description: String { reason }

    public static func unsupportedPlatform(_ what: String) -> SetupError {
        SetupError(.unsupportedPlatform, what)
    }

    public static func needsRoot(_ action: String) -> SetupError {
        SetupError(.needsRoot, "\(action) changes system files: run it with sudo (or add --dry-run to see the exact steps)")
    }

    public static func commandFailed(_ command: String, status: Int32, output: String) -> SetupError {
        let detail = output.trimmingCharacters(in: .whitespacesAndNewlines)
        return SetupError(.commandFailed, "`\(command)` exited with status \(status)" + (detail.isEmpty ? "" : ": \(detail)"))
    }

    public static func fileOperationFailed(_ step: String, underlying: any Error) -> SetupError {
        SetupError(.fileOperationFailed, "`\(step)` failed: \(underlying)")
    }

    public static func certifiNotFound(python: String, output: String) -> SetupError {
        SetupError(.certifiNotFound, "\(python) cannot import certifi (\(output.trimmingCharacters(in: .whitespacesAndNewlines))); "
            + "install it there with `\(python) -m pip install certifi`, or pass --python for another interpreter")
    }

    public static func backupMissing(bundle: String, backup: String) -> SetupError {
        SetupError(.backupMissing, "\(bundle) holds the Sightline CA but there is no backup at \(backup); "
            + "reinstall certifi (`pip install --force-reinstall certifi`) to restore the original")
    }

    public static func backupStale(bundle: String, backup: String) -> SetupError {
        SetupError(.backupStale, "\(bundle) changed since it was patched (certifi upgraded?), so \(backup) is not its original; "
            + "nothing was changed: delete the backup, or reinstall certifi")
    }
}
