import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SightlineCore

/// Sends a request through this Sightline's proxy port as a gateway request (origin-form path,
/// `Sightline-Target-Url` naming the original origin), so it is relayed, recorded and understood like
/// any other call, and reads back the new flow's id from the `Sightline-Id` response header.
struct ReplayClient {
    let target: ReplayTarget
    var timeout: Duration = .seconds(300)

    struct Outcome: Sendable {
        var status: Int
        var flowID: String?
    }

    /// `newID` becomes the new flow's id (`Sightline-Request-Id`), so it is known even when the
    /// upstream fails.
    /// `whileOpen` runs once the response is complete and before the connection closes: the proxy
    /// takes a client that closes the very moment it has the last byte for one that left early, so the
    /// caller waits there until the new flow is recorded.
    func send(_ request: ReplayRequest, replayOf original: FlowID, newID: FlowID,
              whileOpen: @escaping @Sendable (Outcome) async throws -> Void) async throws -> Outcome {
        let (origin, path) = try request.split()
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(target.host):\(target.port)")
        for header in request.headers { headers.add(name: header.name, value: header.value) }
        headers.add(name: "Sightline-Target-Url", value: origin)
        headers.replaceOrAdd(name: "Sightline-Property-Replay-Of", value: original.description)
        headers.add(name: "Sightline-Request-Id", value: newID.description)
        if let credentials = target.proxyCredentials {
            headers.add(name: "Proxy-Authorization", value: "Basic " + Data(credentials.utf8).base64EncodedString())
        }
        headers.add(name: "Content-Length", value: String(request.body.count))
        let head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: request.method), uri: path, headers: headers)
        let body = request.body

        return try await withThrowingTaskGroup(of: Outcome.self) { group in
            group.addTask {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.seconds(10))
                    .connect(host: target.host, port: target.port) { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHTTPClientHandlers()
                            return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                        }
                    }
                return try await channel.executeThenClose { inbound, outbound in
                    try await outbound.write(.head(head))
                    if !body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
                    try await outbound.write(.end(nil))
                    var outcome: Outcome?
                    for try await part in inbound {
                        switch part {
                        case .head(let response):
                            outcome = Outcome(status: Int(response.status.code), flowID: response.headers.first(name: "Sightline-Id"))
                        case .body:
                            break
                        case .end:
                            let done = outcome ?? Outcome(status: 0, flowID: nil)
                            try await whileOpen(done)
                            return done
                        }
                    }
                    return outcome ?? Outcome(status: 0, flowID: nil)
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw APIError(status: .gatewayTimeout, message: "the replayed request did not finish within \(timeout)")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
