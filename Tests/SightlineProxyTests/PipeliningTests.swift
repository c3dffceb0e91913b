import Foundation
import SightlineCore
import Testing

/// HTTP/1.1 pipelining: a client may send its next requests before the first is answered. The exchange handler
/// holds them while one is in flight and sends each upstream when the one before has been answered, so the
/// answers come back in order. The first request's upstream write is flushed at the end of the client's read,
/// and the held ones are sent from outside any client read: both paths must reach the upstream.
@Suite("Pipelining")
struct PipeliningTests {
    @Test("three requests sent in one write through the gateway are each answered, in order, and each recorded")
    func pipelinedRequestsAreAnsweredInOrder() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let names = ["first", "second", "third"]
        let requests = names.map { name in
            let body = #"{"n":"\#(name)"}"#
            return "POST /fb/\(name) HTTP/1.1\r\nHost: 127.0.0.1\r\nSightline-Target-Url: https://localhost:\(h.upstream.port)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }
        let socket = try RawSocket(port: h.proxy.port, timeout: 10)
        defer { socket.close() }
        try socket.send(requests.joined())
        let (data, end) = socket.read(until: { String(decoding: $0, as: UTF8.self).contains(#"{"n":"third"}"#) })
        let text = String(decoding: data, as: UTF8.self)
        #expect(end == .matched, "all three answers within 10 s; got: \(text)")
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count - 1 == 3, "\(text)")
        let positions = names.compactMap { text.range(of: #"{"n":"\#($0)"}"#)?.lowerBound }
        #expect(positions.count == 3 && positions == positions.sorted(), "answers in request order: \(text)")
        let captures = await h.sink.waitFor(count: 3)
        #expect(captures.map(\.request.url).map { $0.hasSuffix("/fb/first") || $0.hasSuffix("/fb/second") || $0.hasSuffix("/fb/third") }
            == [true, true, true], "\(captures.map(\.request.url))")
    }
}
