import Foundation
import SightlineTestSupport
import Testing

/// The OpenTelemetry export as a team would use it: the built binary started with the standard `OTEL_*`
/// variables pointing at a real OTLP/HTTP receiver (`otlp_receiver.py`, decoding the protobuf with the
/// official bindings), the official SDKs calling the real API hosts through `HTTPS_PROXY`, those hosts mapped
/// to `FixtureUpstream`. What the receiver decoded is checked against the flows the API serves.
@Suite(.serialized) struct OpenTelemetryTests {
    static let traceID = "0af7651916cd43dd8448eb211c80319c"
    static let parentSpanID = "b7ad6b7169203331"
    /// Every key the clients below send, none of which may reach the collector in any form.
    static let keys = ["sk-test-sdk-stream-key-7890", "sk-ant-test-messages-key-abcd", "AIza-test-genai-key-wxyz",
                       "sk-test-otel-traced-key-4242", "sk-test-otel-curl-key-1357"]

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func everyLLMCallIsASpanWithTheGenAIAttributesAndTheMetrics() async throws {
        let stack = try await OTelStack.start(environment: ["OTEL_SERVICE_NAME": "team-gateway"])
        defer { stack.stop() }
        #expect(stack.sightline.banner.otel.hasPrefix("spans \(stack.receiver.endpoint)/v1/traces, metrics \(stack.receiver.endpoint)/v1/metrics"),
                "start says where spans go: \(stack.sightline.banner.otel)")
        #expect(stack.sightline.banner.otel.contains("without message content") && stack.sightline.banner.otel.contains("team-gateway"))
        try await stack.python("openai_sdk_chat_stream.py")
        try await stack.python("anthropic_messages.py")
        try await stack.python("genai_generate.py", ["GEMINI_API_KEY": "AIza-test-genai-key-wxyz"])
        try await stack.python("otel_traced_call.py", ["TRACEPARENT": "00-\(Self.traceID)-\(Self.parentSpanID)-01"])
        // Not a route the fixture upstream serves: the provider answers 404.
        let failed = try stack.curl(["-H", "Authorization: Bearer sk-test-otel-curl-key-1357", "-H", "Content-Type: application/json",
                                     "-d", #"{"model":"gpt-3.5-turbo-instruct","prompt":"Say this is a test"}"#,
                                     "https://api.openai.com/v1/completions"])
        #expect(failed == "404")
        // Not an LLM call: recorded, but no span.
        _ = try stack.curl(["https://api.openai.com/v1/models/gpt-4o"])

