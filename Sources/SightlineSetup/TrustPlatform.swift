import Foundation

/// Where a system keeps the certificates it trusts, and the tool that rebuilds its store: one install
/// algorithm (put the CA where the platform looks, then refresh) with these per-platform steps.
public enum TrustPlatform: String, Sendable, CaseIterable {
    /// `/usr/local/share/ca-certificates` + `update-ca-certificates`.
    case debian
    /// `/etc/pki/ca-trust/source/anchors` + `update-ca-trust extract`.
    case fedora
    /// `/etc/ca-certificates/trust-source/anchors` + `update-ca-trust` (p11-kit's `trust`).
    case arch
    /// `security add-trusted-cert` into the login (or, with `--system`, the System) keychain.
    case macos

    public var displayName: String {
        switch self {
        case .debian: return "Debian/Ubuntu"
        case .fedora: return "Fedora/RHEL"
        case .arch: return "Arch"
        case .macos: return "macOS"
        }
    }

    /// The platform of an `/etc/os-release` (its `ID`, then each `ID_LIKE`), nil when none is known.
    public static func detect(osRelease: String) -> TrustPlatform? {
        var ids: [String] = []
        for line in osRelease.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"' ")).lowercased()
            if parts[0] == "ID" { ids.insert(value, at: 0) }
            if parts[0] == "ID_LIKE" { ids += value.split(separator: " ").map(String.init) }
        }
        for id in ids {
            switch id {
            case "debian", "ubuntu", "linuxmint", "pop", "raspbian", "kali", "elementary": return .debian
            case "fedora", "rhel", "centos", "rocky", "almalinux", "amzn", "ol": return .fedora
            case "arch", "manjaro", "endeavouros", "archarm": return .arch
            default: continue
            }
        }
        return nil
    }

    /// The platform of the tree at `root`: its os-release, else the trust directories it has.
    public static func detect(root: String, files: some FileLookup) -> TrustPlatform? {
        #if os(macOS)
        if root == "/" { return .macos }
        #endif
        for candidate in ["/etc/os-release", "/usr/lib/os-release"] {
            if let bytes = files.contents(atPath: RootedPath.join(root, candidate)),
               let platform = detect(osRelease: String(decoding: bytes, as: UTF8.self)) {
                return platform
            }
        }
        if files.directoryExists(atPath: RootedPath.join(root, "/usr/local/share/ca-certificates")) { return .debian }
        if files.directoryExists(atPath: RootedPath.join(root, "/etc/pki/ca-trust/source/anchors")) { return .fedora }
        if files.directoryExists(atPath: RootedPath.join(root, "/etc/ca-certificates/trust-source")) { return .arch }
        return nil
    }
}

/// System paths under an alternative root (`--root DIR`), so plans can be run against a test tree.
public enum RootedPath {
    public static func join(_ root: String, _ path: String) -> String {
        if root == "/" || root.isEmpty { return path }
        return (root.hasSuffix("/") ? String(root.dropLast()) : root) + path
    }
}
