import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import SightlineCA

/// A real HTTPS server with its own throwaway CA, standing in for an LLM provider in tests.
/// Routes:
/// - `POST /v1/chat/completions`: a chat completion JSON, or with `"stream": true` an SSE stream of
///   `TestUpstream.sseEventCount` chunks spaced `sseGap` apart, then `[DONE]`.
/// - `GET /echo-headers`: the request's headers as a JSON array of `[name, value]`, in wire order.
/// - `GET /bytes?n=N`: N bytes of a repeating pattern, streamed in 64 KiB chunks.
/// - `GET /reset-mid-stream`: a 200 with chunked framing, one chunk, then the connection closes.
/// Fault routes (used by `BadInputTests`):
/// - `GET /stall`: reads the request and never answers.
/// - `GET /headers-then-stall`: an SSE head and one event, then silence (the connection stays open).
/// - `GET /sse-slow`: `slowEventCount` SSE events 50 ms apart (10 s in all), then the end.
/// - `GET /bad-chunked`: a chunked 200 whose second chunk has an invalid size line.
/// - `GET /reset-immediately`: a chunked 200 head and one chunk, and the close, in one flush.
/// - `GET /close-without-response`: closes the connection without answering.
/// Gateway routes (used by `GatewayFeatureTests`):
/// - `/flaky?id=X&fail=N&status=S[&retry-after=R]`: the first N requests with that id get status S (with
///   `Retry-After: R` when given), the next ones the chat completion.
/// - `POST /counter`: a chat completion whose text names how many times it was called ("answer 1", "answer 2"…).
/// - `/fb/…`: 200 with the request body as the response body (what a fallback actually sent).
/// - `GET /bytes-paced?n=N`: like `/bytes`, but each chunk is flushed and at most 4 are in flight, so the
///   server itself holds no more than ~256 KiB however slowly the other side reads (`/bytes` queues the whole
///   body in its TLS handler at once, which would hide the proxy's own memory use).
/// - anything else: 404.
public final class TestUpstream: Sendable {
    public static let sseEventCount = 5
    public static let chatJSON = #"{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"message":{"role":"assistant","content":"I am a little teapot."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":6,"total_tokens":18}}"#
    public static let slowEventCount = 200
    public static let partialEvent = "data: partial\n\n"

    public let authority: CertificateAuthority
    public let caFile: URL
    public let channel: any Channel
    private let seen = NIOLockedValueBox<[HTTPRequestHead]>([])
    private let counters = NIOLockedValueBox<[String: Int]>([:])
    private let connections = NIOLockedValueBox(0)
    private let accepted = NIOLockedValueBox(0)

    public var port: Int { channel.localAddress!.port! }
    public var requests: [HTTPRequestHead] { seen.withLockedValue { $0 } }
    /// Client connections (from the proxy) currently open on this server.
    public var openConnections: Int { connections.withLockedValue { $0 } }
    /// Client connections (from the proxy) accepted since start, closed ones included.
    public var acceptedConnections: Int { accepted.withLockedValue { $0 } }

    /// The `sightline start`/`run` flags that send `https://api.openai.com` here and trust this server's CA.
    public var openAIRemapFlags: [String] {
        ["--map-remote", "https://api.openai.com=https://localhost:\(port)", "--upstream-ca", caFile.path]
    }

    /// Waits (bounded) until at most `count` connections are open; returns how many are.
    public func waitForOpenConnections(atMost count: Int, timeout: Duration = .seconds(5)) async -> Int {
        let deadline = ContinuousClock.now + timeout
        while openConnections > count && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return openConnections
    }

    public static func sseBody() -> [String] {
        (0..<sseEventCount).map { i in
            #"data: {"id":"chatcmpl-2","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"word\#(i) "},"finish_reason":null}]}"# + "\n\n"
        } + ["data: [DONE]\n\n"]
    }

    /// The CA's PEM goes to `directory/upstream-ca.pem`.
    public init(hosts: [String] = ["localhost", "127.0.0.1"], sseGap: TimeAmount = .milliseconds(50), directory: URL) async throws {
        let identity = try TestServerIdentity(commonName: "Test Upstream CA", hosts: hosts,
                                              caFile: directory.appendingPathComponent("upstream-ca.pem"))
        authority = identity.authority
        caFile = identity.caFile
        let seen = self.seen
        let connections = self.connections
        let accepted = self.accepted
        let counters = self.counters
        channel = try await HTTPSTestServer.bind(identity: identity, onAccept: { channel in
            connections.withLockedValue { $0 += 1 }
            accepted.withLockedValue { $0 += 1 }
            channel.closeFuture.whenComplete { _ in connections.withLockedValue { $0 -= 1 } }
        }, handler: {
            TestUpstreamHandler(seen: seen, counters: counters, sseGap: sseGap)
        })
    }

    public func close() async {
        try? await channel.close()
    }
}
