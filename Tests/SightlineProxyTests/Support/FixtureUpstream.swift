import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import SightlineCA
import SightlineTestSupport

/// A real HTTPS server with its own throwaway CA that answers like OpenAI, Anthropic, Gemini, Bedrock and Cohere, with
/// the wire-format fixtures of `Tests/Fixtures/<provider>/<scenario>/` sent byte for byte.
///
/// Which fixture answers is decided by the route and the request body only ("stream" = the JSON body has
/// `"stream": true`; "tools" = a non-empty `tools` array):
///
/// | route                                         | rule                       | fixture                              |
/// |-----------------------------------------------|----------------------------|--------------------------------------|
/// | `POST /v1/chat/completions`                   | a `tool`-role message      | openai/chat-completions-tool-result  |
/// |                                               | tools, stream              | openai/chat-completions-stream-tools |
/// |                                               | tools                      | openai/chat-completions-tools        |
/// |                                               | stream                     | openai/chat-completions-stream       |
/// |                                               | otherwise                  | openai/chat-completions              |
/// | `POST /v1/responses`                          | stream / otherwise         | openai/responses-stream / responses  |
/// | `POST /v1/embeddings`                         |                            | openai/embeddings                    |
/// | `POST /v1/messages`                           | tools, stream              | anthropic/messages-stream-thinking   |
/// |                                               | tools                      | anthropic/messages-tool-use          |
/// |                                               | stream / otherwise         | anthropic/messages-stream / messages |
/// | `POST /{v1,v1beta}/models/{m}:generateContent` | tools / otherwise         | gemini/generate-content / -text      |
/// | `POST /{v1,v1beta}/models/{m}:streamGenerateContent` |                     | gemini/stream-generate-content-sse   |
/// | `POST /model/{id}/converse`                   | toolConfig / otherwise     | bedrock/converse-tool-use / converse |
/// | `POST /model/{id}/converse-stream`            | toolConfig / otherwise     | bedrock/converse-stream-tool-use / converse-stream |
/// | `POST /model/{id}/invoke`                     |                            | bedrock/invoke-anthropic             |
/// | `POST /model/{id}/invoke-with-response-stream` |                           | bedrock/invoke-anthropic-stream      |
/// | `POST /v2/chat`                               | stream / otherwise         | cohere/chat-stream / chat            |
///
/// A JSON fixture goes out with a `Content-Length`; an SSE fixture goes out chunked, one event per write
/// (its own framing kept, LF or CRLF), the first at once and each next `eventGap` later; an AWS event stream
/// (`response.eventstream`, `application/vnd.amazon.eventstream`) likewise, one frame per write. Anything else: 404.
final class FixtureUpstream: Sendable {
    /// One request as the upstream received it.
    struct Received: Sendable {
        var head: HTTPRequestHead
        var body: String
        /// The scenario folder that answered (`openai/chat-completions`), nil for a 404.
        var scenario: String?
    }

    /// The fixture answers, loaded once: scenario folder → bytes and, for SSE, the events.
    struct Fixture: Sendable {
        var contentType: String
        var bytes: [UInt8]
        /// SSE and event streams only: consecutive slices of `bytes`, each one event with its terminating blank
        /// line, or one frame.
        var events: [[UInt8]]
    }

    static var fixturesDirectory: URL { PackageRoot.url.appendingPathComponent("Tests/Fixtures") }

    static let scenarios = [
        "openai/chat-completions", "openai/chat-completions-stream", "openai/chat-completions-tools",
        "openai/chat-completions-stream-tools", "openai/chat-completions-tool-result", "openai/responses",
        "openai/responses-stream", "openai/embeddings", "anthropic/messages", "anthropic/messages-stream",
        "anthropic/messages-tool-use", "anthropic/messages-stream-thinking", "gemini/generate-content",
        "gemini/generate-content-text", "gemini/stream-generate-content-sse", "bedrock/converse", "bedrock/converse-stream",
        "bedrock/converse-tool-use", "bedrock/converse-stream-tool-use", "bedrock/invoke-anthropic",
        "bedrock/invoke-anthropic-stream", "cohere/chat", "cohere/chat-stream",
    ]

