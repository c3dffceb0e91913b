import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SightlineCore
import SightlineLLM
import SightlineStore
import SightlineTestSupport
import Testing
@testable import SightlineWeb

/// The JSON API and the files of the UI, in-process (HummingbirdTesting) over a real proxy → recorder → store.
@Suite(.serialized) struct WebAPITests {
    static let ui: HTTPFields = [HTTPField.Name("X-Sightline-UI")!: "1"]

    func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        let data = Data(buffer: buffer)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(String(decoding: data, as: UTF8.self))")
    }

    static var toolRequest: [String: Any] { [
        "model": "gpt-4o-mini",
        "messages": [["role": "system", "content": "You are a weather bot."], ["role": "user", "content": "Weather in Paris?"]],
        "tools": [["type": "function", "function": ["name": "get_weather", "description": "Current weather",
                                                    "parameters": ["type": "object", "properties": ["city": ["type": "string"]]]]]],
    ] }

    static var toolResultRequest: [String: Any] {
        var request = toolRequest
        request["messages"] = (toolRequest["messages"] as! [[String: Any]]) + [
            ["role": "assistant", "content": NSNull(), "tool_calls": [["id": "call_weather_1", "type": "function",
                                                                       "function": ["name": "get_weather", "arguments": #"{"city":"Paris"}"#]]]],
            ["role": "tool", "tool_call_id": "call_weather_1", "content": #"{"temp_c":18,"sky":"sunny"}"#],
        ]
        return request
    }

    @Test func uiFilesAreServedWithTypesCachingAndAContentSecurityPolicy() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await stack.application().test(.router) { client in
            let etag = try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                let csp = try #require(response.headers[.contentSecurityPolicy])
                #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"))
                #expect(response.headers[.cacheControl] == "no-cache")
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(String(buffer: response.body).contains("/ui/js/app.js"))
                return try #require(response.headers[.eTag])
            }
            try await client.execute(uri: "/", method: .get, headers: [.ifNoneMatch: etag]) { response in
                #expect(response.status == .notModified)
            }
            try await client.execute(uri: "/ui/js/app.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
            }
            try await client.execute(uri: "/ui/app.css", method: .get) { response in
                #expect(response.headers[.contentType] == "text/css; charset=utf-8")
            }
            try await client.execute(uri: "/ui/vendor/purify.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "public, max-age=86400")
            }
            try await client.execute(uri: "/ui/vendor/marked.LICENSE", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/ui/../../Package.swift", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func stateChangingCallsFromAnotherSiteAreRefused() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await stack.application().test(.live) { client in
            let port = client.port!
            try await client.execute(uri: "/api/reload", method: .post, headers: [.origin: "http://localhost:\(port + 1)"]) { response in
                #expect(response.status == .forbidden, "another port is another origin")
            }
            try await client.execute(uri: "/api/reload", method: .post, headers: [.origin: "http://evil.example"]) { response in
                #expect(response.status == .forbidden)
                let body = try json(response.body)
                #expect(body["error"] as? String == "request from another origin refused")
            }
            try await client.execute(uri: "/api/reload", method: .post, headers: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"]) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/api/flows/\(FlowID.make())/replay", method: .post, headers: [.origin: "null"]) { response in
                #expect(response.status == .forbidden)
            }
            // HummingbirdTesting's live client sends `Host: localhost`: this page's own origin.
            try await client.execute(uri: "/api/reload", method: .post,
                                     headers: [.origin: "http://localhost", HTTPField.Name("Sec-Fetch-Site")!: "same-origin"]) { response in
                #expect(response.status == .ok)
            }
            // Scripts and curl send no Origin: they are not a browser another site can drive.
            try await client.execute(uri: "/api/reload", method: .post) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/cache", method: .delete, headers: [.origin: "http://evil.example"]) { response in
                #expect(response.status == .forbidden, "emptying the cache is state-changing too")
            }
            try await client.execute(uri: "/api/cache", method: .delete) { response in
                #expect(response.status == .noContent)
            }
        }
    }

    @Test func aLoopbackUIRefusesOtherHostNames() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        // DNS rebinding: a page whose name now resolves to 127.0.0.1 still sends its own Host.
        let rebound = try await runOffThePool("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: rebind.evil.example",
                                                            "\(stack.uiURL)/api/flows"])
        #expect(rebound.stdoutText == "403")
        let local = try await runOffThePool("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://localhost:\(stack.uiPort)/api/flows"])
        #expect(local.stdoutText == "200")
    }

    @Test func aPasswordGuardsTheAPIAndLoginSetsAStrictHttpOnlyCookie() async throws {
        let stack = try await WebStack.start(password: "s3cret-pass")
        defer { Task { await stack.stop() } }
        try await stack.application(loopbackOnly: false).test(.router) { client in
            try await client.execute(uri: "/api/flows", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] != nil)
            }
            try await client.execute(uri: "/api/flows", method: .get, headers: Self.ui) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == nil, "the UI shows its own form, not the browser's dialog")
            }
            try await client.execute(uri: "/metrics", method: .get) { response in #expect(response.status == .unauthorized) }
            try await client.execute(uri: "/", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/ui/js/app.js", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/api/login", method: .post, body: ByteBuffer(string: #"{"password":"nope"}"#)) { response in
                #expect(response.status == .unauthorized)
            }
            let cookie = try await client.execute(uri: "/api/login", method: .post, body: ByteBuffer(string: #"{"password":"s3cret-pass"}"#)) { response in
                #expect(response.status == .ok)
                return try #require(response.headers[.setCookie])
            }
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            let pair = String(cookie.split(separator: ";")[0])
            try await client.execute(uri: "/api/flows", method: .get, headers: [.cookie: pair]) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/api/flows", method: .get, headers: [.authorization: "Bearer s3cret-pass"]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func flowListFiltersSearchesPagesAndHonoursATimeWindow() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await stack.chat(["model": "gpt-4o-mini", "messages": [["role": "user", "content": "tell me about aardvark habitats"]]])
        try await stack.chat(["model": "gpt-4o", "messages": [["role": "user", "content": "a haiku about lighthouses"]]])
        try await stack.chat(["model": "gpt-4o-mini", "stream": true, "messages": [["role": "user", "content": "count to three"]]])
        #expect(try await stack.waitForFlows(3).count == 3)
        try await stack.application().test(.router) { client in
            try await client.execute(uri: "/api/flows?model=gpt-4o", method: .get) { response in
                let flows = try json(response.body)["flows"] as? [[String: Any]] ?? []
                #expect(flows.count == 1)
                #expect(flows.first?["model"] as? String == "gpt-4o")
                #expect(flows.first?["provider"] as? String == "openai")
            }
            try await client.execute(uri: "/api/flows?q=aardvark", method: .get) { response in
                let flows = try json(response.body)["flows"] as? [[String: Any]] ?? []
                #expect(flows.count == 1)
            }
            let first = try await client.execute(uri: "/api/flows?limit=2", method: .get) { response in try json(response.body) }
            #expect((first["flows"] as? [[String: Any]])?.count == 2)
            let next = try #require(first["next"] as? String)
            try await client.execute(uri: "/api/flows?limit=2&before=\(next)", method: .get) { response in
                let page = try json(response.body)
                #expect((page["flows"] as? [[String: Any]])?.count == 1)
                #expect(page["next"] is NSNull)
            }
            let future = APITime.string(from: Date().addingTimeInterval(3600))
            let past = APITime.string(from: Date().addingTimeInterval(-3600))
            try await client.execute(uri: "/api/flows?since=\(future)", method: .get) { response in
                let page = try json(response.body)
                #expect((page["flows"] as? [[String: Any]])?.count == 0)
            }
            try await client.execute(uri: "/api/flows?until=\(past)", method: .get) { response in
                let page = try json(response.body)
                #expect((page["flows"] as? [[String: Any]])?.count == 0)
            }
            try await client.execute(uri: "/api/flows?since=\(past)&tunnels=hide", method: .get) { response in
                let page = try json(response.body)
                #expect((page["flows"] as? [[String: Any]])?.count == 3)
            }
            try await client.execute(uri: "/api/flows?since=yesterday", method: .get) { response in
                #expect(response.status == .badRequest)
                let body = try json(response.body)
                #expect(body["error"] is String)
            }
        }
    }

    @Test func errorKindIsInTheSummaryAndTheDetailAndFiltersTheList() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        let builder = FlowRecordBuilder(analyzer: LLMAnalyzer(prices: PriceTable.load(userFile: nil)))
        let now = Date()
        let reset = ProxyCaptures.failed(.upstreamReset, at: now.addingTimeInterval(-3))
        let gone = ProxyCaptures.failed(.clientGone, at: now.addingTimeInterval(-2))
        let fine = ProxyCaptures.answered(at: now.addingTimeInterval(-1))
        try await stack.store.insert([reset, gone, fine].map(builder.build))
        try await stack.application().test(.router) { client in
            try await client.execute(uri: "/api/flows?error_kind=upstream_reset", method: .get) { response in
                #expect(response.status == .ok)
                let flows = try json(response.body)["flows"] as? [[String: Any]] ?? []
                #expect(flows.map { $0["id"] as? String } == [reset.id.description])
                #expect(flows.first?["error_kind"] as? String == "upstream_reset")
                #expect(flows.first?["error"] as? String == reset.error)
            }
            try await client.execute(uri: "/api/flows", method: .get) { response in
                let flows = try json(response.body)["flows"] as? [[String: Any]] ?? []
                #expect(flows.count == 3)
                #expect(flows.first { $0["id"] as? String == gone.id.description }?["error_kind"] as? String == "client_gone")
                #expect(flows.first { $0["id"] as? String == fine.id.description }?["error_kind"] is NSNull,
                        "a flow that did not fail has an explicit null")
            }
            try await client.execute(uri: "/api/flows/\(gone.id)", method: .get) { response in
                let detail = try json(response.body)
                #expect(detail["error_kind"] as? String == "client_gone")
                #expect(detail["error"] as? String == gone.error)
            }
            try await client.execute(uri: "/api/flows/\(gone.id)/har", method: .get) { response in
                let log = try #require(try json(response.body)["log"] as? [String: Any])
                let entry = try #require((log["entries"] as? [[String: Any]])?.first)
                #expect(entry["_error_kind"] as? String == "client_gone", "beside _error")
                #expect(entry["_error"] as? String == gone.error)
            }
            try await client.execute(uri: "/api/flows?error_kind=connection_reset", method: .get) { response in
                #expect(response.status == .badRequest, "an unknown word is not silently every flow")
                let message = try json(response.body)["error"] as? String ?? ""
                #expect(message.contains("upstream_reset"), "\(message)")
            }
            try await client.execute(uri: "/api/export.jsonl?error_kind=client_gone", method: .get) { response in
                let lines = String(buffer: response.body).split(separator: "\n")
                #expect(lines.count == 1 && lines.first?.contains(gone.id.description) == true)
            }
        }
    }

    @Test func dashboardCountsErrorsByKindAndTellsUpstreamFailuresFromClientsThatLeft() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        let builder = FlowRecordBuilder(analyzer: LLMAnalyzer(prices: PriceTable.load(userFile: nil)))
        let now = Date()
        let captures = [
            ProxyCaptures.failed(.upstreamReset, at: now.addingTimeInterval(-6)),
            ProxyCaptures.failed(.upstreamReset, at: now.addingTimeInterval(-5)),
            ProxyCaptures.failed(.upstreamTimeout, at: now.addingTimeInterval(-4)),
            ProxyCaptures.failed(.clientGone, at: now.addingTimeInterval(-3)),
            ProxyCaptures.answered(status: 500, at: now.addingTimeInterval(-2)),
            ProxyCaptures.answered(at: now.addingTimeInterval(-1)),
        ]
        try await stack.store.insert(captures.map(builder.build))
        try await stack.application().test(.router) { client in
            try await client.execute(uri: "/api/dashboard", method: .get) { response in
                let d = try json(response.body)
                let totals = try #require(d["totals"] as? [String: Any])
                #expect(totals["calls"] as? Int == 6)
                #expect(totals["errors"] as? Int == 5, "the four with an error and the 500")
                #expect(totals["errors_by_kind"] as? [String: Int] == ["upstream_reset": 2, "upstream_timeout": 1, "client_gone": 1])
                #expect(totals["upstream_errors"] as? Int == 3)
                #expect(totals["client_disconnects"] as? Int == 1)
                for name in ["by_model", "over_time"] {
                    let groups = d[name] as? [[String: Any]] ?? []
                    #expect(groups.allSatisfy { $0["errors_by_kind"] is [String: Int] }, "\(name)")
                    #expect(groups.reduce(0) { $0 + ($1["upstream_errors"] as? Int ?? 0) } == 3, "\(name)")
                    #expect(groups.reduce(0) { $0 + ($1["client_disconnects"] as? Int ?? 0) } == 1, "\(name)")
                }
            }
            try await client.execute(uri: "/api/dashboard?error_kind=client_gone", method: .get) { response in
                let totals = try #require(try json(response.body)["totals"] as? [String: Any])
                #expect(totals["calls"] as? Int == 1)
                #expect(totals["upstream_errors"] as? Int == 0)
            }
            try await client.execute(uri: "/api/dashboard?error_kind=reset", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test func flowDetailCarriesTheConversationWithToolCallAndResult() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await stack.chat(Self.toolResultRequest)
        let flow = try #require(try await stack.waitForFlows(1).first)
        try await stack.application().test(.router) { client in
            try await client.execute(uri: "/api/flows/\(flow.id)", method: .get) { response in
                let detail = try json(response.body)
                let conversation = try #require(detail["conversation"] as? [String: Any])
                #expect(conversation["system"] as? String == "You are a weather bot.")
                let parts = (conversation["messages"] as? [[String: Any]] ?? []).flatMap { $0["parts"] as? [[String: Any]] ?? [] }
                #expect(parts.contains { $0["type"] as? String == "tool_call" && $0["name"] as? String == "get_weather" && $0["id"] as? String == "call_weather_1" })
                #expect(parts.contains { $0["type"] as? String == "tool_result" && $0["id"] as? String == "call_weather_1" })
                let request = try #require(detail["request"] as? [String: Any])
                let headers = request["headers"] as? [[String]] ?? []
                #expect(headers.first { $0[0].lowercased() == "authorization" }?[1] == "Bearer ****7890")
            }
            try await client.execute(uri: "/api/flows/\(flow.id)/curl", method: .get) { response in
                #expect(String(buffer: response.body).hasPrefix("curl -X 'POST' 'https://api.openai.com/v1/chat/completions'")
                        || String(buffer: response.body).hasPrefix("curl"))
            }
            try await client.execute(uri: "/api/flows/\(flow.id)/har", method: .get) { response in
                let log = try #require(try json(response.body)["log"] as? [String: Any])
                #expect((log["entries"] as? [Any])?.count == 1)
            }
            try await client.execute(uri: "/api/flows/not-an-id", method: .get) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/api/flows/\(FlowID.make())", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func aSessionTreeNestsItsPathsWithTotalsThatIncludeTheirChildren() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        let hi: [String: Any] = ["model": "gpt-4o", "messages": [["role": "user", "content": "hi"]]]
        for path in ["/plan", "/plan/search", "/plan/search", "/answer"] {
            _ = try await stack.chat(hi, headers: ["Sightline-Session-Id": "trip-7", "Sightline-Session-Path": path, "Sightline-Session-Name": "Trip"])
        }
        _ = try await stack.chat(hi, headers: ["Sightline-Session-Id": "trip-7"])
        _ = try await stack.chat(hi, headers: ["Sightline-Session-Id": "another"])
        let flows = try await stack.waitForFlows(6).filter { $0.sessionID == "trip-7" }
        let perCall = try #require(flows.first?.inputTokens)
        #expect(perCall > 0 && flows.count == 5)
        try await stack.application().test(.router) { client in
            let session = try await client.execute(uri: "/api/sessions/trip-7", method: .get) { try json($0.body) }
            #expect(session["id"] as? String == "trip-7" && session["name"] as? String == "Trip")
            #expect(session["calls"] as? Int == 5 && session["input_tokens"] as? Int == 5 * perCall)
            let tree = session["tree"] as? [[String: Any]] ?? []
            #expect(tree.map { $0["path"] as? String } == ["/", "/plan", "/answer"], "the pathless call at the root, then first seen")
            let plan = try #require(tree.first { $0["path"] as? String == "/plan" })
            #expect(plan["calls"] as? Int == 3 && (plan["flows"] as? [String])?.count == 1, "its own call, and its children's")
            #expect(plan["input_tokens"] as? Int == 3 * perCall)
            let search = try #require((plan["children"] as? [[String: Any]])?.first)
            #expect(search["path"] as? String == "/plan/search" && (search["flows"] as? [String])?.count == 2 && search["calls"] as? Int == 2)
            let planSpan = try #require((plan["duration_ms"] as? NSNumber)?.doubleValue)
            #expect(planSpan >= (search["duration_ms"] as? NSNumber)?.doubleValue ?? .infinity, "a node spans its children")
            let all = Set(flows.map(\.id.description))
            func ids(_ node: [String: Any]) -> [String] {
                let children = node["children"] as? [[String: Any]] ?? []
                return (node["flows"] as? [String] ?? []) + children.flatMap(ids)
            }
            let listed = Set(tree.flatMap(ids))
            #expect(listed == all, "every call of the session once, in the node of its path")
            try await client.execute(uri: "/api/sessions/no-such-session", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func dashboardSessionsAndMetricsAggregateTheRecordedCalls() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await stack.chat(Self.toolRequest, headers: ["Sightline-Session-Id": "run-42", "Sightline-Session-Path": "/plan", "Sightline-Session-Name": "Trip planner"])
        try await stack.chat(Self.toolResultRequest, headers: ["Sightline-Session-Id": "run-42", "Sightline-Session-Path": "/plan/weather"])
        try await stack.chat(["model": "gpt-4o", "messages": [["role": "user", "content": "hi"]]])
        #expect(try await stack.waitForFlows(3).count == 3)
        try await stack.application().test(.router) { client in
            try await client.execute(uri: "/api/dashboard", method: .get) { response in
                let d = try json(response.body)
                let totals = try #require(d["totals"] as? [String: Any])
                #expect(totals["calls"] as? Int == 3)
                #expect(totals["errors"] as? Int == 0)
                #expect(totals["p50_ms"] is NSNumber)
                #expect((totals["input_tokens"] as? Int ?? 0) > 0)
                #expect((totals["cost_usd"] as? NSNumber)?.doubleValue ?? 0 > 0)
                let models = (d["by_model"] as? [[String: Any]] ?? []).map { $0["key"] as? String ?? "" }
                #expect(models.count == 2)
                #expect(models.contains("gpt-4o"))
                let buckets = d["over_time"] as? [[String: Any]] ?? []
                #expect(buckets.reduce(0) { $0 + ($1["calls"] as? Int ?? 0) } == 3)
                #expect(d["source"] as? String == "rollups", "no filter: read from the per-minute rollups")
                // A filter reads the flows themselves: the same figures either way.
                let scanned = try await client.execute(uri: "/api/dashboard?mode=proxy", method: .get) { try json($0.body) }
                #expect(scanned["source"] as? String == "flows")
                let scannedTotals = try #require(scanned["totals"] as? [String: Any])
                for name in ["calls", "errors", "input_tokens", "output_tokens", "p50_ms", "p95_ms", "cost_usd"] {
                    #expect((scannedTotals[name] as? NSNumber)?.doubleValue == (totals[name] as? NSNumber)?.doubleValue, "\(name)")
                }
            }
            try await client.execute(uri: "/api/sessions", method: .get) { response in
                let sessions = try json(response.body)["sessions"] as? [[String: Any]] ?? []
                #expect(sessions.count == 1)
                #expect(sessions.first?["id"] as? String == "run-42")
                #expect(sessions.first?["name"] as? String == "Trip planner")
                #expect(sessions.first?["calls"] as? Int == 2)
                let scanned = try await client.execute(uri: "/api/sessions?mode=proxy", method: .get) { try json($0.body) }
                let same = scanned["sessions"] as? [[String: Any]] ?? []
                #expect(scanned["source"] as? String == "flows" && same.count == 1)
                for name in ["calls", "input_tokens", "output_tokens", "first_started_at", "models"] {
                    #expect("\(same.first?[name] ?? "")" == "\(sessions.first?[name] ?? "-")", "\(name)")
                }
                let durations = [same.first, sessions.first].compactMap { ($0?["duration_ms"] as? NSNumber)?.doubleValue }
                #expect(durations.count == 2 && abs(durations[0] - durations[1]) < 0.001, "\(durations)")
            }
        }
        // The metrics follow the recorder's feed, which is asynchronous: poll briefly.
        var text = ""
        for _ in 0..<100 {
            text = try await stack.application().test(.router) { client in
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                    return String(buffer: response.body)
                }
            }
            break
        }
        #expect(text.contains("# TYPE sightline_flows_total counter"))
        #expect(text.contains("sightline_recorder_queue_depth 0"))
        #expect(text.contains("sightline_recorder_dropped_total 0"))
        #expect(text.contains("sightline_stored_flows 3"))
    }

    @Test func metricsCountFlowsByProviderAndStatusWithALatencyHistogram() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        // The server's own metrics start counting when it starts: make the calls after.
        try await stack.application().test(.router) { client in
            try await stack.chat(["model": "gpt-4o-mini", "messages": [["role": "user", "content": "one"]]])
            try await stack.chat(["model": "gpt-4o-mini", "messages": [["role": "user", "content": "two"]]])
            _ = try await stack.waitForFlows(2)
            var text = ""
            let deadline = ContinuousClock.now + .seconds(5)
            repeat {
                text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                if text.contains(#"sightline_flows_total{provider="openai",status="200"} 2"#) { break }
                try await Task.sleep(for: .milliseconds(25))
            } while ContinuousClock.now < deadline
            #expect(text.contains(#"sightline_flows_total{provider="openai",status="200"} 2"#), "\(text)")
            #expect(text.contains(#"sightline_flow_duration_seconds_bucket{provider="openai",le="+Inf"} 2"#))
            #expect(text.contains(#"sightline_flow_duration_seconds_count{provider="openai"} 2"#))
            #expect(text.contains(#"sightline_response_bytes_total{provider="openai"}"#))
            #expect(text.contains("sightline_recorder_recorded_total 2"))
        }
    }

    @Test func metricsFollowTheRecorderAndCountErrorsByKind() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await stack.application().test(.router) { client in
            // As the proxy hands captures over: through the recorder, whose feed the metrics follow.
            for capture in [ProxyCaptures.failed(.upstreamReset), ProxyCaptures.failed(.upstreamReset),
                            ProxyCaptures.failed(.clientGone), ProxyCaptures.answered()] {
                stack.recorder.record(capture)
            }
            var text = ""
            let deadline = ContinuousClock.now + .seconds(5)
            repeat {
                text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                if text.contains("sightline_recorder_recorded_total 4"), text.contains(#"{kind="client_gone"} 1"#) { break }
                try await Task.sleep(for: .milliseconds(25))
            } while ContinuousClock.now < deadline
            #expect(text.contains(#"sightline_flow_errors_total{kind="upstream_reset"} 2"#), "\(text)")
            #expect(text.contains(#"sightline_flow_errors_total{kind="client_gone"} 1"#))
            #expect(text.contains(#"sightline_flow_errors_total{kind="upstream_timeout"} 0"#))
            let upstream = text.split(separator: "\n").filter { $0.hasPrefix("sightline_upstream_errors_total{") }
                .compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
            #expect(upstream.reduce(0, +) == 2, "the two resets, not the client that left")
            let stats = try await client.execute(uri: "/api/stats", method: .get) { try json($0.body) }
            #expect(stats["flows"] as? Int == 4 && (stats["recorder"] as? [String: Any])?["recorded"] as? Int == 4)
            let health = try await client.execute(uri: "/api/stats?count=false", method: .get) { try json($0.body) }
            #expect(health["flows"] == nil && (health["recorder"] as? [String: Any])?["recorded"] as? Int == 4, "the UI's poll: no count")
        }
    }

    @Test func replaySendsTheEditedRequestThroughTheProxyAsANewFlow() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await stack.chat(["model": "gpt-4o-mini", "messages": [["role": "user", "content": "original question"]]])
        let original = try #require(try await stack.waitForFlows(1).first)
        try await stack.application().test(.live) { client in
            let edited = #"{"body": "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"edited question\"}]}"}"#
            let answer = try await client.execute(uri: "/api/flows/\(original.id)/replay", method: .post, body: ByteBuffer(string: edited)) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                return try json(response.body)
            }
            let newID = try #require((answer["id"] as? String).flatMap(FlowID.init))
            #expect(newID != original.id)
            #expect(answer["status"] as? Int == 200)
            #expect(answer["recorded"] as? Bool == true)
            let replayed = try #require(try await stack.store.flow(id: newID))
            #expect(replayed.summary.properties["Replay-Of"] == original.id.description)
            #expect(replayed.summary.error == nil)
            #expect(replayed.summary.status == 200)
            #expect(replayed.summary.url == "https://api.openai.com/v1/chat/completions")
            #expect(replayed.conversation?.output.first?.parts.first?.text == "You said: edited question")
            // Without edits the recorded request goes again as it was.
            let again = try await client.execute(uri: "/api/flows/\(original.id)/replay", method: .post) { try json($0.body) }
            let repeatID = try #require((again["id"] as? String).flatMap(FlowID.init))
            #expect(try await stack.store.flow(id: repeatID)?.conversation?.output.first?.parts.first?.text == "You said: original question")
            #expect(try await stack.store.flowCount() == 3)
        }
    }

    @Test func caCertificateDownloadsAsPEMAndDERAndOpenAPIListsEveryRoute() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        try await stack.application().test(.router) { client in
            let pem = try await client.execute(uri: "/api/ca.pem", method: .get) { String(buffer: $0.body) }
            #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
            try await client.execute(uri: "/api/ca.cer", method: .get) { response in
                #expect(response.headers[.contentType] == "application/pkix-cert")
                let base64 = pem.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
                #expect(Data(buffer: response.body) == Data(base64Encoded: base64))
                #expect(response.body.getInteger(at: 0, as: UInt8.self) == 0x30) // a DER SEQUENCE
            }
            try await client.execute(uri: "/api/openapi.json", method: .get) { response in
                let doc = try json(response.body)
                #expect(doc["openapi"] as? String == "3.1.0")
                let paths = Set((doc["paths"] as? [String: Any] ?? [:]).keys)
                let routes: Set<String> = [
                    "/api/flows", "/api/flows/{id}", "/api/flows/{id}/curl", "/api/flows/{id}/har", "/api/flows/{id}/replay",
                    "/api/export.har", "/api/export.jsonl", "/api/events", "/api/sessions", "/api/dashboard", "/api/stats",
                    "/api/info", "/api/ca.pem", "/api/ca.cer", "/api/reload", "/api/login", "/api/logout", "/api/openapi.json", "/metrics",
                    "/api/cache", "/api/sessions/{id}", "/api/flows/{id}/diff",
                ]
                #expect(paths == routes)
                // The documented words are exactly the kinds the code has.
                let summary = ((doc["components"] as? [String: Any])?["schemas"] as? [String: Any])?["FlowSummary"] as? [String: Any]
                let kind = (summary?["properties"] as? [String: Any])?["error_kind"] as? [String: Any]
                #expect((kind?["enum"] as? [Any])?.compactMap { $0 as? String } == FlowErrorKind.allCases.map(\.rawValue))
            }
            try await client.execute(uri: "/api/export.jsonl", method: .get) { response in
                #expect(response.headers[.contentType] == "application/x-ndjson")
            }
        }
    }

    @Test func eventsStreamAnnouncesEachNewFlow() async throws {
        let stack = try await WebStack.start()
        defer { Task { await stack.stop() } }
        let listener = Task { try await runOffThePool("curl", ["-sN", "--max-time", "4", "\(stack.uiURL)/api/events"]) }
        try await Task.sleep(for: .milliseconds(700))
        try await stack.chat(["model": "gpt-4o-mini", "messages": [["role": "user", "content": "live one"]]])
        let flow = try #require(try await stack.waitForFlows(1).first)
        let text = try await listener.value.stdoutText
        #expect(text.contains("event: flow\ndata: "))
        #expect(text.contains(flow.id.description))
    }
}
