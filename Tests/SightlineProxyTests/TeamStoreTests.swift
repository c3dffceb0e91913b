import Foundation
import SightlineTestSupport
import Testing

/// Team mode (SPEC §8) as a team runs it: two built binaries recording into one real PostgreSQL server
/// (`TestPostgres`), each driven through its own proxy port and read back through its own API.
@Suite(.serialized) struct TeamStoreTests {
    static var available: Bool { TestPostgres.shared != nil || TestPostgres.required }

    @Test(.enabled(if: TeamStoreTests.available, "needs PostgreSQL's server binaries (apt-get install postgresql; .ci/run does)"))
    func twoInstancesRecordIntoOneStoreAndEachListsBoth() async throws {
        let server = try #require(TestPostgres.shared, "the PostgreSQL test server did not start")
        let url = server.url(database: try server.makeDatabase())
        let directory = try makeTemporaryDirectory("sightline-team")
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await FixtureUpstream(directory: directory)
        let teamA = try TeamInstance.start("gateway-a", storeURL: url, upstream: upstream, in: directory)
        let (a, dataA) = (teamA.sightline, teamA.dataDirectory)
        defer { a.terminateIfRunning() }
        let teamB = try TeamInstance.start("gateway-b", storeURL: url, upstream: upstream, in: directory)
        let (b, dataB) = (teamB.sightline, teamB.dataDirectory)
        defer { b.terminateIfRunning() }
        #expect(a.banner.store == "postgres://\(TestPostgres.user):****@127.0.0.1:\(server.port)/\(url.split(separator: "/").last!.split(separator: "?").first!)",
                "the store line hides the password: \(a.banner.store)")

        func call(_ instance: StartedSightline, data: String, _ text: String) throws {
            let result = try run("curl", ["--max-time", "10", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-x", instance.proxy,
                                          "--cacert", data + "/ca-cert.pem", "-H", "Content-Type: application/json",
                                          "-d", #"{"model":"gpt-4o","messages":[{"role":"user","content":"\#(text)"}]}"#,
                                          "https://api.openai.com/v1/chat/completions"])
            #expect(result.stdoutText == "200", "\(result.stderr)")
        }
        // A's live feed, open before B records: B's flows must be announced there too.
        let events = directory.appendingPathComponent("a-events.txt")
        FileManager.default.createFile(atPath: events.path, contents: nil)
        let feed = Process()
        feed.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        feed.arguments = ["-sN", "--max-time", "30", a.ui + "/api/events"]
        feed.standardOutput = try FileHandle(forWritingTo: events)
        try feed.runWithDefaultSignals()
        defer { if feed.isRunning { feed.terminate() } }
        try await Task.sleep(for: .milliseconds(500))

        try call(a, data: dataA, "from the first gateway")
        try call(b, data: dataB, "from the second gateway")
        try call(b, data: dataB, "again from the second")

        let seenByA = try await teamA.flows(atLeast: 3)
        let seenByB = try await teamB.flows(atLeast: 3)
        #expect(seenByA.count == 3 && seenByB.count == 3, "each lists every instance's flows")
        #expect(seenByA.map { $0["id"] as? String } == seenByB.map { $0["id"] as? String })
        #expect(seenByA.compactMap { $0["instance"] as? String } == ["gateway-b", "gateway-b", "gateway-a"], "newest first, each naming its recorder")
        #expect(seenByA.allSatisfy { $0["provider"] as? String == "openai" && $0["status"] as? Int == 200 })