        let flows = try await stack.flows(count: 6)
        try await stack.receiver.wait { $0.spans.count >= 5 }
        let spans = stack.receiver.spans
        #expect(spans.count == 5, "one span per LLM call, none for the model lookup: \(spans.map { $0["name"] ?? "" })")
        func span(_ endpoint: String, stream: Bool = false) throws -> [String: Any] {
            let flow = try #require(flows.first { $0["endpoint"] as? String == endpoint && $0["stream"] as? Bool == stream })
            return try #require(spans.first { attributes($0)["sightline.flow.id"] as? String == flow["id"] as? String },
                                "a span for the \(endpoint) flow")
        }

        // The streamed OpenAI chat: every attribute the conventions name, with the fixture's values.
        let chat = try span("chat.completions", stream: true)
        let chatFlow = try #require(flows.first { $0["id"] as? String == attributes(chat)["sightline.flow.id"] as? String })
        #expect(chat["name"] as? String == "chat gpt-4o")
        #expect(chat["kind"] as? Int == 3, "SPAN_KIND_CLIENT")
        // The SDK hangs up after `[DONE]`, before the upstream's last bytes: the flow notes it, the trace has no failure.
        #expect((chat["status"] as? [String: Any])?["code"] as? Int != 2, "\(String(describing: chat["status"]))")
        let a = attributes(chat)
        #expect(a["gen_ai.operation.name"] as? String == "chat")
        #expect(a["gen_ai.provider.name"] as? String == "openai")
        #expect(a["gen_ai.request.model"] as? String == "gpt-4o")
        #expect(a["gen_ai.response.model"] as? String == "gpt-4o-2024-08-06")
        #expect(a["gen_ai.response.id"] as? String == "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG")
        #expect(a["gen_ai.response.finish_reasons"] as? [String] == ["stop"])
        #expect(a["gen_ai.usage.input_tokens"] as? Int == 1117)
        #expect(a["gen_ai.usage.output_tokens"] as? Int == 46)
        #expect(a["gen_ai.usage.cache_read.input_tokens"] as? Int == 1024)
        #expect(a["gen_ai.request.stream"] as? Bool == true)
        #expect(a["gen_ai.request.temperature"] as? Double == 0.2)
        #expect(a["gen_ai.request.max_tokens"] as? Int == 300)
        #expect(a["server.address"] as? String == "api.openai.com")
        #expect(a["server.port"] as? Int == 443)
        #expect(a["http.response.status_code"] as? Int == 200)
        #expect((a["gen_ai.response.time_to_first_chunk"] as? Double ?? 0) > 0)
        #expect((a["sightline.cost_usd"] as? Double).map { abs($0 - 0.0019725) < 1e-9 } == true)
        #expect((a["sightline.flow.url"] as? String)?.hasSuffix("/#/flows/\(chatFlow["id"] as? String ?? "")") == true)
        // Timed as the flow: it started when the flow did and lasted as long.
        let startMs = Double(chat["start"] as? Int ?? 0) / 1e6
        let endMs = Double(chat["end"] as? Int ?? 0) / 1e6
        #expect(abs(startMs - milliseconds(chatFlow["started_at"])) < 1)
        #expect(abs((endMs - startMs) - (chatFlow["duration_ms"] as? Double ?? -1)) < 1)
        #expect(chat["parent_span_id"] as? String == "", "no traceparent, no session: a new trace")
        #expect(a["gen_ai.input.messages"] == nil && a["gen_ai.output.messages"] == nil && a["gen_ai.system_instructions"] == nil,
                "no content unless asked for")

        let anthropic = attributes(try span("messages"))
        #expect(anthropic["gen_ai.provider.name"] as? String == "anthropic")
        #expect(anthropic["gen_ai.request.model"] as? String == "claude-3-5-haiku-20241022")
        #expect((anthropic["gen_ai.response.id"] as? String)?.hasPrefix("msg_") == true)
        #expect(anthropic["gen_ai.usage.input_tokens"] as? Int == 25)
        #expect(anthropic["gen_ai.request.max_tokens"] as? Int == 1024)
        #expect(anthropic["gen_ai.request.stream"] as? Bool == false)

        let gemini = try span("generateContent")
        #expect(gemini["name"] as? String == "generate_content gemini-2.0-flash")
        #expect(attributes(gemini)["gen_ai.provider.name"] as? String == "gcp.gemini")
        #expect(attributes(gemini)["server.address"] as? String == "generativelanguage.googleapis.com")

        // Joined to the app's trace: the traceparent the SDK sent names the parent, and reached the provider unchanged.
        let traced = try #require(spans.first { $0["trace_id"] as? String == Self.traceID }, "a span in the app's trace")
        #expect(traced["parent_span_id"] as? String == Self.parentSpanID)
        #expect(traced["trace_state"] as? String == "vendor=opaque")
        #expect(stack.upstream.received.contains { $0.head.headers["traceparent"].first == "00-\(Self.traceID)-\(Self.parentSpanID)-01" })

        // The failed call: status ERROR, error.type the HTTP status.
        let failure = try span("completions")
        #expect(failure["name"] as? String == "text_completion gpt-3.5-turbo-instruct")
        #expect((failure["status"] as? [String: Any])?["code"] as? Int == 2, "STATUS_CODE_ERROR")
        #expect(attributes(failure)["error.type"] as? String == "404")
        #expect(attributes(failure)["http.response.status_code"] as? Int == 404)

        #expect(spans.allSatisfy { ($0["resource"] as? [String: Any])?["service.name"] as? String == "team-gateway" })
        #expect(stack.receiver.requests.allSatisfy { $0["content_type"] as? String == "application/x-protobuf" })

        // The metrics: token usage by type and the operation duration, with the provider and model.
        try await stack.receiver.wait { receiver in
            let usage = receiver.latestMetrics.first { $0["name"] as? String == "gen_ai.client.token.usage" }
            return (usage?["points"] as? [[String: Any]] ?? []).count >= 8
        }
        let metrics = stack.receiver.latestMetrics
        let usage = try #require(metrics.first { $0["name"] as? String == "gen_ai.client.token.usage" })
        #expect(usage["type"] as? String == "histogram")
        let points = usage["points"] as? [[String: Any]] ?? []
        func tokens(_ provider: String, _ type: String) -> Double? {
            let matching = points.filter {
                let p = $0["attributes"] as? [String: Any] ?? [:]
                return p["gen_ai.provider.name"] as? String == provider && p["gen_ai.token.type"] as? String == type
            }
            return matching.isEmpty ? nil : matching.reduce(0) { $0 + ($1["sum"] as? Double ?? 0) }
        }
        #expect(tokens("anthropic", "input") == 25)
        #expect(tokens("gcp.gemini", "output") == 40)
        #expect(tokens("openai", "input") ?? 0 >= 1117)
        let duration = try #require(metrics.first { $0["name"] as? String == "gen_ai.client.operation.duration" })
        let durationPoints = duration["points"] as? [[String: Any]] ?? []
        #expect(durationPoints.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 5)
        #expect(durationPoints.contains { ($0["attributes"] as? [String: Any])?["error.type"] as? String == "404" })
        #expect(metrics.contains { $0["name"] as? String == "gen_ai.client.operation.time_to_first_chunk" })

        // No key in any form, in the bytes on the wire or the decoded spans and metrics.
        let decoded = try String(contentsOf: stack.receiver.output, encoding: .utf8)
        for key in Self.keys {
            #expect(stack.receiver.raw.range(of: Data(key.utf8)) == nil, "\(key) reached the collector")
            #expect(!decoded.contains(String(key.suffix(8))), "part of \(key) reached the collector")
        }
        let stats = try #require(try stack.api("/api/stats")["telemetry"] as? [String: Any])
        #expect(stats["spans"] as? Int == 5)
        #expect(stats["dropped_spans"] as? Int == 0)
    }

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func contentIsExportedOnlyWhenAskedInTheConventionsShape() async throws {
        let stack = try await OTelStack.start(environment: ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "true"])
        defer { stack.stop() }
        try await stack.python("anthropic_tools.py")
        _ = try await stack.flows(count: 1)
        try await stack.receiver.wait { !$0.spans.isEmpty }
        let a = attributes(try #require(stack.receiver.spans.first))
        let input = try #require(json(a["gen_ai.input.messages"]) as? [[String: Any]])
        #expect(input.first?["role"] as? String == "user")
        let firstPart = (input.first?["parts"] as? [[String: Any]])?.first
        #expect(firstPart?["type"] as? String == "text")
        #expect(firstPart?["content"] as? String == "What is the weather like in San Francisco?")
        let system = try #require(json(a["gen_ai.system_instructions"]) as? [[String: Any]])
        #expect(system.first?["content"] as? String == "You are a weather assistant.")
        let output = try #require(json(a["gen_ai.output.messages"]) as? [[String: Any]])
        #expect(output.first?["role"] as? String == "assistant")
        #expect(output.first?["finish_reason"] as? String == "tool_use")
        let call = (output.first?["parts"] as? [[String: Any]])?.first { $0["type"] as? String == "tool_call" }
        #expect(call?["name"] as? String == "get_weather")
        #expect(call?["arguments"] is [String: Any], "arguments as an object, as the conventions ask")
        let tools = try #require(json(a["gen_ai.tool.definitions"]) as? [[String: Any]])
        #expect(tools.first?["type"] as? String == "function")
        #expect(tools.first?["name"] as? String == "get_weather")
        #expect(tools.first?["parameters"] is [String: Any])
        #expect(stack.receiver.raw.range(of: Data("sk-ant-test-tools-key-abcd".utf8)) == nil)
    }

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func aSlowCollectorDelaysSpansAndNothingElse() async throws {
        // Each export waits 3 s for its answer; calls go on meanwhile and every span arrives in the end.
        let stack = try await OTelStack.start(environment: [:], receiverDelay: 3)
        defer { stack.stop() }
        for index in 0..<20 {
            let status = try stack.curl(["-H", "Content-Type: application/json",
                                         "-d", #"{"model":"gpt-4o","messages":[{"role":"user","content":"call \#(index)"}]}"#,
                                         "https://api.openai.com/v1/chat/completions"])
            #expect(status == "200")
        }
        #expect(try await stack.flows(count: 20).count == 20)
        try await stack.receiver.wait(timeout: .seconds(40)) { $0.spans.count >= 20 }
        #expect(stack.receiver.spans.count == 20)
        #expect(try stack.api("/api/stats")["telemetry"].flatMap { ($0 as? [String: Any])?["dropped_spans"] as? Int } == 0)
    }

    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func aCollectorThatIsDownCostsDroppedSpansAndNothingElse() async throws {
        // Nothing listens on the port the receiver had: every export fails.
        let stack = try await OTelStack.start(environment: ["OTEL_BSP_EXPORT_TIMEOUT": "1000"], collectorDown: true)
        defer { stack.stop() }
        for index in 0..<20 {
            let status = try stack.curl(["-H", "Authorization: Bearer sk-test-otel-curl-key-1357", "-H", "Content-Type: application/json",
                                         "-d", #"{"model":"gpt-4o","messages":[{"role":"user","content":"call \#(index)"}]}"#,
                                         "https://api.openai.com/v1/chat/completions"])
            #expect(status == "200")
        }
        let flows = try await stack.flows(count: 20)
        #expect(flows.count == 20, "every call recorded")
        var telemetry: [String: Any] = [:]
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while ContinuousClock.now < deadline {
            telemetry = try stack.api("/api/stats")["telemetry"] as? [String: Any] ?? [:]
            if telemetry["dropped_spans"] as? Int == 20 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(telemetry["spans"] as? Int == 20)
        #expect(telemetry["dropped_spans"] as? Int == 20, "the spans a down collector did not take are counted: \(telemetry)")
        #expect(telemetry["export_errors"] as? Int ?? 0 >= 1)
    }

    private func attributes(_ span: [String: Any]) -> [String: Any] { span["attributes"] as? [String: Any] ?? [:] }

    private func json(_ value: Any?) -> Any? {
        (value as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
    }

    private func milliseconds(_ value: Any?) -> Double {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return ((value as? String).flatMap(formatter.date(from:))?.timeIntervalSince1970 ?? 0) * 1000
    }
}

/// The fixture upstream, the receiver and the built binary exporting to it, with the provider hosts mapped.
struct OTelStack {
    let directory: URL
    let upstream: FixtureUpstream
    let receiver: OTLPReceiver
    let sightline: StartedSightline
    let data: String

    static func start(environment extra: [String: String], collectorDown: Bool = false, receiverDelay: Double = 0) async throws -> OTelStack {
        let directory = try makeTemporaryDirectory("sightline-otel")
        let upstream = try await FixtureUpstream(directory: directory)
        let receiver = try OTLPReceiver(directory: directory, delay: receiverDelay)
        if collectorDown { receiver.stop() }
        let data = directory.appendingPathComponent("data").path
        var arguments = ["--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--data-dir", data, "--log-level", "warning",
                         "--upstream-ca", upstream.caFile.path]
        for origin in SDKRun.providerOrigins { arguments += ["--map-remote", "\(origin)=https://localhost:\(upstream.port)"] }
        let environment = cleanEnvironment([
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_METRIC_EXPORT_INTERVAL": "300",
        ].merging(extra) { $1 })
        let sightline = try StartedSightline.start(arguments, environment: environment)
        return OTelStack(directory: directory, upstream: upstream, receiver: receiver, sightline: sightline, data: data)
    }

    func stop() {
        sightline.terminateIfRunning()
        receiver.stop()
        let upstream = upstream, directory = directory
        Task {
            await upstream.close()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    var clientEnvironment: [String: String] {
        var environment = cleanEnvironment(["HTTPS_PROXY": sightline.proxy, "SSL_CERT_FILE": data + "/ca-bundle.pem"])
        for key in ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"] {
            environment.removeValue(forKey: key)
        }
        return environment
    }

    func python(_ script: String, _ extra: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let python = try #require(TestPython.executable)
        let result = try await runOffThePool(python, [TestPython.script(script)], environment: clientEnvironment.merging(extra) { $1 })
        try #require(result.status == 0, "\(script) exited \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
    }

    /// A call through the proxy; returns the HTTP status curl saw.
    func curl(_ arguments: [String]) throws -> String {
        let result = try run("curl", ["--max-time", "10", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-x", sightline.proxy,
                                      "--cacert", data + "/ca-cert.pem"] + arguments)
        return result.stdoutText
    }

    func api(_ path: String) throws -> [String: Any] {
        let result = try curlAPI(sightline.ui, path)
        return (try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]) ?? [:]
    }

    /// The flows once `count` are recorded (the recorder writes in batches, off the data path).
    func flows(count: Int) async throws -> [[String: Any]] {
        var flows: [[String: Any]] = []
        let deadline = ContinuousClock.now.advanced(by: .seconds(15))
        while ContinuousClock.now < deadline {
            flows = try api("/api/flows")["flows"] as? [[String: Any]] ?? []
            if flows.count >= count { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return flows
    }
}
