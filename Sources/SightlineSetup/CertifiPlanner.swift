/// Plans `sightline ca patch-certifi` / `unpatch-certifi`: Python's requests (and pip, and much else)
/// trusts only certifi's `cacert.pem`, ignoring the system store, so a program that cannot take
/// `REQUESTS_CA_BUNDLE` needs the CA appended there. The original is kept byte for byte as
/// `cacert.pem.sightline-backup` beside it, and unpatching copies it back.
public struct CertifiPlanner: Sendable {
    public static let backupSuffix = ".sightline-backup"

    /// certifi's bundle, as `certifi.where()` of the chosen interpreter reports it.
    public var bundlePath: String
    public var certificate: CertificateFacts

    public init(bundlePath: String, certificate: CertificateFacts) {
        self.bundlePath = bundlePath
        self.certificate = certificate
    }

    public var backupPath: String { bundlePath + Self.backupSuffix }

    public func patchPlan(files: some FileLookup) -> SetupPlan {
        var plan = SetupPlan(title: "append the Sightline CA to certifi's bundle \(bundlePath)")
        let bundle = files.contents(atPath: bundlePath) ?? []
        if certificate.isContained(in: String(decoding: bundle, as: UTF8.self)) {
            plan.notes.append("already patched: the bundle holds this CA; nothing to do")
            return plan
        }
        // A backup of an older certifi (upgraded since) is replaced: the file as it is now is the original.
        plan.steps.append(.copyFile(from: bundlePath, to: backupPath, mode: nil))
        if let last = bundle.last, last != UInt8(ascii: "\n") { plan.steps.append(.appendNewline(to: bundlePath)) }
        plan.steps.append(.appendFile(from: certificate.pemPath, to: bundlePath))
        plan.notes.append("`sightline ca unpatch-certifi` restores the original from \(backupPath)")
        return plan
    }

    public func unpatchPlan(files: some FileLookup) throws -> SetupPlan {
        var plan = SetupPlan(title: "restore certifi's original bundle \(bundlePath)")
        let bundle = files.contents(atPath: bundlePath) ?? []
        guard let backup = files.contents(atPath: backupPath) else {
            if certificate.isContained(in: String(decoding: bundle, as: UTF8.self)) {
                throw SetupError.backupMissing(bundle: bundlePath, backup: backupPath)
            }
            plan.notes.append("not patched: no backup at \(backupPath) and no Sightline CA in the bundle; nothing to do")
            return plan
        }
        // Patching only appends, so the patched file starts with the original; anything else means
        // certifi was replaced since, and copying the backup over it would downgrade it.
        guard bundle.starts(with: backup) else { throw SetupError.backupStale(bundle: bundlePath, backup: backupPath) }
        plan.steps.append(.copyFile(from: backupPath, to: bundlePath, mode: nil))
        plan.steps.append(.removeFile(path: backupPath))
        return plan
    }
}
