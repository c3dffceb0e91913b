import Foundation
import SightlineTestSupport
import Testing

/// The gateway's state shared through one real PostgreSQL (SPEC §8, GATEWAY.md): an answer cached through one
/// instance is a HIT on another, and a rate limit counts the calls of every instance, exactly, under load.
@Suite(.serialized) struct TeamGatewayStateTests {
    /// A gateway call (`Sightline-Target-Url`), answered with its status and the headers asked for.
    struct Reply {
        var status: Int
        var headers: [String: String]
    }

    static func gatewayArguments(_ instance: TeamInstance, headers: [String], body: String) -> [String] {
        var arguments = ["-o", "/dev/null", "-H", "Sightline-Target-Url: https://api.openai.com", "-H", "Authorization: Bearer sk-team-3333",
                         "-H", "Content-Type: application/json"]
        for header in headers { arguments += ["-H", header] }
        return arguments + ["--data-binary", body, instance.sightline.proxy + "/v1/chat/completions"]
    }

    static let written = "%{http_code} %header{sightline-cache} %header{ratelimit-remaining} %header{sightline-gateway-ms}\\n"

    static func parse(_ line: Substring) -> Reply {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        var headers: [String: String] = [:]
        for (index, name) in ["sightline-cache", "ratelimit-remaining", "sightline-gateway-ms"].enumerated()
        where fields.count > index + 1 && !fields[index + 1].isEmpty {
            headers[name] = fields[index + 1]
        }
        return Reply(status: Int(fields.first ?? "") ?? 0, headers: headers)
    }

    static func call(_ instance: TeamInstance, headers: [String], body: String) throws -> Reply {
        let result = try run("curl", ["--max-time", "20", "-sS", "-w", written] + gatewayArguments(instance, headers: headers, body: body))
        return parse(Substring(result.stdoutText))
    }

    @Test(.enabled(if: TeamStoreTests.available, "needs PostgreSQL's server binaries (apt-get install postgresql; .ci/run does)"))
    func anAnswerCachedThroughOneInstanceIsAHitOnTheOther() async throws {
        let server = try #require(TestPostgres.shared, "the PostgreSQL test server did not start")
        let database = try server.makeDatabase()
        let directory = try makeTemporaryDirectory("sightline-team-cache")
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await FixtureUpstream(directory: directory)
        let a = try TeamInstance.start("cache-a", storeURL: server.url(database: database), upstream: upstream, in: directory)
        defer { a.sightline.terminateIfRunning() }
        let b = try TeamInstance.start("cache-b", storeURL: server.url(database: database), upstream: upstream, in: directory)
        defer { b.sightline.terminateIfRunning() }

        let body = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"cache me across the team"}]}"#
        let cached = ["Sightline-Cache-Enabled: true"]
        let first = try Self.call(a, headers: cached, body: body)
        #expect(first.status == 200 && first.headers["sightline-cache"] == "MISS")
        // A's entry reaches the store off the data path: wait until it is there, as a teammate's later call would.
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while try server.sql("SELECT count(*) FROM gateway_cache", database: database) != "1", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let second = try Self.call(b, headers: cached, body: body)
        #expect(second.status == 200 && second.headers["sightline-cache"] == "HIT", "B answers from the entry A stored: \(second)")
        let third = try Self.call(b, headers: cached, body: body)
        #expect(third.headers["sightline-cache"] == "HIT", "and from its local copy after")
        #expect(upstream.received.count == 1, "only A's first call reached the provider: \(upstream.received.count)")
        let other = try Self.call(b, headers: cached, body: body.replacingOccurrences(of: "across", with: "apart from"))
        #expect(other.headers["sightline-cache"] == "MISS", "another request is another key")

        let flowsOfB = try await b.flows("?limit=10", atLeast: 3)
        let hits = flowsOfB.filter { ($0["gateway"] as? [String: Any])?["cache"] as? String == "HIT" }
        #expect(hits.count == 2 && hits.allSatisfy { $0["instance"] as? String == "cache-b" }, "B recorded its two hits")
        a.sightline.interrupt()
        b.sightline.interrupt()
        await upstream.close()
    }

    @Test(.enabled(if: TeamStoreTests.available, "needs PostgreSQL's server binaries (apt-get install postgresql; .ci/run does)"))
    func aRateLimitIsExactAcrossInstancesUnderThirtyConcurrentCalls() async throws {
        let server = try #require(TestPostgres.shared, "the PostgreSQL test server did not start")
        let database = try server.makeDatabase()
        let directory = try makeTemporaryDirectory("sightline-team-limit")
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await FixtureUpstream(directory: directory)
        let a = try TeamInstance.start("limit-a", storeURL: server.url(database: database), upstream: upstream, in: directory)
        defer { a.sightline.terminateIfRunning() }
        let b = try TeamInstance.start("limit-b", storeURL: server.url(database: database), upstream: upstream, in: directory)
        defer { b.sightline.terminateIfRunning() }

        let quota = 10
        let policy = ["Sightline-RateLimit-Policy: \(quota);w=300"]
        let body = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"count me"}]}"#
        // 30 calls at once, 15 through each instance: one curl per instance running its 15 transfers in parallel.
        var processes: [(Process, Pipe)] = []
        for instance in [a, b] {
            var arguments = ["--parallel", "--parallel-immediate", "--parallel-max", "15"]
            for index in 0..<15 {
                if index > 0 { arguments.append("--next") }
                arguments += ["--max-time", "30", "-sS", "-w", Self.written] + Self.gatewayArguments(instance, headers: policy, body: body)
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            process.arguments = arguments
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            processes.append((process, out))
        }
        var replies: [Reply] = []
        for (process, out) in processes {
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            replies += text.split(separator: "\n").map(Self.parse)
        }
        #expect(replies.count == 30, "every call answered: \(replies.map(\.status))")
        let admitted = replies.filter { $0.status == 200 }
        #expect(admitted.count == quota, "exactly the quota admitted across both instances: \(replies.map(\.status))")
        #expect(replies.filter { $0.status == 429 }.count == 30 - quota, "the rest refused")
        #expect(admitted.compactMap { $0.headers["ratelimit-remaining"].flatMap(Int.init) }.sorted() == Array(0..<quota),
                "each admission saw every earlier one, whichever instance made it")
        #expect(upstream.received.count == quota, "the provider saw only the admitted calls: \(upstream.received.count)")
        #expect(replies.allSatisfy { Double($0.headers["sightline-gateway-ms"] ?? "") != nil }, "the gateway says what the admission cost")

        // The window holds after the burst: one more through either instance is refused.
        #expect(try Self.call(a, headers: policy, body: body).status == 429)
        #expect(try Self.call(b, headers: policy, body: body).status == 429)
        a.sightline.interrupt()
        b.sightline.interrupt()
        await upstream.close()
    }
}
