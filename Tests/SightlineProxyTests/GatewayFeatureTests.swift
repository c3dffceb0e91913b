import Foundation
import SightlineCore
import SightlineTestSupport
import Testing
@testable import SightlineProxy

/// The gateway's features through the real listener and a real TLS upstream, driven with curl.
@Suite(.serialized) struct GatewayFeatureTests {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    /// A gateway call: `curl -i` with the target header, parsed into status, headers (lower-cased) and body.
    func call(_ h: ProxyHarness, path: String = "/v1/chat/completions", body: String? = #"{"model":"gpt-4o-mini","messages":[]}"#,
              headers: [String] = [], apiKey: String = "sk-gateway-test-1111", prefix: String = "Sightline-") throws -> Reply {
        var arguments = ["--max-time", "20", "-sS", "-i", "-H", "\(prefix)Target-Url: https://localhost:\(h.upstream.port)",
                         "-H", "Authorization: Bearer \(apiKey)"]
        for header in headers { arguments += ["-H", header] }
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let result = try run("curl", arguments + [h.proxyURL + path])
        let text = result.stdoutText
        guard let split = text.range(of: "\r\n\r\n") else { return Reply(status: 0, headers: [:], body: result.stderr) }
        let lines = text[..<split.lowerBound].split(separator: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var fields: [String: String] = [:]
        for line in lines.dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return Reply(status: status, headers: fields, body: String(text[split.upperBound...]))
    }

    @Test func cacheMissThenHitAndOtherKeysMiss() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let first = try call(h, headers: ["Sightline-Cache-Enabled: true"])
        #expect(first.status == 200)
        #expect(first.headers["sightline-cache"] == "MISS")
        let second = try call(h, headers: ["Sightline-Cache-Enabled: true"])
        #expect(second.headers["sightline-cache"] == "HIT")
        #expect(second.body == TestUpstream.chatJSON)
        #expect(second.headers["sightline-cache-key"] == first.headers["sightline-cache-key"])
        #expect(h.upstream.requests.count == 1)
        // Another credential never shares an entry; a seed makes a separate entry.
        let otherKey = try call(h, headers: ["Sightline-Cache-Enabled: true"], apiKey: "sk-someone-else-2222")
        #expect(otherKey.headers["sightline-cache"] == "MISS")
        // (Sightline-Target-Url is also sent, so responses answer with the Sightline- prefix.)
        let seeded = try call(h, headers: ["Helicone-Cache-Enabled: true", "Helicone-Cache-Seed: 7"])
        #expect(seeded.headers["sightline-cache"] == "MISS")
        #expect(h.upstream.requests.count == 3)
        let captures = await h.sink.waitFor(count: 4)
        #expect(captures.filter { $0.gateway?.cache == "HIT" }.count == 1)
    }

    @Test func cachedStreamReplaysTheSameEvents() async throws {
        let h = try await ProxyHarness.start(sseGap: .milliseconds(5))
        defer { Task { await h.stop() } }
        let body = #"{"model":"gpt-4o-mini","stream": true}"#
        let first = try call(h, body: body, headers: ["Sightline-Cache-Enabled: true"])
        let second = try call(h, body: body, headers: ["Sightline-Cache-Enabled: true"])
        #expect(first.headers["sightline-cache"] == "MISS")
        #expect(second.headers["sightline-cache"] == "HIT")
        #expect(second.body == TestUpstream.sseBody().joined())
        #expect(second.headers["content-type"] == "text/event-stream")
    }

