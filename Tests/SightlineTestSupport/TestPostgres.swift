import Foundation
import Synchronization

/// A real PostgreSQL server for the tests: Debian's `postgresql` binaries, `initdb` into a temporary directory,
/// listening on 127.0.0.1 on a free port, password login (scram-sha-256) for the user `sightline`. One per test
/// process, started on first use and stopped (SIGINT: a fast shutdown; directory removed) when the process exits. Each
/// test takes its own database (`makeDatabase()`), so tests never see each other's flows.
// Unchecked: `Process` is not Sendable; the server process is kept behind a Mutex and only signalled and polled.
public final class TestPostgres: @unchecked Sendable {
    public static let user = "sightline"
    public static let password = "pg-test-Secret-4711"

    public let port: Int
    public let directory: URL
    let binDirectory: String
    private let server: Mutex<Process>

    /// nil when no PostgreSQL server binaries are installed (`apt-get install postgresql`, as `.ci/run` does).
    public static let shared: TestPostgres? = {
        do {
            let server = try TestPostgres()
            atexit { TestPostgres.shared?.stop() }
            return server
        } catch {
            FileHandle.standardError.write(Data("TestPostgres: \(error)\n".utf8))
            return nil
        }
    }()

    /// Whether the PostgreSQL variants of the store tests must run: always in CI, where `.ci/run` installs the server.
    public static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    /// A server of its own, for a test that stops and starts it (`stop()` it when done).
    public static func startPrivate() throws -> TestPostgres { try TestPostgres() }

    private init() throws {
        guard let bin = Self.findBinDirectory() else { throw TestPostgresError("no initdb found under /usr/lib/postgresql/*/bin") }
        binDirectory = bin
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sightline-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let passwordFile = directory.appendingPathComponent("pwfile")
        try Self.password.write(to: passwordFile, atomically: true, encoding: .utf8)
        // initdb and postgres refuse to run as root; CI runs as root, so the server runs as `postgres` there.
        if getuid() == 0 { _ = try run("/bin/chown", ["-R", "postgres", directory.path]) }
        let data = directory.appendingPathComponent("data").path
        let initdb = try Self.asServerUser("\(bin)/initdb", ["-D", data, "-U", Self.user, "--pwfile=\(passwordFile.path)",
                                                              "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-locale"])
        guard initdb.status == 0 else { throw TestPostgresError("initdb failed: \(initdb.stderr)") }
        port = try Self.freePort()
        server = Mutex(try Self.startServer(bin: bin, directory: directory, port: port))
        try waitUntilReady()
    }

    /// `postgres` itself as a child (not `pg_ctl`, whose `-w` never returned under Foundation's Process here),
    /// its log in the directory. As root it runs under `runuser`, which passes signals on to it.
    private static func startServer(bin: String, directory: URL, port: Int) throws -> Process {
        let process = Process()
        let arguments = ["-D", directory.appendingPathComponent("data").path, "-p", "\(port)", "-k", directory.path,
                         "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                         "-c", "full_page_writes=off", "-c", "max_connections=200"]
        if getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", "\(bin)/postgres"] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "\(bin)/postgres")
            process.arguments = arguments
        }
        let log = directory.appendingPathComponent("server.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.runWithDefaultSignals()
        return process
    }

    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if (try? sql("SELECT 1")) != nil { return }
            guard server.withLock({ $0.isRunning }) else { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
        throw TestPostgresError("the PostgreSQL server did not come up: \(log.suffix(2000))")
    }

    /// `postgres://sightline:…@127.0.0.1:PORT/DATABASE?sslmode=disable`.
    public func url(database: String, password: String = TestPostgres.password) -> String {
        "postgres://\(Self.user):\(password)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// A new, empty database; returns its name.
    public func makeDatabase() throws -> String {
        let name = "flows_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try sql("CREATE DATABASE \(name)")
        return String(name)
    }

    /// Runs one statement as `sightline` on the `postgres` database through `psql`; returns what it printed
    /// (unaligned, tuples only: a single value is just that value).
    @discardableResult
    public func sql(_ statement: String, database: String = "postgres") throws -> String {
        let result = try run("\(binDirectory)/psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", "\(port)",
                                                      "-U", Self.user, "-d", database, "-c", statement],
                             environment: ProcessInfo.processInfo.environment.merging(["PGPASSWORD": Self.password]) { $1 })
        guard result.status == 0 else { throw TestPostgresError("psql failed: \(result.stderr)") }
        return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops the server (fast shutdown: the tests' data is thrown away) and removes its directory.
    public func stop() {
        shutDown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Stops the server and keeps its data: "PostgreSQL went away". `resume()` starts it again on the same port.
    public func pause() { shutDown() }

    public func resume() throws {
        let process = try Self.startServer(bin: binDirectory, directory: directory, port: port)
        server.withLock { $0 = process }
        try waitUntilReady()
    }

    private func shutDown() {
        // The postmaster itself, not `runuser` above it: a signal to `runuser` does not always reach it.
        let pidFile = directory.appendingPathComponent("data/postmaster.pid")
        if let text = try? String(contentsOf: pidFile, encoding: .utf8), let pid = text.split(separator: "\n").first.flatMap({ Int32($0) }) {
            kill(pid, SIGINT)
            let deadline = Date().addingTimeInterval(10)
            while kill(pid, 0) == 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
        server.withLock { server in
            if server.isRunning { kill(server.processIdentifier, SIGKILL) }
        }
    }

    private static func asServerUser(_ executable: String, _ arguments: [String]) throws -> CommandResult {
        getuid() == 0 ? try run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments) : try run(executable, arguments)
    }

    private static func findBinDirectory() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        return versions.reversed().map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestPostgresError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public struct TestPostgresError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
