import Foundation
import Glibc

/// A blocking TCP client on a plain POSIX socket, for sending bytes no well-behaved client would send.
/// Every call is bounded by the socket's receive/send timeouts. Linux only (as are the proxy tests).
final class RawSocket {
    enum Failure: Error, CustomStringConvertible {
        case system(String, Int32)
        var description: String {
            switch self {
            case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
            }
        }
    }

    /// How a read loop ended.
    enum End: Equatable {
        /// The peer closed (FIN).
        case closed
        /// The peer reset the connection (RST).
        case reset
        /// Nothing arrived within the timeout; the connection is still open.
        case timedOut
        /// The caller's predicate was satisfied.
        case matched
    }

    private(set) var fd: Int32

    init(port: Int, host: String = "127.0.0.1", timeout: TimeInterval = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.system("socket", errno) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - floor(timeout)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw Failure.system("connect", code)
        }
    }

    deinit { close() }

    /// Sends all of `bytes`; throws on a reset or a send timeout (never raises SIGPIPE).
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure.system("send", errno)
            }
            offset += n
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads until the peer closes, resets, `limit` bytes arrive, the timeout passes, or `until` says stop.
    func read(limit: Int = 1 << 20, until: ((Data) -> Bool)? = nil) -> (data: Data, end: End) {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while data.count < limit {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                data.append(contentsOf: buffer[0..<n])
                if let until, until(data) { return (data, .matched) }
                continue
            }
            if n == 0 { return (data, .closed) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return (data, .timedOut)
            case ECONNRESET: return (data, .reset)
            default: return (data, .reset)
            }
        }
        return (data, .matched)
    }

    /// Reads a response head (up to the blank line).
    func readHead() -> (head: String, rest: Data, end: End) {
        let (data, end) = read(until: { $0.range(of: Data("\r\n\r\n".utf8)) != nil })
        guard let range = data.range(of: Data("\r\n\r\n".utf8)) else {
            return (String(decoding: data, as: UTF8.self), Data(), end)
        }
        return (String(decoding: data[..<range.upperBound], as: UTF8.self), Data(data[range.upperBound...]), end)
    }

    /// Sends a FIN (the peer sees end of input) but keeps reading.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }
}

/// A parsed plain HTTP/1.1 response as a raw client saw it.
struct RawResponse {
    var statusLine: String
    var status: Int
    var headers: [(String, String)]
    var body: String

    init?(_ text: String) {
        guard let split = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        guard let first = lines.first, first.hasPrefix("HTTP/1.") else { return nil }
        statusLine = first
        status = Int(first.split(separator: " ").dropFirst().first ?? "") ?? 0
        headers = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        body = String(text[split.upperBound...])
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// This process's resident set size (the proxy runs in the test process), from /proc/self/status.
func residentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
    let kb = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    return kb / 1024
}


/// A TCP port on 127.0.0.1 with nothing listening on it (bound by the OS, then released).
func closedPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { Glibc.close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw RawSocket.Failure.system("bind", errno) }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Connections on local `port` (IPv4) that the peer has closed but this process has not: TCP CLOSE_WAIT
/// in /proc/net/tcp. A server that never closes a client's finished connection leaks one of these each time.
func closeWaitConnections(localPort port: Int) -> Int {
    // procfs files report size 0: read to EOF with read(2), not a size-driven file API.
    let fd = open("/proc/net/tcp", O_RDONLY)
    guard fd >= 0 else { return -1 }
    defer { Glibc.close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        bytes += buffer[0..<n]
    }
    let table = String(decoding: bytes, as: UTF8.self)
    let portHex = String(format: ":%04X", port)
    return table.split(separator: "\n").dropFirst().filter { line in
        let fields = line.split(separator: " ")
        return fields.count > 3 && fields[1].hasSuffix(portHex) && fields[3] == "08"
    }.count
}
