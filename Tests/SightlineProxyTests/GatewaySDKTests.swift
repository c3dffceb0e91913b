import Foundation
import NIOHTTP1
import SightlineTestSupport
import Testing

/// The gateway (base-URL) face of the proxy port, driven by the official SDKs and LiteLLM as a user drives
/// them: `base_url=http://127.0.0.1:PORT/v1` (or `/openai/v1`, `/anthropic`, `/gemini`), no proxy settings, no
/// CA. The provider hosts the gateway targets are `--map-remote`d to `FixtureUpstream`, which answers with the
/// wire-format fixtures byte for byte. Each driver (`Tests/e2e/gateway_*.py`) prints what its SDK returned
/// and, through an httpx wiretap, the exact bytes it received and when; the test compares those with what the
/// fixture upstream sent and reads the flows back through the JSON API (and, for omit, the database file).
///
/// Costs are worked out by hand from `Sources/SightlineLLM/Resources/prices.json` (USD per million tokens).
@Suite(.serialized) struct GatewaySDKTests {
    static let enabled = TestPython.executable != nil || ProcessInfo.processInfo.environment["CI"] != nil

    // MARK: openai

    @Test(.enabled(if: GatewaySDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"),
          arguments: ["/v1", "/openai/v1"])
    func openAIChatThroughTheGateway(basePath: String) async throws {
        try await GatewayStack.with { g in
            let client = try await g.drive("gateway_openai.py", [g.url + basePath, "chat"])
            let fixtureBody = try Fixture.text("openai/chat-completions/response.json")
            let fixtureText = try #require(try Fixture.json("openai/chat-completions")["choices"]?[0]?["message"]?["content"]?.value as? String)
            #expect(client["text"] as? String == fixtureText)
            #expect(client["input_tokens"] as? Int == 1117)

            // Byte fidelity both ways: the upstream got the SDK's request as sent, on the provider's path and
            // without the gateway headers; the SDK got the fixture's bytes as the upstream sent them.
            let wire = try #require(Self.wire(client).first)
            let received = try #require(g.fixture.received.first)
            #expect(g.fixture.received.map(\.scenario) == ["openai/chat-completions"])
            #expect(received.head.uri == "/v1/chat/completions", "the /openai prefix is the gateway's, not the provider's")
            #expect(received.body == wire["request_body"] as? String)
            #expect(received.head.headers.first(name: "authorization") == "Bearer sk-test-gateway-key-7890")
            #expect(!received.head.headers.contains { $0.name.lowercased().hasPrefix("sightline-") || $0.name.lowercased().hasPrefix("helicone-") })
            #expect(wire["status"] as? Int == 200)
            #expect(wire["body"] as? String == fixtureBody)

            let flow = try #require(try await g.flows(1).first)
            let headers = wire["headers"] as? [String: String] ?? [:]
            #expect(headers["sightline-id"] == flow["id"] as? String, "the response names its flow")
            #expect(flow["mode"] as? String == "gateway")
            #expect(flow["url"] as? String == "https://api.openai.com/v1/chat/completions", "the provider's URL, not the gateway's or the mapped one")
            #expect(flow["host"] as? String == "api.openai.com")
            #expect(flow["upstream_url"] as? String == "https://localhost:\(g.fixture.port)/v1/chat/completions")
            #expect(flow["status"] as? Int == 200)
            #expect(flow["provider"] as? String == "openai")
            #expect(flow["endpoint"] as? String == "chat.completions")
            #expect(flow["model"] as? String == "gpt-4o-2024-08-06")
            #expect(flow["stream"] as? Bool == false)
            #expect(flow["input_tokens"] as? Int == 1117)
            #expect(flow["output_tokens"] as? Int == 46)
            #expect(flow["cached_input_tokens"] as? Int == 1024)
            // gpt-4o: (1117 − 1024) × 2.5 + 1024 × 1.25 + 46 × 10 = 1972.5 per million.
            Self.expectCost(flow, 0.0019725)

            let detail = try await g.detail(flow)
            #expect(SDKTests.header("authorization", in: detail, "request") == "Bearer ****7890")
            #expect((detail["response"] as? [String: Any])?["body"] as? String == fixtureBody)
            let conversation = try #require(detail["conversation"] as? [String: Any])
            #expect(conversation["system"] as? String == "You are a helpful assistant.")
            #expect(SDKTests.outputText(conversation) == fixtureText)
        }
    }

    @Test(.enabled(if: GatewaySDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"),
          arguments: ["/v1", "/openai/v1"])
    func openAIChatStreamThroughTheGateway(basePath: String) async throws {
        try await GatewayStack.with { g in
            let client = try await g.drive("gateway_openai.py", [g.url + basePath, "stream"])
            let fixtureBody = try Fixture.text("openai/chat-completions-stream/response.sse")
            let twin = try #require(try Fixture.json("openai/chat-completions")["choices"]?[0]?["message"]?["content"]?.value as? String)
            #expect(client["text"] as? String == twin)
            #expect(client["chunks"] as? Int == 10, "role chunk, 7 content chunks, finish chunk, usage chunk")
            #expect(client["input_tokens"] as? Int == 1117)
            #expect(client["output_tokens"] as? Int == 46)
            #expect(client["finish_reason"] as? String == "stop")

            let wire = try #require(Self.wire(client).first)
            #expect(g.fixture.received.map(\.scenario) == ["openai/chat-completions-stream"])
            #expect(g.fixture.received.first?.head.uri == "/v1/chat/completions")
            #expect(g.fixture.received.first?.body == wire["request_body"] as? String)
            #expect(wire["body"] as? String == fixtureBody, "the SSE bytes exactly as the upstream sent them")
            #expect((wire["headers"] as? [String: String])?["content-type"]?.hasPrefix("text/event-stream") == true)
            // Live: 11 events 20 ms apart reach the SDK as they come, not all at the end.
            Self.expectLive(wire["arrivals"], events: 11)
            Self.expectLive(client["arrivals"], events: 10)

            let flow = try #require(try await g.flows(1).first)
            #expect(flow["mode"] as? String == "gateway")
            #expect(flow["url"] as? String == "https://api.openai.com/v1/chat/completions")
            #expect(flow["provider"] as? String == "openai")
            #expect(flow["model"] as? String == "gpt-4o-2024-08-06")
            #expect(flow["stream"] as? Bool == true)
            #expect(flow["input_tokens"] as? Int == 1117)
            #expect(flow["output_tokens"] as? Int == 46)
            #expect(flow["truncated"] as? Bool == false)
            Self.expectCost(flow, 0.0019725)
            if let ttft = (flow["ttft_ms"] as? NSNumber)?.doubleValue {
                #expect(ttft >= 15, "the first text comes one 20 ms event after the role chunk")
            } else {
                Issue.record("ttft_ms is \(String(describing: flow["ttft_ms"]))")
            }

            let detail = try await g.detail(flow)
            let events = detail["events"] as? [[String: Any]] ?? []
            #expect(events.count == 11, "10 chunks and [DONE]")
            #expect(events.last?["data"] as? String == "[DONE]")
            #expect((detail["response"] as? [String: Any])?["body"] as? String == fixtureBody)
        }
    }

    // MARK: anthropic

    @Test(.enabled(if: GatewaySDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func anthropicMessagesAndStreamThroughTheGateway() async throws {
        try await GatewayStack.with { g in
            let text = try SDKTests.anthropicText("anthropic/messages")
            let plain = try await g.drive("gateway_anthropic.py", [g.url + "/anthropic", "messages"])
            #expect(plain["text"] as? String == text)
            #expect(plain["input_tokens"] as? Int == 25)
            let streamed = try await g.drive("gateway_anthropic.py", [g.url + "/anthropic", "stream"])
            #expect(streamed["text"] as? String == text)
            #expect(streamed["final_text"] as? String == text)
            #expect(streamed["output_tokens"] as? Int == 18)
            #expect(streamed["stop_reason"] as? String == "end_turn")

            #expect(g.fixture.received.map(\.scenario) == ["anthropic/messages", "anthropic/messages-stream"])
            #expect(g.fixture.received.map(\.head.uri) == ["/v1/messages", "/v1/messages"])
            let plainWire = try #require(Self.wire(plain).first)
            let streamWire = try #require(Self.wire(streamed).first)
            #expect(g.fixture.received.map(\.body) == [plainWire["request_body"] as? String ?? "", streamWire["request_body"] as? String ?? ""])
            #expect(plainWire["body"] as? String == (try Fixture.text("anthropic/messages/response.json")))
            #expect(streamWire["body"] as? String == (try Fixture.text("anthropic/messages-stream/response.sse")))
            // Liveness is judged on the wire the SDK read: anthropic 2.x's `text_stream` yields its text in one burst even
            // straight from a server pacing events 20 ms apart (no Sightline involved: 4 texts within 6 ms, measured).
            Self.expectLive(streamWire["arrivals"], events: 10)

            let flows = try await g.flows(2)
            try #require(flows.count == 2)
            for flow in flows {
                #expect(flow["mode"] as? String == "gateway")
                #expect(flow["url"] as? String == "https://api.anthropic.com/v1/messages")
                #expect(flow["provider"] as? String == "anthropic")
                #expect(flow["endpoint"] as? String == "messages")
                #expect(flow["model"] as? String == "claude-3-5-haiku-20241022")
                #expect(flow["input_tokens"] as? Int == 25)
                #expect(flow["output_tokens"] as? Int == 18)
                // claude-3-5-haiku: 25 × 0.8 + 18 × 4 = 92 per million.
                Self.expectCost(flow, 0.000092)
            }
            #expect(flows.map { $0["stream"] as? Bool } == [false, true])
            let detail = try await g.detail(flows[1])
            #expect((detail["events"] as? [Any])?.count == 10)
            for flow in flows {
                let detail = try await g.detail(flow)
                let headers = (detail["request"] as? [String: Any])?["headers"] as? [[String]] ?? []
                #expect(!headers.contains { $0.last?.contains("sk-ant-test-gateway-key-abcd") == true }, "\(headers)")
            }
        }
    }

    // MARK: google-genai

    @Test(.enabled(if: GatewaySDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func geminiStreamThroughTheGatewayWithHeaderAndQueryKeys() async throws {
        try await GatewayStack.with { g in
            let client = try await g.drive("gateway_genai.py", [g.url])
            let twin = try SDKTests.geminiText("gemini/generate-content-text")
            let fixtureBody = try Fixture.text("gemini/stream-generate-content-sse/response.sse")
            #expect(client["text"] as? String == twin)
            #expect(client["chunks"] as? Int == 3)
            #expect(client["output_tokens"] as? Int == 40)
            let queryKey = client["query_key"] as? [String: Any] ?? [:]
            #expect(queryKey["status"] as? Int == 200)
            #expect(queryKey["events"] as? Int == 3)
            #expect(queryKey["text"] as? String == twin)

            // Both reached the upstream as Gemini's own streaming route, each with its key as the client sent it.
            let received = g.fixture.received
            #expect(received.map(\.scenario) == ["gemini/stream-generate-content-sse", "gemini/stream-generate-content-sse"])
            try #require(received.count == 2)
            #expect(received[0].head.uri.hasSuffix("/models/gemini-2.0-flash:streamGenerateContent?alt=sse"), "\(received[0].head.uri)")
            #expect(!received[0].head.uri.hasPrefix("/gemini"))
            #expect(received[0].head.headers.first(name: "x-goog-api-key") == "AIza-test-gateway-genai-key-wxyz")
            #expect(received[1].head.uri == "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=AIza-test-gateway-query-key-qrst")
            #expect(!received[1].head.headers.contains { $0.name.lowercased().hasPrefix("helicone-") })
            let wire = Self.wire(client)
            try #require(wire.count == 2)
            for exchange in wire {
                #expect(exchange["body"] as? String == fixtureBody)
                Self.expectLive(exchange["arrivals"], events: 3)
            }

            let flows = try await g.flows(2)
            try #require(flows.count == 2)
            let sdkPath = received[0].head.uri
            #expect(flows[0]["url"] as? String == "https://generativelanguage.googleapis.com\(sdkPath)")
            #expect(flows[1]["url"] as? String
                    == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=****qrst")
            for flow in flows {
                #expect(flow["mode"] as? String == "gateway")
                #expect(flow["provider"] as? String == "gemini")
                #expect(flow["endpoint"] as? String == "streamGenerateContent")
                #expect(flow["model"] as? String == "gemini-2.0-flash")
                #expect(flow["stream"] as? Bool == true)
                #expect(flow["input_tokens"] as? Int == 8)
                #expect(flow["output_tokens"] as? Int == 40)
                // gemini-2.0-flash: 8 × 0.1 + 40 × 0.4 = 16.8 per million.
                Self.expectCost(flow, 0.0000168)
                #expect((flow["upstream_url"] as? String)?.contains("AIza-test") == false)
            }
            let headerDetail = try await g.detail(flows[0])
            #expect(SDKTests.header("x-goog-api-key", in: headerDetail, "request") == "****wxyz")
            let queryDetail = try await g.detail(flows[1])
            #expect((queryDetail["request"] as? [String: Any])?["url"] as? String == flows[1]["url"] as? String)
            for detail in [headerDetail, queryDetail] {
                #expect((detail["events"] as? [Any])?.count == 3)
                #expect(!Self.json(detail).contains("AIza-test-gateway"), "no key in any stored field")
            }
            // Nor anywhere in the database file.
            let stored = try g.databaseBytes()
            #expect(stored.range(of: Data("AIza-test-gateway-genai-key-wxyz".utf8)) == nil)
            #expect(stored.range(of: Data("AIza-test-gateway-query-key-qrst".utf8)) == nil)
        }
    }

    // MARK: LiteLLM (seed 002)

    @Test(.enabled(if: GatewaySDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func liteLLMWithPropertyAndUserHeaders() async throws {
        try await GatewayStack.with { g in
            let client = try await g.drive("gateway_litellm.py", [g.url])
            let fixtureText = try #require(try Fixture.json("openai/chat-completions")["choices"]?[0]?["message"]?["content"]?.value as? String)
            #expect(client["text"] as? String == fixtureText)
            #expect(client["input_tokens"] as? Int == 1117)

            #expect(g.fixture.received.map(\.scenario) == ["openai/chat-completions"])
            let received = try #require(g.fixture.received.first)
            #expect(received.head.uri == "/v1/chat/completions")
            #expect(received.body.contains("how does a court case get to the Supreme Court?"))
            let names = received.head.headers.map { $0.name.lowercased() }
            #expect(!names.contains { $0.hasPrefix("sightline-") || $0.hasPrefix("helicone-") }, "\(names)")

            let flow = try #require(try await g.flows(1).first)
            #expect(flow["mode"] as? String == "gateway")
            #expect(flow["url"] as? String == "https://api.openai.com/v1/chat/completions")
            #expect(flow["provider"] as? String == "openai")
            #expect(flow["model"] as? String == "gpt-4o-2024-08-06")
            #expect(flow["input_tokens"] as? Int == 1117)
            Self.expectCost(flow, 0.0019725)
            #expect(flow["user_id"] as? String == "u1")
            // The property's name is an HTTP header name, and those are case-insensitive: the openai SDK under
            // LiteLLM sends every header lower-cased (`helicone-property-hello`), as any HTTP/2 client must. The
            // stored name is the one on the wire; it is the same property as `Hello` all the same.
            let recorded = (try await g.detail(flow)["request"] as? [String: Any])?["headers"] as? [[String]] ?? []
            let sent = try #require(recorded.first { $0.first?.lowercased() == "helicone-property-hello" }?.first, "\(recorded)")
            #expect((flow["properties"] as? [String: String]) == [String(sent.dropFirst("helicone-property-".count)): "World"])

            // Filterable by the name as the seed writes it, and by any other spelling of the same header name.
            let id = try #require(flow["id"] as? String)
            #expect(try await g.listed("property.Hello=World") == [id], "property names are header names: case-insensitive")
            #expect(try await g.listed("property.hello=World") == [id])
            #expect(try await g.listed("property.HELLO=World") == [id])
            #expect(try await g.listed("property.Hello=Mars") == [])
            #expect(try await g.listed("user=u1") == [id])
            #expect(try await g.listed("user=u2") == [])
        }
    }

    // MARK: Features with a real SDK

    @Test(.enabled(if: GatewaySDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func cacheMissThenHitWithTheOpenAISDK() async throws {
        try await GatewayStack.with { g in
            let client = try await g.drive("gateway_openai.py", [g.url + "/v1", "cache"])
            let fixtureText = try #require(try Fixture.json("openai/chat-completions")["choices"]?[0]?["message"]?["content"]?.value as? String)
            let calls = client["calls"] as? [[String: Any]] ?? []
            try #require(calls.count == 2)
            let headers = calls.map { $0["headers"] as? [String: String] ?? [:] }
            #expect(calls.map { $0["status"] as? Int } == [200, 200])
            #expect(headers.map { $0["sightline-cache"] } == ["MISS", "HIT"])
            #expect(headers[0]["sightline-cache-key"] != nil)
            #expect(headers[1]["sightline-cache-key"] == headers[0]["sightline-cache-key"])
            #expect(calls.map { $0["text"] as? String } == [fixtureText, fixtureText], "the SDK parses the hit as it parsed the miss")
            let wire = Self.wire(client)
            #expect(wire.map { $0["body"] as? String } == Array(repeating: try Fixture.text("openai/chat-completions/response.json"), count: 2))
            #expect(g.fixture.received.count == 1, "the hit never reached the upstream")

            let flows = try await g.flows(2)
            try #require(flows.count == 2)
            let (miss, hit) = (flows[0], flows[1])
            #expect(headers.map { $0["sightline-id"] } == flows.map { $0["id"] as? String })
            #expect(Self.gateway(miss)["cache"] as? String == "MISS")
            #expect(Self.gateway(hit)["cache"] as? String == "HIT")
            #expect(Self.gateway(hit)["cache_key"] as? String == headers[0]["sightline-cache-key"])
            Self.expectCost(miss, 0.0019725)
            #expect((hit["cost_usd"] as? NSNumber)?.doubleValue == 0, "a hit costs nothing: \(String(describing: hit["cost_usd"]))")
            let saved = (Self.gateway(hit)["saved_cost_usd"] as? NSNumber)?.doubleValue
            #expect(saved != nil && saved == (miss["cost_usd"] as? NSNumber)?.doubleValue, "saved \(String(describing: saved))")
            // The hit is still understood: the same model and tokens as the call it stands in for.
            #expect(hit["mode"] as? String == "gateway")
            #expect(hit["model"] as? String == "gpt-4o-2024-08-06")
            #expect(hit["input_tokens"] as? Int == 1117)
            #expect(hit["output_tokens"] as? Int == 46)
        }
    }

    @Test(.enabled(if: GatewaySDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func omitRequestLeavesThePromptNowhereInTheStore() async throws {
        try await GatewayStack.with { g in
            // A phrase that exists only in this run's omitted prompt, and a control phrase sent without omit
            // that must be found, so that not finding the first means something.
            let secret = "omitted-prompt-phrase-\(UUID().uuidString.lowercased())"
            let control = "kept-prompt-phrase-\(UUID().uuidString.lowercased())"
            let omitted = try await g.drive("gateway_openai.py", [g.url + "/v1", "omit", secret])
            _ = try await g.drive("gateway_openai.py", [g.url + "/v1", "plain", control])
            #expect(omitted["status"] as? Int == 200)
            #expect(omitted["input_tokens"] as? Int == 1117)
            #expect(g.fixture.received.count == 2)
            #expect(g.fixture.received.first?.body.contains(secret) == true, "the prompt itself went upstream")

            let flows = try await g.flows(2)
            try #require(flows.count == 2)
            let flow = flows[0]
            #expect(flow["id"] as? String == (omitted["headers"] as? [String: String])?["sightline-id"])
            #expect(flow["mode"] as? String == "gateway")
            #expect(flow["provider"] as? String == "openai")
            #expect(flow["model"] as? String == "gpt-4o-2024-08-06")
            #expect(flow["input_tokens"] as? Int == 1117)
            #expect(flow["output_tokens"] as? Int == 46)
            Self.expectCost(flow, 0.0019725)
            let detail = try await g.detail(flow)
            let request = detail["request"] as? [String: Any] ?? [:]
            #expect(request["omitted"] as? Bool == true)
            #expect(!Self.json(detail).contains(secret))
            #expect(try await g.listed("q=\(secret)") == [])
            #expect(try await g.listed("q=\(control)") == [flows[1]["id"] as? String ?? "-"], "full-text search finds a kept prompt")

            // Everything is committed once the API lists it; the phrase is in neither the file nor its WAL.
            let stored = try g.databaseBytes()
            #expect(stored.range(of: Data(control.utf8)) != nil, "the control phrase is stored: the search can find prompts")
            #expect(stored.range(of: Data(secret.utf8)) == nil, "the omitted prompt is in the database file or its WAL")
        }
    }

    @Test(.enabled(if: GatewaySDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func retriesPastTwo503sWithTheSDKsOwnRetriesOff() async throws {
        try await GatewayStack.with { g in
            let client = try await g.drive("gateway_openai.py", [g.url + "/v1", "retry"])
            let fixtureText = try #require(try Fixture.json("openai/chat-completions")["choices"]?[0]?["message"]?["content"]?.value as? String)
            #expect(client["status"] as? Int == 200)
            #expect(client["text"] as? String == fixtureText)
            let headers = client["headers"] as? [String: String] ?? [:]
            #expect(headers["sightline-attempts"] == "3")
            // With max_retries=0 the SDK made one request; Sightline made the attempts.
            #expect(Self.wire(client).count == 1)
            #expect(g.fixture.received.count == 1, "the two 503s were injected, the third attempt went upstream")

            let flow = try #require(try await g.flows(1).first)
            #expect(flow["status"] as? Int == 200)
            #expect(flow["mode"] as? String == "gateway")
            Self.expectCost(flow, 0.0019725)
            let attempts = Self.gateway(flow)["attempts"] as? [[String: Any]] ?? []
            #expect(attempts.count == 3, "\(attempts)")
            #expect(attempts.map { $0["status"] as? Int } == [503, 503, 200])
            let times = attempts.compactMap { ($0["t_ms"] as? NSNumber)?.doubleValue }
            #expect(times == times.sorted())
            // Back-off of about 50 ms then 100 ms (±20%) between the attempts: within bounds, not instantaneous.
            if times.count == 3 {
                #expect(times[1] - times[0] >= 35 && times[1] - times[0] < 1000, "\(times)")
                #expect(times[2] - times[0] >= 100 && times[2] - times[0] < 2000, "\(times)")
            }
            #expect(Self.gateway(flow)["injected_fault"] as? String == "status=503;times=2")
        }
    }

    // MARK: Helpers

    static func wire(_ client: [String: Any]) -> [[String: Any]] {
        client["wire"] as? [[String: Any]] ?? []
    }

    static func gateway(_ flow: [String: Any]) -> [String: Any] {
        flow["gateway"] as? [String: Any] ?? [:]
    }

    static func json(_ value: Any) -> String {
        (try? JSONSerialization.data(withJSONObject: value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    static func expectCost(_ flow: [String: Any], _ expected: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let cost = (flow["cost_usd"] as? NSNumber)?.doubleValue else {
            Issue.record("cost_usd is \(String(describing: flow["cost_usd"])), expected \(expected)", sourceLocation: sourceLocation)
            return
        }
        #expect(abs(cost - expected) <= expected * 1e-9, "cost_usd \(cost) ≠ \(expected)", sourceLocation: sourceLocation)
    }

    /// Arrival times (seconds) of a stream paced by the fixture upstream at 20 ms per event: spread over
    /// most of the pacing, so the events came as they were sent and were not held to the end.
    static func expectLive(_ arrivals: Any?, events: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let times = arrivals as? [Double] ?? []
        guard let first = times.first, let last = times.last, times.count >= 2 else {
            Issue.record("too few arrivals to judge: \(times)", sourceLocation: sourceLocation)
            return
        }
        let paced = Double(events - 1) * 0.020
        #expect(last - first >= paced * 0.5, "arrivals \(times) span less than half of \(paced) s", sourceLocation: sourceLocation)
    }
}

/// A fresh in-process stack (proxy → recorder → SQLite → API) with `FixtureUpstream` behind the provider
/// hosts, for clients that use the proxy port as their base URL.
struct GatewayStack {
    let stack: FullStack

    var url: String { stack.proxyURL }
    var fixture: FixtureUpstream { stack.extraUpstream as! FixtureUpstream }

    static func with(_ body: (GatewayStack) async throws -> Void) async throws {
        let stack = try await FullStack.start(upstreamFactory: { try await FixtureUpstream(directory: $0) }, mapRemote: SDKRun.providerOrigins)
        do {
            try await body(GatewayStack(stack: stack))
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }

    /// The client's environment: no proxy, no base-URL or key overrides, nothing trusted beyond the system.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy", "no_proxy",
                    "OPENAI_BASE_URL", "OPENAI_API_BASE", "ANTHROPIC_BASE_URL", "GOOGLE_GEMINI_BASE_URL", "GEMINI_API_KEY",
                    "GOOGLE_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "SSL_CERT_FILE",
                    "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"] {
            environment.removeValue(forKey: key)
        }
        environment["NO_PROXY"] = "127.0.0.1,localhost"
        environment["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
        return environment
    }

    /// Runs a driver and returns the JSON line it printed.
    func drive(_ script: String, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let python = try #require(TestPython.executable, "no Python with the SDKs: run .ci/run or set SIGHTLINE_TEST_PYTHON",
                                  sourceLocation: sourceLocation)
        let result = try await runOffThePool(python, [TestPython.script(script)] + arguments, environment: environment)
        let received = fixture.received.map { "\($0.head.method) \($0.head.uri) → \($0.scenario ?? "404")" }
        try #require(result.status == 0, "\(script) \(arguments) exited \(result.status); the upstream received \(received):\n\(result.stderr)",
                     sourceLocation: sourceLocation)
        let line = result.stdoutText.split(separator: "\n").last.map(String.init) ?? ""
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                            "\(script) printed \(result.stdoutText)", sourceLocation: sourceLocation)
    }

    /// The flows, oldest first, once at least `count` are listed.
    func flows(_ count: Int) async throws -> [[String: Any]] {
        Array(try await stack.waitForFlows(count).reversed())
    }

    func detail(_ flow: [String: Any]) async throws -> [String: Any] {
        try #require(try await stack.api("/api/flows/\(flow["id"] as? String ?? "")") as? [String: Any])
    }

    /// The ids `GET /api/flows?<query>` lists.
    func listed(_ query: String) async throws -> [String] {
        let page = try await stack.api("/api/flows?\(query)") as? [String: Any]
        return (page?["flows"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    /// The database file and its write-ahead log, byte for byte, as they are on disk.
    func databaseBytes() throws -> Data {
        let path = stack.directory.appendingPathComponent("data/flows.sqlite").path
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for suffix in ["-wal", "-journal"] {
            if let more = FileManager.default.contents(atPath: path + suffix) { bytes.append(more) }
        }
        return bytes
    }
}
