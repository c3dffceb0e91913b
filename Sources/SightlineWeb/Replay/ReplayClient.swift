import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SightlineCore

/// Sends a request through this Sightline's proxy port as a gateway request (origin-form path,
/// `Sightline-Target-Url` naming the original origin), so it is relayed, recorded and understood like
/// any other call, and reads back the new flow's id from the `Sightline-Id` response header.
struct ReplayClient {
    let target: ReplayTarget
    var timeout: TimeAmount = .seconds(300)

    /// Its own client rather than `HTTPClient.shared`: a replay must send exactly one request, so a redirect the
    /// upstream answers is the replay's answer, not followed.
    private static let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                           configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    struct Outcome: Sendable {
        var status: Int
        var flowID: String?
    }

    /// `newID` becomes the new flow's id (`Sightline-Request-Id`), so it is known even when the upstream fails.
    /// `whileOpen` runs once the whole response has arrived, before the connection can close: the proxy takes a
    /// client that closes the very moment it has the last byte for one that left early, so the caller waits there
    /// until the new flow is recorded (AsyncHTTPClient keeps the connection for reuse meanwhile).
    func send(_ request: ReplayRequest, replayOf original: FlowID, newID: FlowID,
              whileOpen: @escaping @Sendable (Outcome) async throws -> Void) async throws -> Outcome {
        let (origin, path) = try request.split()
        let host = target.host.contains(":") ? "[\(target.host)]" : target.host
        var outgoing = HTTPClientRequest(url: "http://\(host):\(target.port)\(path)")
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers where !["host", "content-length"].contains(header.name.lowercased()) {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        outgoing.headers.add(name: "Sightline-Target-Url", value: origin)
        outgoing.headers.replaceOrAdd(name: "Sightline-Property-Replay-Of", value: original.description)
        outgoing.headers.add(name: "Sightline-Request-Id", value: newID.description)
        if let credentials = target.proxyCredentials {
            outgoing.headers.add(name: "Proxy-Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        }
        if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: request.body)) }

        let response: HTTPClientResponse
        do {
            response = try await Self.client.execute(outgoing, timeout: timeout)
            // Read to the end: the flow is complete (and recorded) only once the proxy has sent its last byte.
            _ = try await response.body.collect(upTo: Int.max)
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw APIError(status: .gatewayTimeout, message: "the replayed request did not finish within \(timeout.nanoseconds / 1_000_000_000) s")
        }
        let outcome = Outcome(status: Int(response.status.code), flowID: response.headers.first(name: "Sightline-Id"))
        try await whileOpen(outcome)
        return outcome
    }
}