        let bIDs = seenByA.filter { $0["instance"] as? String == "gateway-b" }.compactMap { $0["id"] as? String }
        let announced = ContinuousClock.now.advanced(by: .seconds(10))
        var feedText = ""
        while ContinuousClock.now < announced {
            feedText = (try? String(contentsOf: events, encoding: .utf8)) ?? ""
            if bIDs.allSatisfy(feedText.contains) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(bIDs.count == 2 && bIDs.allSatisfy(feedText.contains), "A's /api/events announces B's flows: \(feedText.prefix(600))")

        // A flow's detail, recorded by B, read from A; full-text search over both.
        let fromB = try #require(seenByA.first { $0["instance"] as? String == "gateway-b" }?["id"] as? String)
        let detail = try JSONSerialization.jsonObject(with: try run("curl", ["--max-time", "10", "-sS", a.ui + "/api/flows/\(fromB)"]).stdout) as? [String: Any]
        let messages = (detail?["conversation"] as? [String: Any])?["messages"] as? [[String: Any]]
        #expect(((messages?.first?["parts"] as? [[String: Any]])?.first?["text"] as? String)?.contains("second") == true)
        #expect(try await teamA.flows("?q=first").map { $0["instance"] as? String } == ["gateway-a"])

        // The CLI reads the team's store as the instances do, and never prints its password.
        let listed = try run(SightlineBinary.path, ["flows", "--store", url, "--json"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let page = try JSONSerialization.jsonObject(with: listed.stdout) as? [String: Any]
        #expect((page?["flows"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == seenByA.compactMap { $0["id"] as? String })
        let shown = try run(SightlineBinary.path, ["show", fromB, "--store", url])
        #expect(shown.status == 0 && shown.stdoutText.contains("from the second"), "\(shown.stderr)")
        #expect(!(listed.stdoutText + listed.stderr + shown.stdoutText + shown.stderr).contains(TestPostgres.password))

        // Nothing either instance says or serves holds the store's password.
        for instance in [a, b] {
            let info = try run("curl", ["--max-time", "10", "-sS", instance.ui + "/api/info"]).stdoutText
            #expect(!info.contains(TestPostgres.password))
        }
        a.interrupt()
        b.interrupt()
        await upstream.close()
    }

    @Test(.enabled(if: TeamStoreTests.available, "needs PostgreSQL's server binaries (apt-get install postgresql; .ci/run does)"))
    func aWrongPasswordOrDatabaseIsAClearErrorThatNeverShowsThePassword() throws {
        let server = try #require(TestPostgres.shared, "the PostgreSQL test server did not start")
        let directory = try makeTemporaryDirectory("sightline-team-bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let wrong = "Wrong-pass-8d2f19"
        let cases: [(url: String, says: String, secret: String)] = [
            (server.url(database: "postgres", password: wrong), "password authentication failed for user \"\(TestPostgres.user)\"", wrong),
            (server.url(database: "no_such_db"), "database \"no_such_db\" does not exist", TestPostgres.password),
            ("postgres://\(TestPostgres.user):\(wrong)@127.0.0.1:1/flows", "127.0.0.1:1", wrong),
        ]
        for (url, says, secret) in cases {
            let result = try run(SightlineBinary.path, ["start", "--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0",
                                                        "--data-dir", directory.path, "--store", url])
            #expect(result.status != 0, "start fails on \(says)")
            #expect(result.stderr.contains(says), "the error names the problem: \(result.stderr)")
            #expect(!(result.stderr + result.stdoutText).contains(secret), "the password is never printed: \(result.stderr)")
            let listed = try run(SightlineBinary.path, ["flows", "--store", url])
            #expect(listed.status != 0 && listed.stderr.contains(says), "the CLI says so too: \(listed.stderr)")
            #expect(!(listed.stderr + listed.stdoutText).contains(secret))
        }
    }

    @Test(.enabled(if: TeamStoreTests.available, "needs PostgreSQL's server binaries (apt-get install postgresql; .ci/run does)"))
    func postgresStoppedAndStartedUnderLoadLosesNothing() async throws {
        // A server of its own: the shared one must not go away under other tests.
        let server = try TestPostgres.startPrivate()
        defer { server.stop() }
        let url = server.url(database: try server.makeDatabase())
        let directory = try makeTemporaryDirectory("sightline-team-outage")
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await FixtureUpstream(directory: directory)
        let data = directory.appendingPathComponent("data").path
        var arguments = ["--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--data-dir", data, "--log-level", "error",
                         "--upstream-ca", upstream.caFile.path, "--store", url, "--instance-name", "outage"]
        for origin in SDKRun.providerOrigins { arguments += ["--map-remote", "\(origin)=https://localhost:\(upstream.port)"] }
        let sightline = try StartedSightline.start(arguments)
        defer { sightline.terminateIfRunning() }
        func call(_ index: Int) throws -> String {
            try run("curl", ["--max-time", "10", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-x", sightline.proxy,
                             "--cacert", data + "/ca-cert.pem", "-H", "Content-Type: application/json",
                             "-d", #"{"model":"gpt-4o","messages":[{"role":"user","content":"call \#(index)"}]}"#,
                             "https://api.openai.com/v1/chat/completions"]).stdoutText
        }
        for index in 0..<10 { #expect(try call(index) == "200") }
        server.pause()
        // The store is gone: forwarding goes on, every call answered.
        for index in 10..<30 { #expect(try call(index) == "200", "forwarding does not wait for the store") }
        func recorderStats() throws -> [String: Any]? {
            // As the UI polls it: without the count, which would wait on the absent server.
            let result = try run("curl", ["--max-time", "5", "-sS", sightline.ui + "/api/stats?count=false"])
            return (try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])?["recorder"] as? [String: Any]
        }
        // The API says the store is away (and answers at once rather than waiting for it), and so does the UI.
        var away: [String: Any]?
        // The first write to fail gives up after PostgresDeadline.writes (10 s).
        let noticed = ContinuousClock.now.advanced(by: .seconds(30))
        while ContinuousClock.now < noticed {
            away = try recorderStats()
            if away?["store_error"] != nil { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(away?["store_error"] is String && away?["store_failing_since"] is String, "\(String(describing: away))")
        if TestBrowser.enabled {
            let shown = try await TestBrowser.runScript("ui_store_health.py", ui: sightline.ui, proxy: sightline.proxy,
                                                        caFile: data + "/ca-cert.pem", extra: ["--store", "unreachable"])
            #expect(shown.status == 0, "the UI says the store is unreachable:\n\(shown.stderr)")
        }
        try server.resume()
        for index in 30..<40 { #expect(try call(index) == "200") }

        var flows: [[String: Any]] = []
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while ContinuousClock.now < deadline {
            let result = try run("curl", ["--max-time", "10", "-sS", sightline.ui + "/api/flows?limit=100"])
            flows = (try? JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])?["flows"] as? [[String: Any]] ?? []
            if flows.count >= 40 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(flows.count == 40, "every call recorded once the store is back: \(flows.count)")
        #expect(Set(flows.compactMap { $0["id"] as? String }).count == flows.count, "none twice")
        let stats = try JSONSerialization.jsonObject(with: try run("curl", ["--max-time", "10", "-sS", sightline.ui + "/api/stats"]).stdout)
            as? [String: Any]
        let recorder = stats?["recorder"] as? [String: Any]
        #expect(recorder?["dropped"] as? Int == 0 && recorder?["lost"] as? Int == 0, "\(String(describing: recorder))")
        #expect(recorder?["store_error"] == nil && stats?["flows"] as? Int == 40, "healthy again: \(String(describing: stats))")
        if TestBrowser.enabled {
            let shown = try await TestBrowser.runScript("ui_store_health.py", ui: sightline.ui, proxy: sightline.proxy,
                                                        caFile: data + "/ca-cert.pem", extra: ["--store", "healthy"])
            #expect(shown.status == 0, "the UI stops saying so:\n\(shown.stderr)")
        }
        sightline.interrupt()
        await upstream.close()
    }

    @Test(.enabled(if: TeamStoreTests.available, "needs PostgreSQL's server binaries (apt-get install postgresql; .ci/run does)"))
    func oneInstanceKilledTheOtherRecordsOnAndTheRestartedOneCatchesUp() async throws {
        let server = try #require(TestPostgres.shared, "the PostgreSQL test server did not start")
        let url = server.url(database: try server.makeDatabase())
        let directory = try makeTemporaryDirectory("sightline-team-kill")
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await FixtureUpstream(directory: directory)
        var a = try TeamInstance.start("kill-a", storeURL: url, upstream: upstream, in: directory)
        defer { a.sightline.terminateIfRunning() } // whichever A is running when the test ends
        let b = try TeamInstance.start("kill-b", storeURL: url, upstream: upstream, in: directory)
        defer { b.sightline.terminateIfRunning() }
        func call(_ instance: TeamInstance, _ index: Int) throws -> String {
            try run("curl", ["--max-time", "10", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-x", instance.sightline.proxy,
                             "--cacert", instance.dataDirectory + "/ca-cert.pem", "-H", "Content-Type: application/json",
                             "-d", #"{"model":"gpt-4o","messages":[{"role":"user","content":"call \#(index)"}]}"#,
                             "https://api.openai.com/v1/chat/completions"]).stdoutText
        }
        for index in 0..<5 {
            #expect(try call(a, index) == "200")
            #expect(try call(b, 100 + index) == "200")
        }
        #expect(try await a.flows(atLeast: 10).count == 10)

        // A dies without a word; B goes on recording, and lists what A had recorded.
        kill(a.sightline.process.processIdentifier, SIGKILL)
        a.sightline.process.waitUntilExit()
        for index in 5..<15 { #expect(try call(b, 100 + index) == "200", "B answers while A is gone") }
        let whileDown = try await b.flows("?limit=100", atLeast: 20)
        #expect(whileDown.count == 20)
        #expect(whileDown.filter { $0["instance"] as? String == "kill-a" }.count == 5, "A's flows outlive A")

        // A comes back on the same data directory and store: it lists all of B's flows, and records again.
        a = try TeamInstance.start("kill-a", storeURL: url, upstream: upstream, in: directory)
        for index in 5..<8 { #expect(try call(a, index) == "200") }
        let caughtUp = try await a.flows("?limit=100", atLeast: 23)
        #expect(caughtUp.count == 23, "5 + 3 from A, 15 from B, none twice")
        #expect(Set(caughtUp.compactMap { $0["id"] as? String }).count == 23)
        #expect(caughtUp.filter { $0["instance"] as? String == "kill-b" }.count == 15)
        // Both instances' dashboards sum both instances' rollups.
        for instance in [a, b] {
            let dashboard = try JSONSerialization.jsonObject(with: try run("curl", ["--max-time", "10", "-sS",
                                                                                   instance.sightline.ui + "/api/dashboard"]).stdout) as? [String: Any]
            #expect((dashboard?["totals"] as? [String: Any])?["calls"] as? Int == 23 && dashboard?["source"] as? String == "rollups",
                    "\(instance.name): \(String(describing: dashboard?["totals"]))")
        }
        a.sightline.interrupt()
        b.sightline.interrupt()
        await upstream.close()
    }
}
