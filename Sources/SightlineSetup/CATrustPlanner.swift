/// Plans `sightline ca install|uninstall`: put the CA where the platform looks for trusted roots under a
/// name that is ours (`sightline-ca.crt`), then let the platform's own tool rebuild its store. Install
/// is idempotent (an identical file is not copied again); uninstall removes only that file, and
/// rebuilds the store without it.
public struct CATrustPlanner: Sendable {
    public static let anchorName = "sightline-ca"

    public var platform: TrustPlatform
    /// `/` for the real system; another directory for a tree in tests (Linux only).
    public var root: String
    public var certificate: CertificateFacts
    /// macOS: trust in the System keychain (all users, needs root) rather than the login keychain.
    public var systemKeychain: Bool
    /// macOS: the user's home, for the login keychain path.
    public var home: String

    public init(platform: TrustPlatform, root: String = "/", certificate: CertificateFacts, systemKeychain: Bool = false, home: String) {
        self.platform = platform
        self.root = root
        self.certificate = certificate
        self.systemKeychain = systemKeychain
        self.home = home
    }

    /// The file install writes on Linux, under `root`.
    public var anchorPath: String? {
        switch platform {
        case .debian: return RootedPath.join(root, "/usr/local/share/ca-certificates/\(Self.anchorName).crt")
        case .fedora: return RootedPath.join(root, "/etc/pki/ca-trust/source/anchors/\(Self.anchorName).pem")
        case .arch: return RootedPath.join(root, "/etc/ca-certificates/trust-source/anchors/\(Self.anchorName).crt")
        case .macos: return nil
        }
    }

    public func installPlan(files: some FileLookup) throws -> SetupPlan {
        var plan = SetupPlan(title: "trust the Sightline CA (\(certificate.sha256Colons.prefix(23))…) system-wide on \(platform.displayName)")
        if platform == .macos { return try macOSInstallPlan(plan) }
        guard let anchorPath else { return plan }
        let directory = String(anchorPath[..<anchorPath.lastIndex(of: "/")!])
        plan.needsRoot = root == "/"
        if files.contents(atPath: anchorPath) == Array(certificate.pem.utf8) {
            plan.notes.append("\(anchorPath) already holds this CA; only the store is refreshed")
        } else {
            if !files.directoryExists(atPath: directory) {
                plan.steps.append(.makeDirectory(path: directory))
                plan.notes.append("\(directory) is created; uninstall leaves it in place")
            }
            plan.steps.append(.copyFile(from: certificate.pemPath, to: anchorPath, mode: 0o644))
        }
        let refresh = refreshSteps(fresh: false, plan: &plan)
        plan.steps += refresh
        return plan
    }

    public func uninstallPlan(files: some FileLookup) throws -> SetupPlan {
        var plan = SetupPlan(title: "stop trusting the Sightline CA system-wide on \(platform.displayName)")
        if platform == .macos { return try macOSUninstallPlan(plan) }
        guard let anchorPath else { return plan }
        guard files.contents(atPath: anchorPath) != nil else {
            plan.notes.append("not installed: \(anchorPath) does not exist; nothing to do")
            return plan
        }
        plan.needsRoot = root == "/"
        plan.steps.append(.removeFile(path: anchorPath))
        let refresh = refreshSteps(fresh: true, plan: &plan)
        plan.steps += refresh
        return plan
    }

    /// The platform's rebuild command. Debian's takes every directory as a flag, so it works on a tree
    /// under `--root`; the p11-kit tools of Fedora and Arch read only the real system paths.
    private func refreshSteps(fresh: Bool, plan: inout SetupPlan) -> [SetupStep] {
        switch platform {
        case .debian:
            var command = ["update-ca-certificates"]
            // Without --fresh, a removed local CA leaves its symlinks (and hash link) behind.
            if fresh { command.append("--fresh") }
            if root != "/" {
                command += [
                    "--certsconf", RootedPath.join(root, "/etc/ca-certificates.conf"),
                    "--certsdir", RootedPath.join(root, "/usr/share/ca-certificates"),
                    "--localcertsdir", RootedPath.join(root, "/usr/local/share/ca-certificates"),
                    "--etccertsdir", RootedPath.join(root, "/etc/ssl/certs"),
                    "--hooksdir", RootedPath.join(root, "/etc/ca-certificates/update.d"),
                ]
            }
            return [.command(command)]
        case .fedora, .arch:
            let command = platform == .fedora ? ["update-ca-trust", "extract"] : ["update-ca-trust"]
            if root != "/" {
                plan.notes.append("`\(command.joined(separator: " "))` reads only the real system's paths, so under --root it is not run")
                return []
            }
            return [.command(command)]
        case .macos:
            return []
        }
    }

    private var keychain: String {
        systemKeychain ? "/Library/Keychains/System.keychain" : home + "/Library/Keychains/login.keychain-db"
    }

    private func macOSInstallPlan(_ base: SetupPlan) throws -> SetupPlan {
        guard root == "/" else { throw SetupError.unsupportedPlatform("--root applies to the Linux trust stores; macOS keeps trust in keychains") }
        var plan = base
        plan.needsRoot = systemKeychain
        // -d: admin trust settings (System keychain); without it the user's own. macOS asks to confirm.
        plan.steps.append(.command(["security", "add-trusted-cert"] + (systemKeychain ? ["-d"] : [])
            + ["-r", "trustRoot", "-k", keychain, certificate.pemPath]))
        plan.notes.append("adding the same CA again replaces its trust setting, so running install twice is harmless")
        return plan
    }

    private func macOSUninstallPlan(_ base: SetupPlan) throws -> SetupPlan {
        guard root == "/" else { throw SetupError.unsupportedPlatform("--root applies to the Linux trust stores; macOS keeps trust in keychains") }
        var plan = base
        plan.needsRoot = systemKeychain
        plan.steps.append(.command(["security", "remove-trusted-cert"] + (systemKeychain ? ["-d"] : []) + [certificate.pemPath]))
        // By fingerprint, so another certificate with the same name is never deleted.
        plan.steps.append(.command(["security", "delete-certificate", "-Z", certificate.sha1Hex, keychain]))
        return plan
    }
}