    /// The fixture a scenario answers with, read from disk (`response.json`, `response.sse` or `response.eventstream`).
    static func fixture(_ scenario: String) throws -> Fixture {
        let folder = fixturesDirectory.appendingPathComponent(scenario)
        let eventStream = folder.appendingPathComponent("response.eventstream")
        if FileManager.default.fileExists(atPath: eventStream.path) {
            let bytes = [UInt8](try Data(contentsOf: eventStream))
            return Fixture(contentType: "application/vnd.amazon.eventstream", bytes: bytes, events: splitFrames(bytes))
        }
        let sse = folder.appendingPathComponent("response.sse")
        if FileManager.default.fileExists(atPath: sse.path) {
            let bytes = [UInt8](try Data(contentsOf: sse))
            return Fixture(contentType: "text/event-stream", bytes: bytes, events: splitEvents(bytes))
        }
        let bytes = [UInt8](try Data(contentsOf: folder.appendingPathComponent("response.json")))
        return Fixture(contentType: "application/json", bytes: bytes, events: [])
    }

    /// Cuts after each blank line (`\n\n` or `\r\n\r\n`); trailing bytes after the last event stay on it,
    /// so the events joined are the file exactly.
    static func splitEvents(_ bytes: [UInt8]) -> [[UInt8]] {
        var events: [[UInt8]] = []
        var start = 0
        var i = 0
        while i < bytes.count {
            var end: Int?
            if bytes[i] == 0x0A, i + 1 < bytes.count, bytes[i + 1] == 0x0A {
                end = i + 2
            } else if bytes[i] == 0x0D, i + 3 < bytes.count, bytes[i + 1] == 0x0A, bytes[i + 2] == 0x0D, bytes[i + 3] == 0x0A {
                end = i + 4
            }
            if let end {
                events.append(Array(bytes[start..<end]))
                start = end
                i = end
            } else {
                i += 1
            }
        }
        if start < bytes.count {
            if events.isEmpty { events.append([]) }
            events[events.count - 1].append(contentsOf: bytes[start...])
        }
        return events
    }

