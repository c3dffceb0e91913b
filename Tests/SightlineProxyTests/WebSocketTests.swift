import Foundation
import SightlineTestSupport
import Testing

extension WebSocketTestUpstream: StackUpstream {}

/// WebSocket handshakes pass through the proxy and the gateway as what they are, and the sessions run
/// byte-faithfully end to end (the `websockets` library as the client, a TLS WebSocket server behind
/// `api.openai.com`); each session is one flow.
@Suite(.serialized) struct WebSocketTests {
    static let realtimeURL = "wss://api.openai.com/v1/realtime?model=gpt-realtime"

    static func session(_ stack: FullStack, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        try await client("websocket_session.py", arguments, on: stack, sourceLocation: sourceLocation)
    }

    /// Runs a client script of `Tests/e2e` as an app would (`HTTPS_PROXY`, `SSL_CERT_FILE`); returns the JSON it printed.
    static func client(_ script: String, _ arguments: [String] = [], on stack: FullStack,
                       sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let python = try #require(TestPython.executable, "no Python with the clients: run .ci/run or set SIGHTLINE_TEST_PYTHON",
                                  sourceLocation: sourceLocation)
        var environment = stack.clientEnvironment
        environment.removeValue(forKey: "SSL_CERT_DIR")
        let result = try await runOffThePool(python, [TestPython.script(script)] + arguments, environment: environment)
        try #require(result.status == 0, "\(script) exited \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        return try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], "printed \(result.stdoutText)",
                            sourceLocation: sourceLocation)
    }

    /// A stack whose `origin` is the Python WebSocket server playing `mode` (`--realtime`, `--responses`, `--gemini-live`).
    static func pythonStack(_ mode: String, origin: String = "https://api.openai.com") async throws -> FullStack {
        try await FullStack.start(upstreamFactory: { try PythonWebSocketUpstream(directory: $0, mode: mode) }, mapRemote: [origin])
    }

    /// The newest flow once it no longer says its session is open (it is listed from the 101 on).
    static func closedSession(_ stack: FullStack) async throws -> [String: Any]? {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let flow = try await stack.waitForFlows(1).first
            let open = (flow?["websocket"] as? [String: Any])?["open"] as? Bool
            if (flow != nil && open != true) || ContinuousClock.now > deadline { return flow }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func startStack() async throws -> FullStack {
        try await FullStack.start(upstreamFactory: { try await WebSocketTestUpstream(directory: $0) }, mapRemote: ["https://api.openai.com"])
    }

    @Test("a Realtime-style session through HTTPS_PROXY: handshake kept, messages both ways, close code relayed, one flow")
    func throughTheProxy() async throws {
        let stack = try await Self.startStack()
        defer { Task { await stack.stop() } }
        let upstream = try #require(stack.extraUpstream as? WebSocketTestUpstream)
        let client = try await Self.session(stack, [Self.realtimeURL, "--header", "Authorization: Bearer sk-realtime-secret-1234abcd",
                                                    "--header", "OpenAI-Beta: realtime=v1"])
        #expect(client["first"] as? String == #"{"type":"session.created"}"#, "what the server sends with its 101 arrives")
        #expect(client["text_echo"] as? String == "hello realtime")
        #expect(client["fragmented_echo"] as? String == "part one, part two, part three")
        #expect(client["binary_echo_ok"] as? Bool == true, "every byte value passes unchanged")
        #expect(client["big_echo_ok"] as? Bool == true, "a 1 MiB message passes whole")
        #expect(client["pong"] as? Bool == true)
        #expect(client["close_code"] as? Int == 4001)
        #expect(client["close_reason"] as? String == "bye")

        let head = try #require(upstream.handshakeHeads.first)
        #expect(head.headers.first(name: "upgrade")?.lowercased() == "websocket")
        #expect(head.headers.first(name: "sec-websocket-key") != nil)
        #expect(head.headers.first(name: "authorization") == "Bearer sk-realtime-secret-1234abcd", "the app's credentials reach the server")

        let flow = try #require(try await Self.closedSession(stack))
        #expect(flow["status"] as? Int == 101)
        // The handshake is the HTTPS request it was on the wire (mitmproxy records it so too).
        #expect(flow["url"] as? String == "https://api.openai.com/v1/realtime?model=gpt-realtime")
        #expect((flow["request_bytes"] as? Int ?? 0) > 1 << 20, "client-to-server bytes are counted")
        #expect((flow["response_bytes"] as? Int ?? 0) > 1 << 20, "server-to-client bytes are counted")
        let detail = try #require(try await stack.api("/api/flows/\(flow["id"] as? String ?? "")") as? [String: Any])
        let text = String(decoding: try JSONSerialization.data(withJSONObject: detail), as: UTF8.self)
        #expect(!text.contains("sk-realtime-secret-1234abcd"), "the key is redacted in what is stored")
        #expect(text.lowercased().contains("sec-websocket-accept"))

        // The session's messages, one entry per message, in the order they passed.
        let websocket = try #require(detail["websocket"] as? [String: Any])
        let messages = try #require(websocket["messages"] as? [[String: Any]])
        let summary = messages.map { "\($0["direction"] as? String ?? "?") \($0["opcode"] as? String ?? "?")" }
        #expect(summary == ["server text", "client text", "server text", "client text", "server text", "client binary", "server binary",
                            "client text", "server text", "client ping", "server pong", "client text", "server close", "client close"])
        #expect(messages[0]["text"] as? String == #"{"type":"session.created"}"#)
        #expect(messages[1]["text"] as? String == "hello realtime")
        #expect(messages[3]["text"] as? String == "part one, part two, part three", "three frames, one message")
        let everyByte = Data((0..<1024).map { UInt8($0 & 0xFF) })
        #expect(messages[5]["data_base64"] as? String == everyByte.base64EncodedString(), "binary kept byte for byte, unmasked")
        #expect(messages[7]["size"] as? Int == 1 << 20)
        #expect((messages[7]["text"] as? String)?.count == 1 << 20)
        #expect(messages[7]["truncated"] as? Bool == false)
        let times = messages.compactMap { $0["t_ms"] as? Double }
        #expect(times.count == messages.count && times == times.sorted() && (times.first ?? 0) > 0)
        let close = try #require(websocket["close"] as? [String: Any])
        #expect(close["code"] as? Int == 4001)
        #expect(close["reason"] as? String == "bye")
        #expect(close["by"] as? String == "server")

        // HAR export carries them as Chrome does.
        let har = try #require(try await stack.api("/api/flows/\(flow["id"] as? String ?? "")/har") as? [String: Any])
        let entry = try #require(((har["log"] as? [String: Any])?["entries"] as? [[String: Any]])?.first)
        let harMessages = try #require(entry["_webSocketMessages"] as? [[String: Any]])
        #expect(harMessages.count == messages.count)
        #expect(harMessages.first?["type"] as? String == "receive" && harMessages.first?["opcode"] as? Int == 1)
        #expect(harMessages[1]["type"] as? String == "send" && harMessages[1]["data"] as? String == "hello realtime")
        #expect(entry["_resourceType"] as? String == "websocket")
    }

    @Test("an open session is listed from the 101 on and catches up with its messages; closing it completes the flow")
    func listedWhileOpen() async throws {
        let stack = try await Self.startStack()
        defer { Task { await stack.stop() } }
        let closeCode = Task { try await Self.session(stack, [Self.realtimeURL, "--hold", "3"])["close_code"] as? Int }
        // Open and quiet after session.created, "hello realtime" and its echo: the list says so within the
        // update interval, while the client still holds the socket.
        var open: [String: Any]?
        let deadline = ContinuousClock.now + .seconds(2.5)
        while ContinuousClock.now < deadline {
            let flow = try await stack.waitForFlows(1).first
            if let websocket = flow?["websocket"] as? [String: Any], websocket["messages"] as? Int == 3 { open = flow; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let flow = try #require(open, "the open session is listed with its first three messages")
        #expect((flow["websocket"] as? [String: Any])?["open"] as? Bool == true)
        #expect(flow["status"] as? Int == 101)
        #expect(flow["duration_ms"] is NSNull, "no duration while open")
        #expect((flow["response_bytes"] as? Int ?? 0) > 0, "the bytes so far")
        let id = try #require(flow["id"] as? String)
        let detail = try #require(try await stack.api("/api/flows/\(id)") as? [String: Any])
        let texts = ((detail["websocket"] as? [String: Any])?["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String }
        #expect(texts == [#"{"type":"session.created"}"#, "hello realtime", "hello realtime"])

        #expect(try await closeCode.value == 4001)
        let closed = try #require(try await Self.closedSession(stack))
        #expect(closed["id"] as? String == id, "the same flow, completed, not a second one")
        #expect((closed["websocket"] as? [String: Any])?["open"] as? Bool == false)
        #expect((closed["websocket"] as? [String: Any])?["messages"] as? Int == 14)
        #expect((closed["duration_ms"] as? Double ?? 0) > 3000)
        #expect(try await stack.waitForFlows(1).count == 1)
    }

    @Test("the same session through the gateway URL (ws:// to Sightline, wss:// to the provider)")
    func throughTheGateway() async throws {
        let stack = try await Self.startStack()
        defer { Task { await stack.stop() } }
        let url = "ws://127.0.0.1:\(stack.proxy.port)/v1/realtime?model=gpt-realtime"
        let client = try await Self.session(stack, [url, "--direct", "--header", "Sightline-Target-Url: https://api.openai.com"])
        #expect(client["first"] as? String == #"{"type":"session.created"}"#)
        #expect(client["big_echo_ok"] as? Bool == true)
        #expect(client["close_code"] as? Int == 4001)
        let flow = try #require(try await Self.closedSession(stack))
        #expect(flow["status"] as? Int == 101)
        #expect(flow["mode"] as? String == "gateway")
    }

    @Test("permessage-deflate negotiated end to end: relayed compressed, recorded inflated")
    func deflate() async throws {
        let stack = try await FullStack.start(upstreamFactory: { try PythonWebSocketUpstream(directory: $0) },
                                              mapRemote: ["https://api.openai.com"])
        defer { Task { await stack.stop() } }
        let client = try await Self.session(stack, [Self.realtimeURL, "--deflate"])
        #expect((client["extensions"] as? String)?.hasPrefix("permessage-deflate") == true, "the server agreed to compress")
        #expect(client["first"] as? String == #"{"type":"session.created"}"#)
        #expect(client["big_echo_ok"] as? Bool == true)
        #expect(client["close_code"] as? Int == 4001)
        let flow = try #require(try await Self.closedSession(stack))
        let detail = try #require(try await stack.api("/api/flows/\(flow["id"] as? String ?? "")") as? [String: Any])
        let messages = try #require((detail["websocket"] as? [String: Any])?["messages"] as? [[String: Any]])
        let texts = messages.filter { $0["opcode"] as? String == "text" }
        #expect(texts.first?["text"] as? String == #"{"type":"session.created"}"#)
        #expect(texts.contains { $0["text"] as? String == "hello realtime" && $0["compressed"] as? Bool == true })
        let big = try #require(texts.first { ($0["text"] as? String)?.count == 1 << 20 }, "the 1 MiB message is inflated whole")
        #expect((big["size"] as? Int ?? 0) < 1 << 16, "and it crossed the wire compressed")
    }

    @Test("a client that vanishes mid-session ends the upstream side too, and the session is recorded without a close")
    func clientVanishes() async throws {
        let stack = try await Self.startStack()
        defer { Task { await stack.stop() } }
        let client = try await Self.session(stack, [Self.realtimeURL, "--vanish"])
        #expect(client["first"] as? String == #"{"type":"session.created"}"#)
        let flow = try #require(try await Self.closedSession(stack), "recorded once both sides have closed")
        let detail = try #require(try await stack.api("/api/flows/\(flow["id"] as? String ?? "")") as? [String: Any])
        let websocket = try #require(detail["websocket"] as? [String: Any])
        #expect(websocket["close"] == nil || websocket["close"] is NSNull)
        #expect((websocket["messages"] as? [[String: Any]])?.count == 1)
    }

    @Test("the openai SDK's realtime.connect() through HTTPS_PROXY: deltas arrive as spaced as sent, the session reads as a call")
    func openAISDKRealtime() async throws {
        let stack = try await Self.pythonStack("--realtime")
        defer { Task { await stack.stop() } }
        let client = try await Self.client("openai_realtime.py", on: stack)
        #expect(client["text"] as? String == "Hello from the realtime server.")
        #expect(client["usage_output_tokens"] as? Int == 12)
        let gaps = client["delta_gaps_ms"] as? [Double] ?? []
        #expect(gaps.count == 4 && gaps.allSatisfy { $0 > 15 }, "streamed, not bunched: \(gaps)")

        let flow = try #require(try await Self.closedSession(stack))
        #expect(flow["provider"] as? String == "openai")
        #expect(flow["endpoint"] as? String == "realtime")
        #expect(flow["model"] as? String == "gpt-realtime-2025-08-28")
        #expect(flow["input_tokens"] as? Int == 45)
        #expect(flow["output_tokens"] as? Int == 12)
        #expect((flow["ttft_ms"] as? Double ?? 0) >= 30, "from response.create to the first delta")
        let detail = try #require(try await stack.api("/api/flows/\(flow["id"] as? String ?? "")") as? [String: Any])
        let conversation = try #require(detail["conversation"] as? [String: Any])
        #expect(conversation["system"] as? String == "You greet people.")
        let output = (conversation["output"] as? [[String: Any]])?.first?["parts"] as? [[String: Any]]
        #expect(output?.first?["text"] as? String == "Hello from the realtime server.")
        let text = String(decoding: try JSONSerialization.data(withJSONObject: detail), as: UTF8.self)
        #expect(!text.contains("sk-realtime-sdk-secret-5678wxyz"))
    }

    @Test("the google-genai SDK's live.connect() through HTTPS_PROXY: a tool call and a streamed answer read as a Gemini Live call")
    func geminiLiveSDK() async throws {
        let stack = try await Self.pythonStack("--gemini-live", origin: "https://generativelanguage.googleapis.com")
        defer { Task { await stack.stop() } }
        let client = try await Self.client("gemini_live.py", on: stack)
        #expect((client["calls"] as? [[String: Any]])?.first?["name"] as? String == "get_weather")
        #expect(client["text"] as? String == "It is sunny and 21 degrees in Paris.")
        #expect(client["turn_complete"] as? Bool == true)
        #expect((client["chunk_gaps_ms"] as? [Double] ?? []).allSatisfy { $0 > 15 }, "streamed, not bunched")

        let flow = try #require(try await Self.closedSession(stack))
        // As the SDK sends it (3.6 writes `//ws/…v1…`).
        let url = try #require(flow["url"] as? String)
        #expect(url.hasPrefix("https://generativelanguage.googleapis.com/") && url.hasSuffix(".GenerativeService.BidiGenerateContent"), "\(url)")
        #expect(flow["provider"] as? String == "gemini")
        #expect(flow["endpoint"] as? String == "live")
        #expect(flow["model"] as? String == "gemini-live-2.5-flash-preview")
        #expect(flow["input_tokens"] as? Int == 130)
        #expect(flow["output_tokens"] as? Int == 22)
        #expect(flow["finish_reason"] as? String == "turn_complete")
        #expect((flow["ttft_ms"] as? Double ?? 0) >= 25, "from the user's turn to the tool call")
        let detail = try #require(try await stack.api("/api/flows/\(flow["id"] as? String ?? "")") as? [String: Any])
        let conversation = try #require(detail["conversation"] as? [String: Any])
        #expect(conversation["system"] as? String == "You are a weather assistant. Be brief.")
        let roles = (conversation["messages"] as? [[String: Any]])?.compactMap { $0["role"] as? String }
        #expect(roles == ["user", "assistant", "tool"])
        let output = (conversation["output"] as? [[String: Any]])?.first?["parts"] as? [[String: Any]]
        #expect(output?.first?["text"] as? String == "It is sunny and 21 degrees in Paris.")
        let messages = try #require((detail["websocket"] as? [String: Any])?["messages"] as? [[String: Any]])
        #expect(messages.contains { $0["direction"] as? String == "server" && $0["opcode"] as? String == "binary"
            && ($0["text"] as? String)?.contains("setupComplete") == true }, "JSON in binary frames is shown as its text")
        let text = String(decoding: try JSONSerialization.data(withJSONObject: detail), as: UTF8.self)
        #expect(!text.contains("AIzaSyLiveSecret0123456789abcdefgh"), "the API key is redacted")
    }

    @Test("a Codex-style Responses turn over wss://…/v1/responses reads as a responses call")
    func responsesOverWebSocket() async throws {
        let stack = try await Self.pythonStack("--responses")
        defer { Task { await stack.stop() } }
        let client = try await Self.client("responses_websocket.py", on: stack)
        #expect(client["text"] as? String == "Hello from the realtime server.")
        #expect(client["completed"] as? Bool == true)
        let flow = try #require(try await Self.closedSession(stack))
        #expect(flow["endpoint"] as? String == "responses")
        #expect(flow["model"] as? String == "gpt-5-codex")
        #expect(flow["input_tokens"] as? Int == 30 && flow["output_tokens"] as? Int == 6)
        let detail = try #require(try await stack.api("/api/flows/\(flow["id"] as? String ?? "")") as? [String: Any])
        let conversation = try #require(detail["conversation"] as? [String: Any])
        #expect(conversation["system"] as? String == "You are Codex.")
        #expect(!String(decoding: try JSONSerialization.data(withJSONObject: detail), as: UTF8.self).contains("sk-codex-secret-abcd1234"))
    }

    @Test("a refused upgrade is relayed as the response it is, and later handshakes never take a used pooled connection")
    func refusedUpgrade() async throws {
        let stack = try await Self.startStack()
        defer { Task { await stack.stop() } }
        let client = try await Self.session(stack, ["wss://api.openai.com/refuse"])
        #expect(client["refused_status"] as? Int == 400)
        #expect(client["refused_body"] as? String == "refused")
        let flow = try #require(try await Self.closedSession(stack))
        #expect(flow["status"] as? Int == 400)
        // Plain requests leave their upstream connections idle in the pool. The server (NIO's upgrader)
        // upgrades only a connection's first request: the next handshakes must go on fresh ones. Two of each,
        // because client connections take turns on the proxy's event loops and each loop has its own pool.
        for _ in 0..<2 {
            let plain = try await runOffThePool("curl", ["-sS", "-x", stack.proxyURL, "--cacert", stack.caFile.path,
                                                         "https://api.openai.com/v1/models"])
            #expect(plain.stdoutText == "refused", "a plain request, answered on a keep-alive connection")
        }
        for _ in 0..<2 {
            let next = try await Self.session(stack, [Self.realtimeURL])
            #expect(next["text_echo"] as? String == "hello realtime", "the next handshake was upgraded: \(next)")
        }
    }
}
