import Foundation
import SightlineStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Talks to another Sightline's JSON API (SPEC §5.1) over plain HTTP/1.0: `sightline run` asks whether
/// one answers, fetches its CA, and reads back the flows its child made. A blocking socket with short
/// timeouts is enough for a few small local requests, and keeps an HTTP client library out.
struct InstanceClient: Sendable {
    let host: String
    let port: Int
    /// Sent as `Authorization: Bearer …` when the UI needs a password.
    let password: String?

    var baseURL: String { "http://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)" }

    /// True when a Sightline answers `GET /api/stats` there (its JSON has the recorder's counters).
    func isSightline() -> Bool {
        guard let (status, body) = get("/api/stats"), status == 200,
              let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return false }
        return object["recorder"] != nil && object["flows"] != nil
    }

    func caPEM() -> String? {
        guard let (status, body) = get("/api/ca.pem"), status == 200 else { return nil }
        let pem = String(decoding: body, as: UTF8.self)
        return pem.contains("BEGIN CERTIFICATE") ? pem : nil
    }

    /// Flows started at or after `since`, newest first (pages walked until older ones appear).
    func flows(since: Date) -> [FlowSummary]? {
        var result: [FlowSummary] = []
        var cursor: String?
        repeat {
            let path = "/api/flows?limit=\(FlowQuery.maxLimit)" + (cursor.map { "&before=" + $0 } ?? "")
            guard let (status, body) = get(path), status == 200, let page = try? JSONDecoder().decode(FlowPage.self, from: body) else {
                return nil
            }
            for flow in page.flows {
                if flow.startedAt < since { return result }
                result.append(flow)
            }
            cursor = page.next
        } while cursor != nil
        return result
    }

    func get(_ path: String, timeoutSeconds: Int = 3) -> (Int, Data)? {
        guard let fd = connectedSocket(timeoutSeconds: timeoutSeconds) else { return nil }
        defer { close(fd) }
        var request = "GET \(path) HTTP/1.0\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        if let password { request += "Authorization: Bearer \(password)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else { return nil }
        var response = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            response.append(contentsOf: buffer[0..<n])
            if let parsed = Self.parse(response), parsed.complete { return (parsed.status, parsed.body) }
        }
        guard let parsed = Self.parse(response) else { return nil }
        return (parsed.status, parsed.body)
    }

    /// Status and body of a response read so far; complete once `Content-Length` bytes have arrived.
    private static func parse(_ data: Data) -> (status: Int, body: Data, complete: Bool)? {
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else { return nil }
        let head = String(decoding: data[..<end.lowerBound], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        let body = Data(data[end.upperBound...])
        let length = lines.dropFirst().compactMap { line -> Int? in
            let pair = line.split(separator: ":", maxSplits: 1)
            guard pair.count == 2, pair[0].lowercased() == "content-length" else { return nil }
            return Int(pair[1].trimmingCharacters(in: .whitespaces))
        }.first
        return (status, body, length.map { body.count >= $0 } ?? false)
    }
}

extension InstanceClient {
    /// True when something accepts a TCP connection there (the proxy port of a running instance).
    static func accepts(host: String, port: Int) -> Bool {
        InstanceClient(host: host, port: port, password: nil).connects()
    }

    private func connects() -> Bool {
        guard let fd = connectedSocket(timeoutSeconds: 3) else { return false }
        close(fd)
        return true
    }

    /// A TCP socket connected to `host:port` with send/receive timeouts, or nil; the caller closes it.
    private func connectedSocket(timeoutSeconds: Int) -> Int32? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return nil }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }
}