    /// Cuts an AWS event stream after each frame, by the total length that starts every frame.
    static func splitFrames(_ bytes: [UInt8]) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var start = 0
        while bytes.count - start >= 4 {
            let total = bytes[start..<(start + 4)].reduce(0) { $0 << 8 | Int($1) }
            guard total > 0 else { break }
            let end = min(start + total, bytes.count)
            frames.append(Array(bytes[start..<end]))
            start = end
        }
        return frames
    }

    /// The scenario for a request (the table above), nil when no route matches.
    static func scenario(method: HTTPMethod, uri: String, body: String) -> String? {
        guard method == .POST else { return nil }
        let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
        let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        let stream = json["stream"] as? Bool == true
        let tools = !((json["tools"] as? [Any]) ?? []).isEmpty
        // google-genai picks the API version (`v1` or `v1beta`); the Gemini API serves both.
        let isGeminiModel = path.hasPrefix("/v1beta/models/") || path.hasPrefix("/v1/models/")
        switch path {
        case "/v1/chat/completions":
            let messages = json["messages"] as? [[String: Any]] ?? []
            if messages.contains(where: { $0["role"] as? String == "tool" }) { return "openai/chat-completions-tool-result" }
            if tools { return stream ? "openai/chat-completions-stream-tools" : "openai/chat-completions-tools" }
            return stream ? "openai/chat-completions-stream" : "openai/chat-completions"
        case "/v1/responses":
            return stream ? "openai/responses-stream" : "openai/responses"
        case "/v1/embeddings":
            return "openai/embeddings"
        case "/v1/messages":
            if tools { return stream ? "anthropic/messages-stream-thinking" : "anthropic/messages-tool-use" }
            return stream ? "anthropic/messages-stream" : "anthropic/messages"
        case _ where isGeminiModel && path.hasSuffix(":generateContent"):
            return tools ? "gemini/generate-content" : "gemini/generate-content-text"
        case _ where isGeminiModel && path.hasSuffix(":streamGenerateContent"):
            return "gemini/stream-generate-content-sse"
        case _ where path.hasPrefix("/model/"):
            let hasTools = json["toolConfig"] != nil
            if path.hasSuffix("/converse") { return hasTools ? "bedrock/converse-tool-use" : "bedrock/converse" }
            if path.hasSuffix("/converse-stream") { return hasTools ? "bedrock/converse-stream-tool-use" : "bedrock/converse-stream" }
            if path.hasSuffix("/invoke") { return "bedrock/invoke-anthropic" }
            if path.hasSuffix("/invoke-with-response-stream") { return "bedrock/invoke-anthropic-stream" }
            return nil
        case "/v2/chat":
            return stream ? "cohere/chat-stream" : "cohere/chat"
        default:
            return nil
        }
    }

    let authority: CertificateAuthority
    let caFile: URL
    let channel: any Channel
    private let seen = NIOLockedValueBox<[Received]>([])

    var port: Int { channel.localAddress!.port! }
    var received: [Received] { seen.withLockedValue { $0 } }

    init(hosts: [String] = ["localhost", "127.0.0.1"], eventGap: TimeAmount = .milliseconds(20), directory: URL) async throws {
        var fixtures: [String: Fixture] = [:]
        for scenario in Self.scenarios { fixtures[scenario] = try Self.fixture(scenario) }
        let identity = try TestServerIdentity(commonName: "Fixture Upstream CA", hosts: hosts,
                                              caFile: directory.appendingPathComponent("fixture-upstream-ca.pem"))
        authority = identity.authority
        caFile = identity.caFile
        let seen = self.seen
        let loaded = fixtures
        channel = try await HTTPSTestServer.bind(identity: identity) {
            FixtureUpstreamHandler(fixtures: loaded, seen: seen, eventGap: eventGap)
        }
    }

    func close() async {
        try? await channel.close()
    }
}

/// Answers one request at a time on a connection with the fixture `FixtureUpstream.scenario` picks.
private final class FixtureUpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let fixtures: [String: FixtureUpstream.Fixture]
    private let seen: NIOLockedValueBox<[FixtureUpstream.Received]>
    private let eventGap: TimeAmount
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()

    init(fixtures: [String: FixtureUpstream.Fixture], seen: NIOLockedValueBox<[FixtureUpstream.Received]>, eventGap: TimeAmount) {
        self.fixtures = fixtures
        self.seen = seen
        self.eventGap = eventGap
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
        case .body(var buffer):
            body.writeBuffer(&buffer)
        case .end:
            guard let head else { return }
            let text = String(buffer: body)
            let scenario = FixtureUpstream.scenario(method: head.method, uri: head.uri, body: text)
            seen.withLockedValue { $0.append(.init(head: head, body: text, scenario: scenario)) }
            guard let scenario, let fixture = fixtures[scenario] else {
                let notFound = ByteBuffer(string: #"{"error":{"message":"no fixture for this request","type":"invalid_request_error"}}"#)
                let headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(notFound.readableBytes)")])
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .notFound, headers: headers))), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(notFound))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            if fixture.events.isEmpty {
                writeWhole(fixture, context: context)
            } else {
                stream(fixture.events, contentType: fixture.contentType, context: context)
            }
        }
    }

    private func writeWhole(_ fixture: FixtureUpstream.Fixture, context: ChannelHandlerContext) {
        let headers = HTTPHeaders([("Content-Type", fixture.contentType), ("Content-Length", "\(fixture.bytes.count)")])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: fixture.bytes)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func stream(_ events: [[UInt8]], contentType: String, context: ChannelHandlerContext) {
        let headers = HTTPHeaders([("Content-Type", contentType), ("Cache-Control", "no-cache")])
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        let loop = context.eventLoop
        let gap = eventGap
        func send(_ index: Int) {
            guard index < events.count else {
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: events[index])))), promise: nil)
            loop.assumeIsolated().scheduleTask(in: gap) { send(index + 1) }
        }
        send(0)
    }
}