    @Test func bucketOfThreeFillsThenAnswersFromTheThreeStoredAnswers() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let headers = ["Sightline-Cache-Enabled: true", "Sightline-Cache-Bucket-Max-Size: 3"]
        let filling = try (0..<3).map { _ in try call(h, path: "/counter", headers: headers) }
        #expect(filling.map { $0.headers["sightline-cache"] } == ["MISS", "MISS", "MISS"])
        let stored = Set(filling.map(\.body))
        #expect(stored.count == 3, "three different answers went into the bucket")
        let hits = try (0..<12).map { _ in try call(h, path: "/counter", headers: headers) }
        #expect(hits.allSatisfy { $0.headers["sightline-cache"] == "HIT" && stored.contains($0.body) })
        #expect(hits.allSatisfy { ["0", "1", "2"].contains($0.headers["sightline-cache-bucket-idx"] ?? "") })
        #expect(Set(hits.map(\.body)).count > 1, "hits are drawn from the bucket, not always the same answer")
        #expect(h.upstream.requests.count == 3)
    }

    @Test func cachedAnswerExpiresAfterMaxAgeAndErrorsAreNotCached() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let headers = ["Sightline-Cache-Enabled: true", "Cache-Control: max-age=1"]
        #expect(try call(h, headers: headers).headers["sightline-cache"] == "MISS")
        #expect(try call(h, headers: headers).headers["sightline-cache"] == "HIT")
        try await Task.sleep(for: .milliseconds(1200))
        #expect(try call(h, headers: headers).headers["sightline-cache"] == "MISS", "max-age=1 has passed")
        // A 503 is passed on, never stored: the next call goes upstream again and gets the recovered answer.
        let failing = try call(h, path: "/flaky?id=cache&fail=1&status=503", headers: ["Sightline-Cache-Enabled: true"])
        #expect(failing.status == 503)
        let recovered = try call(h, path: "/flaky?id=cache&fail=1&status=503", headers: ["Sightline-Cache-Enabled: true"])
        #expect(recovered.status == 200 && recovered.headers["sightline-cache"] == "MISS")
    }

    @Test func rateLimitWindowsArePerPropertyValue() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let policy = "Sightline-RateLimit-Policy: 2;w=60;s=team"
        let red = try (0..<3).map { _ in try call(h, headers: [policy, "Sightline-Property-Team: red"]).status }
        #expect(red == [200, 200, 429])
        #expect(try call(h, headers: [policy, "Sightline-Property-Team: blue"]).status == 200, "another team has its own window")
    }

    @Test func rateLimitRefusesTheFourthCallWithoutReachingUpstream() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        var replies: [Reply] = []
        for _ in 0..<4 { replies.append(try call(h, headers: ["Sightline-RateLimit-Policy: 3;w=60"])) }
        #expect(replies.prefix(3).allSatisfy { $0.status == 200 })
        #expect(replies.map { $0.headers["ratelimit-remaining"] } == ["2", "1", "0", "0"])
        let refused = replies[3]
        #expect(refused.status == 429)
        #expect(refused.headers["retry-after"] != nil)
        #expect(refused.headers["ratelimit-limit"] == "3")
        #expect(refused.headers["ratelimit-policy"] == "3;w=60")
        #expect(refused.body.contains(#""type":"rate_limit""#))
        #expect(h.upstream.requests.count == 3)
        // Per-user segments are independent.
        let otherUser = try call(h, headers: ["Sightline-RateLimit-Policy: 3;w=60;s=user", "Sightline-User-Id: bob"])
        #expect(otherUser.status == 200)
        let malformed = try call(h, headers: ["Sightline-RateLimit-Policy: lots"])
        #expect(malformed.status == 400)
        #expect(malformed.body.contains("RateLimit-Policy"))
    }

    @Test func aHeliconeRequestGetsEveryGatewayResponseHeaderInItsPrefix() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let headers = ["Helicone-RateLimit-Policy: 1;w=60", "Helicone-Cache-Enabled: true"]
        let first = try call(h, headers: headers, prefix: "Helicone-")
        #expect(first.status == 200)
        #expect(first.headers["helicone-cache"] == "MISS" && first.headers["sightline-cache"] == nil)
        #expect(first.headers["helicone-ratelimit-limit"] == "1" && first.headers["helicone-ratelimit-remaining"] == "0")
        #expect(first.headers["helicone-ratelimit-policy"] == "1;w=60" && first.headers["helicone-ratelimit-reset"] != nil)
        #expect(first.headers["ratelimit-limit"] == "1", "the standard header stays for clients that read it")
        #expect(first.headers["helicone-gateway-ms"] != nil && first.headers["helicone-cache-key"] == first.headers["sightline-cache-key"])
        #expect(first.headers["helicone-id"] != nil && first.headers["helicone-id"] == first.headers["sightline-id"], "the flow's id in both prefixes")
        let refused = try call(h, headers: ["Helicone-RateLimit-Policy: 1;w=60"], prefix: "Helicone-")
        #expect(refused.status == 429 && refused.headers["helicone-ratelimit-remaining"] == "0" && refused.headers["retry-after"] != nil)
        #expect(refused.headers["helicone-id"] != nil && refused.headers["helicone-id"] == refused.headers["sightline-id"], "a local answer too")
    }

    @Test func retriesPastInjected503sAndReportsAttempts() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let started = Date()
        let reply = try call(h, headers: ["Sightline-Retry-Enabled: true", "Sightline-Retry-Min-Timeout: 50", "Sightline-Retry-Max-Timeout: 200",
                                          "Sightline-Fault: status=503;times=2"])
        #expect(reply.status == 200)
        #expect(reply.headers["sightline-attempts"] == "3")
        #expect(reply.body == TestUpstream.chatJSON)
        // Back-off of about 50 ms then 100 ms (±20%): within bounds, not instantaneous.
        #expect(Date().timeIntervalSince(started) >= 0.11)
        #expect(h.upstream.requests.count == 1)
        let capture = try #require(await h.sink.waitFor(count: 1).first)
        #expect(capture.gateway?.attempts.map(\.status) == [503, 503, 200])

        let noRetry = try call(h, headers: ["Sightline-Fault: status=503"])
        #expect(noRetry.status == 503)
        #expect(noRetry.body.contains("injected"))
    }

    /// The real upstream answers 503 twice then 200: the client sees the 200 and the attempts.
    @Test func retriesARealUpstreamAndHonoursItsRetryAfter() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let retry = ["Sightline-Retry-Enabled: true", "Sightline-Retry-Min-Timeout: 20", "Sightline-Retry-Max-Timeout: 3000"]
        let reply = try call(h, path: "/flaky?id=two&fail=2&status=503", headers: retry)
        #expect(reply.status == 200 && reply.body == TestUpstream.chatJSON)
        #expect(reply.headers["sightline-attempts"] == "3")
        #expect(h.upstream.requests.count == 3)

        let started = Date()
        let throttled = try call(h, path: "/flaky?id=after&fail=1&status=429&retry-after=1", headers: retry)
        #expect(throttled.status == 200 && throttled.headers["sightline-attempts"] == "2")
        #expect(Date().timeIntervalSince(started) >= 0.95, "waited the upstream's Retry-After: 1, not the 20 ms back-off")
    }

    /// Once bytes of a response reached the client, a failure cannot be retried: the client already has them.
    @Test func aStreamThatStartedIsNeverRetried() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let reply = try call(h, path: "/reset-mid-stream", body: nil, headers: ["Sightline-Retry-Enabled: true", "Sightline-Retry-Min-Timeout: 10"])
        #expect(reply.status == 200)
        #expect(reply.body.hasPrefix("data: partial"))
        #expect(h.upstream.requests.count == 1, "not sent again")
        let capture = try #require(await h.sink.waitFor(count: 1).first)
        #expect(capture.gateway?.attempts.count == 1)
        #expect(capture.error != nil)
    }

    @Test func a429FromThePrimaryFallsThroughWithTheBodyOverride() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let fallbacks = #"[{"target-url":"https://localhost:\#(h.upstream.port)/fb","bodyKeyOverride":{"model":"gpt-4o"}}]"#
        let reply = try call(h, path: "/flaky?id=primary&fail=9&status=429",
                             body: #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}"#,
                             headers: ["Sightline-Fallbacks: \(fallbacks)"])
        #expect(reply.status == 200)
        #expect(reply.headers["sightline-fallback-index"] == "1")
        let sent = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any], "\(reply.body)")
        #expect(sent["model"] as? String == "gpt-4o", "the fallback received the overridden model")
        #expect((sent["messages"] as? [Any])?.count == 1, "and the rest of the body")
        #expect(h.upstream.requests.map(\.uri) == ["/flaky?id=primary&fail=9&status=429", "/fb/flaky?id=primary&fail=9&status=429"])
    }

    @Test func fallbackAnswersWhenThePrimaryIsUnreachable() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let fallbacks = #"[{"target-url":"https://localhost:\#(h.upstream.port)","headers":{"X-Fallback":"yes"}}]"#
        let result = try run("curl", ["--max-time", "20", "-sS", "-i", "-H", "Sightline-Target-Url: https://localhost:1",
                                      "-H", "Sightline-Fallbacks: \(fallbacks)", h.proxyURL + "/echo-headers"])
        let text = result.stdoutText
        #expect(text.hasPrefix("HTTP/1.1 200"), "\(text)")
        #expect(text.lowercased().contains("sightline-fallback-index: 1"))
        #expect(text.contains(#"["X-Fallback","yes"]"#))
        let capture = try #require(await h.sink.waitFor(count: 1).first)
        #expect(capture.gateway?.attempts.count == 2)
        #expect(capture.gateway?.attempts.first?.error != nil)
    }

    @Test func cutAfterGivesExactlyThreeEventsThenACloseAndIsNotCached() async throws {
        let h = try await ProxyHarness.start(sseGap: .milliseconds(5))
        defer { Task { await h.stop() } }
        let reply = try call(h, body: #"{"stream": true}"#, headers: ["Sightline-Fault: cut-after=3", "Sightline-Cache-Enabled: true"])
        #expect(reply.body == TestUpstream.sseBody().prefix(3).joined())
        let capture = try #require(await h.sink.waitFor(count: 1).first)
        #expect(capture.gateway?.injectedFault == "cut-after=3")
        #expect(capture.error?.contains("cut after 3 events") == true)
        let again = try call(h, body: #"{"stream": true}"#, headers: ["Sightline-Cache-Enabled: true"])
        #expect(again.headers["sightline-cache"] == "MISS")
    }

    @Test func gatewayTimeIsReportedOnEveryFeatureResponse() async throws {
        let h = try await ProxyHarness.start()
        defer { Task { await h.stop() } }
        let reply = try call(h, headers: ["Sightline-Cache-Enabled: true"])
        let ms = try #require(reply.headers["sightline-gateway-ms"].flatMap(Double.init))
        #expect(ms >= 0 && ms < 1000)
    }
}

extension GatewayFeatureTests {
    @Test func beyondLoopbackOnlyAllowListedTargetsAndNoFaults() async throws {
        let h = try await ProxyHarness.start { configuration in
            configuration.gatewayAllowList = KnownLLMHosts.patterns
            configuration.allowFaults = false
        }
        defer { Task { await h.stop() } }
        let refused = try call(h)
        #expect(refused.status == 403)
        #expect(refused.body.contains("allow-list"))
        #expect(h.upstream.requests.isEmpty)
    }
}
