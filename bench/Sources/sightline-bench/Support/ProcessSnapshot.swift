import Foundation

/// Memory and CPU time of a process from `/proc/PID/status` and `/proc/PID/stat` (Linux only).
struct ProcessSnapshot: Sendable {
    /// Resident set size now, and its high-water mark since the process started.
    let residentBytes: Int
    let peakResidentBytes: Int
    /// User + system CPU time consumed so far.
    let cpuNanoseconds: UInt64
    /// Entries of `/proc/PID/fd`: sockets, files, pipes, epoll and event descriptors.
    let openFileDescriptors: Int

    static func read(pid: Int32) -> ProcessSnapshot? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        return ProcessSnapshot(
            residentBytes: kilobytes(named: "VmRSS:", in: status) * 1024,
            peakResidentBytes: kilobytes(named: "VmHWM:", in: status) * 1024,
            cpuNanoseconds: cpuTime(stat: stat),
            openFileDescriptors: (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0)
    }

    static func readSelf() -> ProcessSnapshot? { read(pid: getpid()) }

    private static func kilobytes(named field: String, in status: String) -> Int {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }) else { return 0 }
        // "VmRSS:\t  123456 kB"
        return Int(line.dropFirst(field.count).split(whereSeparator: \.isWhitespace).first ?? "") ?? 0
    }

    /// Fields 14 and 15 (utime, stime) in clock ticks. The command name (field 2) may hold spaces,
    /// so counting starts after its closing parenthesis.
    private static func cpuTime(stat: String) -> UInt64 {
        guard let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state), so utime (14) is fields[11] and stime (15) fields[12].
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return 0 }
        let ticksPerSecond = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))
        return (user + system) * 1_000_000_000 / ticksPerSecond
    }
}
