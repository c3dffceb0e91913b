import ArgumentParser
import Foundation
import SightlineCA
import SightlineSetup
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct CACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca",
        abstract: "Trust Sightline's CA: system-wide, in a Python's certifi bundle, or just show it.",
        subcommands: [CAShowCommand.self, CAInstallCommand.self, CAUninstallCommand.self, CAPatchCertifiCommand.self, CAUnpatchCertifiCommand.self]
    )
}

/// The CA of the data directory (created on first use, as `start` would) and the facts plans need.
private func loadCertificate(_ data: DataDirectoryOption) throws -> CertificateFacts {
    do {
        let authority = try CertificateAuthority.loadOrCreate(in: data.url)
        return CertificateFacts(authority: authority, pemPath: data.caCertificatePath)
    } catch let error as CertificateAuthorityError {
        throw ValidationError(error.reason)
    }
}

/// Prints a plan (dry run) or runs it, echoing each step; a setup error becomes a clear message.
private func carryOut(_ plan: SetupPlan, dryRun: Bool, action: String) throws {
    if dryRun {
        print(plan.shellScript)
        return
    }
    if plan.needsRoot && geteuid() != 0 && !plan.isEmpty { throw SetupError.needsRoot(action) }
    plan.notes.forEach { print("# " + $0) }
    try PlanExecutor(announce: { print("+ " + $0) }).run(plan)
    if !plan.isEmpty { print("done: " + plan.title) }
}

struct TrustOptions: ParsableArguments {
    @OptionGroup var data: DataDirectoryOption
    @Flag(help: "Print the exact commands and file changes instead of making them (the CA itself is created in the data directory on first use, as `start` does).")
    var dryRun = false
    @Option(help: "Apply the Linux steps to the tree under DIR instead of / (for tests and images).")
    var root = "/"
    @Option(help: "debian, fedora, arch or macos (default: detected from the OS).")
    var platform: String?
    @Flag(help: "macOS: trust for all users in the System keychain (needs sudo) instead of the login keychain.")
    var system = false

    func validate() throws {
        if let platform, TrustPlatform(rawValue: platform) == nil {
            throw ValidationError("--platform must be one of \(TrustPlatform.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func planner() throws -> CATrustPlanner {
        let rootPath = root == "/" ? "/" : URL(fileURLWithPath: (root as NSString).expandingTildeInPath).standardizedFileURL.path
        guard let platform = platform.flatMap(TrustPlatform.init(rawValue:)) ?? TrustPlatform.detect(root: rootPath, files: LocalFileLookup()) else {
            throw ValidationError("cannot tell which trust store this system uses (no known /etc/os-release ID); pass --platform debian|fedora|arch|macos")
        }
        return CATrustPlanner(platform: platform, root: rootPath, certificate: try loadCertificate(data), systemKeychain: system,
                              home: UserHome.url.path)
    }
}

struct CAShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the CA's fingerprint, validity and files.")
    @OptionGroup var data: DataDirectoryOption

    func run() throws {
        let facts = try loadCertificate(data)
        let format = ISO8601DateFormatter()
        print("subject      \(facts.subject)")
        print("sha256       \(facts.sha256Colons)")
        print("valid        \(format.string(from: facts.notValidBefore)) to \(format.string(from: facts.notValidAfter))")
        print("certificate  \(facts.pemPath)   (DER: \(data.url.appendingPathComponent(CertificateAuthority.certificateDERFileName).path))")
        print("key          \(data.url.appendingPathComponent(CertificateAuthority.keyFileName).path)   (mode 0600, never leaves this machine)")
        print("bundle       \(data.url.appendingPathComponent(TrustBundle.fileName).path)   (system roots + this CA, for SSL_CERT_FILE)")
    }
}

struct CAInstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "install", abstract: "Trust the CA system-wide (Debian/Ubuntu, Fedora/RHEL, Arch, macOS).")
    @OptionGroup var trust: TrustOptions

    func run() throws {
        let planner = try trust.planner()
        let plan = try planner.installPlan(files: LocalFileLookup())
        try carryOut(plan, dryRun: trust.dryRun, action: "sightline ca install")
    }
}

struct CAUninstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "uninstall", abstract: "Remove what `ca install` added, and rebuild the trust store.")
    @OptionGroup var trust: TrustOptions

    func run() throws {
        let planner = try trust.planner()
        let plan = try planner.uninstallPlan(files: LocalFileLookup())
        try carryOut(plan, dryRun: trust.dryRun, action: "sightline ca uninstall")
    }
}

struct CertifiOptions: ParsableArguments {
    @OptionGroup var data: DataDirectoryOption
    @Option(help: "The Python whose certifi to patch (default: $VIRTUAL_ENV/bin/python, else python3).")
    var python: String?
    @Flag(help: "Print the exact commands and file changes instead of making them.")
    var dryRun = false

    var interpreter: String {
        if let python { return python }
        if let venv = ProcessInfo.processInfo.environment["VIRTUAL_ENV"], !venv.isEmpty { return venv + "/bin/python" }
        return "python3"
    }

    /// Asks the interpreter itself: the same certifi its programs will import.
    func planner() throws -> CertifiPlanner {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter, "-c", "import certifi, sys; sys.stdout.write(certifi.where())"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { throw SetupError.certifiNotFound(python: interpreter, output: "\(error)") }
        let path = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problem = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0, !path.isEmpty else {
            throw SetupError.certifiNotFound(python: interpreter, output: problem.split(separator: "\n").last.map(String.init) ?? "")
        }
        return CertifiPlanner(bundlePath: path, certificate: try loadCertificate(data))
    }
}

struct CAPatchCertifiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patch-certifi",
        abstract: "Append the CA to a Python environment's certifi bundle (backup kept), for programs that ignore REQUESTS_CA_BUNDLE.")
    @OptionGroup var certifi: CertifiOptions

    func run() throws {
        try carryOut(try certifi.planner().patchPlan(files: LocalFileLookup()), dryRun: certifi.dryRun, action: "sightline ca patch-certifi")
    }
}

struct CAUnpatchCertifiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unpatch-certifi", abstract: "Restore certifi's bundle exactly as it was before patch-certifi.")
    @OptionGroup var certifi: CertifiOptions

    func run() throws {
        let plan = try certifi.planner().unpatchPlan(files: LocalFileLookup())
        try carryOut(plan, dryRun: certifi.dryRun, action: "sightline ca unpatch-certifi")
    }
}
