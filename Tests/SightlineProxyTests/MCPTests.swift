import Foundation
import SightlineTestSupport
import Testing

/// MCP over streamable HTTP through Sightline, as a user runs it: a real MCP server (`Tests/e2e/mcp_server.py`,
/// the `mcp` SDK's FastMCP) and the SDK's own client (`Tests/e2e/mcp_client.py`: initialize, tools/list, three
/// tools/call, DELETE), three ways: through the gateway (the client's URL is Sightline's, the server named by
/// `Sightline-Target-Url`) with FastMCP answering as SSE; through the forward proxy (absolute-form HTTP) with
/// FastMCP answering as JSON; and on an intercepted HTTPS host (CONNECT). Each time the client must get the
/// tools' results, and the flows, read back through `GET /api/flows` and `GET /api/flows/{id}`, must say what
/// the session did.
@Suite(.serialized) struct MCPTests {
    static let enabled = TestPython.executable != nil || ProcessInfo.processInfo.environment["CI"] != nil

    @Test(.enabled(if: MCPTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func sessionThroughTheGatewayWithSSEAnswers() async throws {
        let server = try PythonMCPServer()
        defer { server.close() }
        let stack = try await FullStack.start()
        do {
            let client = try await Self.drive([stack.proxyURL + "/mcp", "--target", server.origin], stack: stack)
            try await Self.expectSession(client, stack: stack, mode: "gateway", streamed: true)
            // Streaming stays streaming: get_weather logs, waits 300 ms, then answers, on one SSE response. Had the
            // gateway held the stream to its end, the log would have reached the client with the answer.
            let logged = try #require((client["logged_at"] as? [Double])?.first)
            let answered = try #require(client["weather_at"] as? Double)
            #expect(answered - logged >= 0.2, "the log came \(answered - logged) s before the answer")
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }

    @Test(.enabled(if: MCPTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func sessionThroughTheForwardProxyWithJSONAnswers() async throws {
        let server = try PythonMCPServer(json: true)
        defer { server.close() }
        let stack = try await FullStack.start()
        do {
            let client = try await Self.drive([server.url, "--proxy", stack.proxyURL], stack: stack)
            try await Self.expectSession(client, stack: stack, mode: "proxy", streamed: false)
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }

    /// An MCP server on a host Sightline intercepts (here `api.openai.com`, mapped to the HTTPS server): the
    /// client goes through CONNECT, trusting Sightline's CA. The shape of the traffic, not the host, makes it MCP.
    @Test(.enabled(if: MCPTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func sessionOnAnInterceptedHost() async throws {
        let stack = try await FullStack.start(upstreamFactory: { try PythonMCPServer(tlsIn: $0) }, mapRemote: ["https://api.openai.com"])
        do {
            let client = try await Self.drive(["https://api.openai.com/mcp", "--proxy", stack.proxyURL, "--ca", stack.caFile.path],
                                              stack: stack)
            try await Self.expectSession(client, stack: stack, mode: "proxy", streamed: true)
            let flows = try await stack.waitForFlows(8)
            #expect(flows.allSatisfy { $0["url"] as? String == "https://api.openai.com/mcp" }, "\(flows.map { $0["url"] ?? "" })")
        } catch {
            await stack.stop()
            throw error
        }
        await stack.stop()
    }

    /// Runs the client and returns the JSON line it printed.
    static func drive(_ arguments: [String], stack: FullStack) async throws -> [String: Any] {
        let python = try #require(TestPython.executable)
        var environment = ProcessInfo.processInfo.environment
        for key in ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy", "all_proxy"] {
            environment.removeValue(forKey: key)
        }
        let result = try await runOffThePool(python, [TestPython.script("mcp_client.py")] + arguments, environment: environment)
        try #require(result.status == 0, "mcp_client.py \(arguments) exited \(result.status):\n\(result.stderr)")
        let line = result.stdoutText.split(separator: "\n").last.map(String.init) ?? ""
        return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "printed \(result.stdoutText)")
    }

    /// What the client got, and the session's eight flows as the API gives them back.
    static func expectSession(_ client: [String: Any], stack: FullStack, mode: String, streamed: Bool) async throws {
        // The client got the server's answers through Sightline.
        #expect(client["tools"] as? [String] == ["add", "divide", "get_weather"])
        #expect(client["add"] as? [String] == ["5"])
        #expect((client["divide"] as? [String: Any])?["is_error"] as? Bool == true)
        #expect(client["weather"] as? [String] == ["Sunny, 21 °C in Lisbon"])
        let sessionID = try #require(client["session_id"] as? String)
        let server = try #require(client["server"] as? [String: String])
        #expect(server["name"] == "sightline-test-tools")

        // initialize, notifications/initialized, the GET stream, tools/list, three tools/call, the DELETE. The GET
        // stream is recorded once the client closes it, at the end of the session.
        let flows = try await stack.waitForFlows(8, timeout: .seconds(15))
        let endpoints = flows.compactMap { $0["endpoint"] as? String }.sorted()
        #expect(endpoints == ["initialize", "notifications/initialized", "session.delete", "session.stream",
                              "tools/call", "tools/call", "tools/call", "tools/list"], "\(flows.map { ($0["method"], $0["endpoint"]) })")
        var details: [String: [[String: Any]]] = [:]
        for flow in flows {
            #expect(flow["provider"] as? String == "mcp", "\(flow["method"] ?? "") \(flow["url"] ?? "")")
            #expect(flow["mode"] as? String == mode)
            #expect(flow["model"] == nil || flow["model"] is NSNull)
            #expect(flow["cost_usd"] == nil || flow["cost_usd"] is NSNull)
            let detail = try #require(try await stack.api("/api/flows/\(flow["id"] as? String ?? "")") as? [String: Any])
            let mcp = try #require(detail["mcp"] as? [String: Any], "\(flow["endpoint"] ?? "") has no mcp detail")
            #expect(mcp["session_id"] as? String == sessionID, "every call of the session names it")
            details[flow["endpoint"] as? String ?? "", default: []].append(detail)
        }

        let initialize = try #require(details["initialize"]?.first)
        // One session, one thread: it starts at `initialize` (whose answer names the session), and each later call
        // continues the one recorded before it.
        #expect(Set(flows.compactMap { $0["thread_id"] as? String }) == [initialize["id"] as? String ?? "?"], "\(flows.map { $0["thread_id"] ?? "nil" })")
        #expect(flows.filter { $0["parent_id"] is NSNull || $0["parent_id"] == nil }.map { $0["endpoint"] as? String } == ["initialize"])
        let initMCP = initialize["mcp"] as? [String: Any] ?? [:]
        #expect(initMCP["method"] as? String == "initialize")
        #expect(initMCP["id"] as? Int == 0)
        #expect(((initMCP["params"] as? [String: Any])?["clientInfo"] as? [String: Any])?["name"] as? String == "mcp")
        #expect(initMCP["server"] as? [String: String] == server, "serverInfo as the client saw it")
        #expect(initMCP["protocol_version"] as? String == client["protocol_version"] as? String)
        #expect(initMCP["error"] == nil)

        let notification = try #require(details["notifications/initialized"]?.first)
        #expect(notification["status"] as? Int == 202)
        let noteMCP = notification["mcp"] as? [String: Any] ?? [:]
        #expect(noteMCP["method"] as? String == "notifications/initialized")
        #expect(noteMCP["result"] == nil && noteMCP["error"] == nil)

        let list = try #require(details["tools/list"]?.first)
        let listTools = ((list["conversation"] as? [String: Any])?["tools"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(listTools == ["add", "divide", "get_weather"])

        // Each tool call reads as an LLM tool call: the call with its arguments, the result with its text.
        let calls = details["tools/call"] ?? []
        func call(_ name: String) -> (call: [String: Any], result: [String: Any], detail: [String: Any])? {
            for detail in calls {
                let conversation = detail["conversation"] as? [String: Any] ?? [:]
                let callPart = ((conversation["messages"] as? [[String: Any]])?.first?["parts"] as? [[String: Any]])?.first ?? [:]
                guard callPart["name"] as? String == name else { continue }
                let resultPart = ((conversation["output"] as? [[String: Any]])?.first?["parts"] as? [[String: Any]])?.first ?? [:]
                return (callPart, resultPart, detail)
            }
            return nil
        }
        let add = try #require(call("add"))
        #expect(add.call["type"] as? String == "tool_call")
        let arguments = try JSONSerialization.jsonObject(with: Data((add.call["arguments"] as? String ?? "").utf8)) as? [String: Int]
        #expect(arguments == ["a": 2, "b": 3])
        #expect(add.result["type"] as? String == "tool_result")
        #expect(add.result["text"] as? String == "5")
        #expect(add.result["is_error"] as? Bool == false)
        #expect(add.detail["tool_call_count"] as? Int == 1)
        #expect(add.detail["stream"] as? Bool == streamed)
        let addMCP = add.detail["mcp"] as? [String: Any] ?? [:]
        #expect(addMCP["method"] as? String == "tools/call")
        #expect((addMCP["params"] as? [String: Any])?["name"] as? String == "add")
        let addContent = (addMCP["result"] as? [String: Any])?["content"] as? [[String: Any]]
        #expect(addContent?.first?["text"] as? String == "5")

        let divide = try #require(call("divide"))
        #expect(divide.result["is_error"] as? Bool == true)
        #expect((divide.result["text"] as? String)?.contains("division by zero") == true)

        let weather = try #require(call("get_weather"))
        #expect(weather.result["text"] as? String == "Sunny, 21 °C in Lisbon")
        let notes = (weather.detail["mcp"] as? [String: Any])?["notifications"] as? [[String: Any]] ?? []
        if streamed {
            #expect(notes.first?["method"] as? String == "notifications/message", "the log the server sent before its answer")
            #expect((weather.detail["events"] as? [Any])?.count == 2, "the log and the answer, each an SSE event")
        } else {
            // A JSON answer has room for the answer only: FastMCP drops the log.
            #expect(notes.isEmpty)
        }

        #expect(details["session.stream"]?.first?["method"] as? String == "GET")
        #expect(details["session.delete"]?.first?["method"] as? String == "DELETE")
    }
}
