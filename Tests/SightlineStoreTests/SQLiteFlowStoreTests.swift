import Foundation
import GRDB
import SightlineCore
import SightlineLLM
import Testing
@testable import SightlineStore

@Suite("SQLiteFlowStore")
struct SQLiteFlowStoreTests {
    @Test("a capture round-trips through the builder and the store, as the API shows it")
    func roundTrip() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let responseJSON = #"{"id":"chatcmpl-9","choices":[{"message":{"content":"gzip round trip"}}]}"#
        var capture = makeCapture(
            url: "https://api.openai.com/v1/chat/completions?key=sk-abcdefghijklmnop4321",
            requestHeaders: [
                HeaderField("Host", "api.openai.com"),
                HeaderField("Authorization", "Bearer sk-proj-abcdefghijklmnop1234"),
                HeaderField("x-api-key", "sk-ant-api03-secretvalue9876"),
                HeaderField("Content-Type", "application/json"),
            ],
            responseHeaders: [HeaderField("Content-Type", "application/json"), HeaderField("Content-Encoding", "gzip")],
            responseBody: deflate(Array(responseJSON.utf8)))
        capture.annotations.properties = ["team": "search"]
        capture.annotations.sessionID = "sess-1"
        let record = makeRecord(capture, analysis: makeAnalysis())
        try await store.insert([record])

        let detail = try #require(try await store.flow(id: capture.id))
        #expect(detail == storedAlone(record))
        #expect(detail.request.headers == [
            HeaderField("Host", "api.openai.com"),
            HeaderField("Authorization", "Bearer ****1234"),
            HeaderField("x-api-key", "****9876"),
            HeaderField("Content-Type", "application/json"),
        ])
        #expect(detail.summary.url == "https://api.openai.com/v1/chat/completions?key=****4321")
        #expect(detail.response?.body.text == responseJSON)
        #expect(detail.response?.body.size == capture.response!.body.totalBytes)
        #expect(detail.timings.firstByteMs == 120.5)
        #expect(abs(detail.summary.startedAt.timeIntervalSince(capture.timings.start)) < 0.001)
        #expect(detail.conversation?.messages.first?.parts.first?.text == "hello")
        #expect(detail.summary.costUSD == Decimal(string: "0.000123"))

        // The API's JSON: headers as [[name, value]], text body under "body".
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(detail)) as! [String: Any]
        #expect(json["id"] as? String == capture.id.description)
        #expect(json["model"] as? String == "gpt-4o")
        let request = json["request"] as! [String: Any]
        #expect((request["headers"] as! [[String]])[1] == ["Authorization", "Bearer ****1234"])
        let response = json["response"] as! [String: Any]
        #expect(response["body"] as? String == responseJSON)
        #expect(response["body_base64"] == nil)
        #expect(response["body_size"] as? Int == capture.response!.body.totalBytes)
        let timings = json["timings"] as! [String: Any]
        #expect(timings["first_byte_ms"] as? Double == 120.5)
        #expect((json["conversation"] as? [String: Any])?["system"] as? String == "be brief")
        let decoded = try JSONDecoder().decode(FlowDetail.self, from: JSONEncoder().encode(detail))
        #expect(decoded.request == detail.request)
        #expect(decoded.response == detail.response)
    }

    @Test("binary bodies come back as body_base64, truncated ones with their true size")
    func binaryAndTruncated() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let binary: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0xFF, 0x00, 0xFE]
        var capture = makeCapture(responseHeaders: [HeaderField("Content-Type", "image/png")], responseBody: binary,
                                  capBytes: 8)
        capture.response!.body.append([UInt8](repeating: 0xAB, count: 5000))
        try await store.insert([testBuilder.build(capture)])

        let detail = try #require(try await store.flow(id: capture.id))
        #expect(detail.response?.body.bytes == Array(binary.prefix(8)))
        #expect(detail.response?.body.truncated == true)
        #expect(detail.response?.body.size == 5011)
        #expect(detail.summary.responseBytes == 5011)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(detail)) as! [String: Any]
        let response = json["response"] as! [String: Any]
        #expect(response["body"] == nil)
        #expect(response["body_base64"] as? String == Data(binary.prefix(8)).base64EncodedString())
        #expect(response["body_truncated"] as? Bool == true)
        #expect(response["body_size"] as? Int == 5011)
    }

    @Test("a flow with no response stores its error, its error kind and a null response")
    func noResponse() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        var capture = makeCapture(status: nil)
        capture.error = "upstream refused the connection"
        capture.errorKind = .upstreamRefused
        try await store.insert([testBuilder.build(capture)])
        let detail = try #require(try await store.flow(id: capture.id))
        #expect(detail.response == nil)
        #expect(detail.summary.status == nil)
        #expect(detail.summary.error == "upstream refused the connection")
        #expect(detail.summary.errorKind == .upstreamRefused)
        #expect(try await store.flows(FlowQuery()).flows.first?.errorKind == .upstreamRefused, "the list reads it too")
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(detail)) as! [String: Any]
        #expect(json["response"] is NSNull)
        #expect(json["error_kind"] as? String == "upstream_refused")
        #expect(try await store.flow(id: FlowID.make()) == nil)
    }

    @Test("filters: host, provider, model, status, mode, session, user, property, full text")
    func filters() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        func capture(_ i: Int, url: String, status: Int = 200, session: String? = nil, user: String? = nil,
                     properties: [String: String] = [:], mode: FlowMode = .proxy) -> FlowCapture {
            var c = makeCapture(start: base.addingTimeInterval(Double(i)), mode: mode, url: url, status: status)
            c.annotations.sessionID = session
            c.annotations.userID = user
            c.annotations.properties = properties
            return c
        }
        let openai = capture(0, url: "https://api.openai.com/v1/chat/completions", session: "s1", user: "alice",
                             properties: ["env": "prod", "team": "a"])
        let anthropic = capture(1, url: "https://api.anthropic.com/v1/messages", status: 429, session: "s1",
                                user: "bob", properties: ["env": "dev"])
        let gemini = capture(2, url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent",
                             session: "s2", properties: ["env": "prod", "team": "b"], mode: .gateway)
        let other = capture(3, url: "https://example.com/index.html", status: 404)
        try await store.insert([
            makeRecord(openai, analysis: makeAnalysis(provider: "openai", model: "gpt-4o", text: "tell me about zebras")),
            makeRecord(anthropic, analysis: makeAnalysis(provider: "anthropic", model: "claude-sonnet-4", text: "penguins please")),
            makeRecord(gemini, analysis: makeAnalysis(provider: "gemini", model: "gemini-2.0-flash", text: "zebra crossing")),
            makeRecord(other, analysis: nil),
        ])

        func ids(_ query: FlowQuery) async throws -> [FlowID] {
            try await store.flows(query).flows.map(\.id)
        }
        #expect(try await ids(FlowQuery()) == [other.id, gemini.id, anthropic.id, openai.id])
        #expect(try await ids(FlowQuery(host: "api.anthropic.com")) == [anthropic.id])
        #expect(try await ids(FlowQuery(host: "API.OpenAI.com")) == [openai.id])
        #expect(try await ids(FlowQuery(provider: "gemini")) == [gemini.id])
        #expect(try await ids(FlowQuery(model: "claude-sonnet-4")) == [anthropic.id])
        #expect(try await ids(FlowQuery(status: 404)) == [other.id])
        #expect(try await ids(FlowQuery(mode: .gateway)) == [gemini.id])
        #expect(try await ids(FlowQuery(session: "s1")) == [anthropic.id, openai.id])
        #expect(try await ids(FlowQuery(user: "alice")) == [openai.id])
        #expect(try await ids(FlowQuery(properties: ["env": "prod"])) == [gemini.id, openai.id])
        #expect(try await ids(FlowQuery(properties: ["env": "prod", "team": "a"])) == [openai.id])
        #expect(try await ids(FlowQuery(properties: ["env": "staging"])) == [])
        #expect(try await ids(FlowQuery(q: "zebra")) == [gemini.id], "whole words match")
        #expect(try await ids(FlowQuery(q: "zebra*")) == [gemini.id, openai.id], "a trailing * matches a prefix")
        #expect(try await ids(FlowQuery(q: "zebra* session")) == [], "every word must match")
        #expect(try await ids(FlowQuery(q: "penguins")) == [anthropic.id])
        #expect(try await ids(FlowQuery(q: "index.html")) == [other.id], "the URL is searched too")
        #expect(try await ids(FlowQuery(q: #"zeb" OR "*" - ("#)) == [], "FTS syntax in input is literal, not an error")
        #expect(try await ids(FlowQuery(session: "s1", q: "zebras")) == [openai.id])
        #expect(try await ids(FlowQuery(properties: ["ENV": "prod"], q: "zebra*")) == [gemini.id, openai.id])
        #expect(try await ids(FlowQuery(since: base.addingTimeInterval(1), until: base.addingTimeInterval(3))) == [gemini.id, anthropic.id])

        let summary = try #require(try await store.flows(FlowQuery(user: "alice")).flows.first)
        #expect(summary.properties == ["env": "prod", "team": "a"])
        #expect(summary.inputTokens == 12)
    }

    @Test("error_kind lists only the flows that failed that way, alone or with other filters")
    func errorKindFilter() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        func capture(_ i: Int, _ kind: FlowErrorKind?, host: String = "api.openai.com") -> FlowCapture {
            var c = makeCapture(start: base.addingTimeInterval(Double(i)), url: "https://\(host)/v1/chat/completions",
                                status: kind == nil ? 200 : nil)
            c.error = kind.map { "failed: \($0)" }
            c.errorKind = kind
            return c
        }
        let reset1 = capture(0, .upstreamReset)
        let gone = capture(1, .clientGone)
        let fine = capture(2, nil)
        let reset2 = capture(3, .upstreamReset, host: "api.anthropic.com")
        let timeout = capture(4, .upstreamTimeout)
        try await store.insert([reset1, gone, fine, reset2, timeout].map { testBuilder.build($0) })

        func ids(_ query: FlowQuery) async throws -> [FlowID] { try await store.flows(query).flows.map(\.id) }
        #expect(try await ids(FlowQuery(errorKind: .upstreamReset)) == [reset2.id, reset1.id])
        #expect(try await ids(FlowQuery(errorKind: .clientGone)) == [gone.id], "a client that went away is not an upstream reset")
        #expect(try await ids(FlowQuery(errorKind: .upstreamDNS)) == [])
        #expect(try await ids(FlowQuery(host: "api.openai.com", errorKind: .upstreamReset)) == [reset1.id])
        #expect(try await ids(FlowQuery(parameters: [("error_kind", "upstream_timeout")])) == [timeout.id])
        let page = try await store.flows(FlowQuery(limit: 1, errorKind: .upstreamReset))
        #expect(page.flows.map(\.id) == [reset2.id])
        #expect(try await ids(FlowQuery(before: page.next, errorKind: .upstreamReset)) == [reset1.id], "pages by cursor")
    }

    @Test("flows recorded before v5 read back with a null error_kind, their error sentence kept")
    func flowsBeforeV5() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let id = FlowID.make(at: Date(timeIntervalSince1970: 1_800_000_000))
        do {
            let pool = try DatabasePool(path: dir.databasePath)
            try FlowStoreSchema.migrator.migrate(pool, upTo: "v4: gateway cache entries and rate-limit spendings")
            try await pool.write { db in
                #expect(try !db.columns(in: "flow").contains { $0.name == "error_kind" })
                try db.execute(sql: """
                    INSERT INTO flow (id, started_at, mode, method, url, host, error, request_bytes, response_bytes,
                                      request_http_version, request_headers)
                    VALUES (?, 1800000000000, 'proxy', 'POST', 'https://api.openai.com/v1/chat/completions', 'api.openai.com',
                            'upstream api.openai.com closed the connection', 0, 0, 'HTTP/1.1', '[]')
                    """, arguments: [id.description])
            }
        }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let summary = try #require(try await store.flows(FlowQuery()).flows.first)
        #expect(summary.id == id)
        #expect(summary.error == "upstream api.openai.com closed the connection")
        #expect(summary.errorKind == nil)
        #expect(try await store.flow(id: id)?.summary.errorKind == nil)
        #expect(try await store.flows(FlowQuery(errorKind: .upstreamReset)).flows.isEmpty, "no kind is guessed from the sentence")
    }

    @Test("query parameters parse into the same filters the API documents")
    func queryParameters() {
        let query = FlowQuery(parameters: [
            ("limit", "5000"), ("before", "x"), ("host", "h"), ("status", "200"), ("mode", "tunnel"),
            ("property.env", "prod"), ("property.", "ignored"), ("q", "hi"), ("session", ""), ("unknown", "1"),
            ("since", "1800000000000"), ("until", "2027-01-15T08:00:00Z"), ("error_kind", "client_gone"),
        ])
        #expect(query == FlowQuery(limit: 1000, before: "x", host: "h", status: 200, mode: .tunnel, errorKind: .clientGone,
                                   properties: ["env": "prod"], q: "hi", since: Date(timeIntervalSince1970: 1_800_000_000),
                                   until: Date(timeIntervalSince1970: 1800000000)))
        #expect(FlowQuery(parameters: [("error_kind", "Upstream_Reset")]).errorKind == nil, "kinds are exact words")
        #expect(FlowQuery(limit: 0).limit == 1)
        #expect(FlowQuery().limit == 50)
    }

    @Test("keyset pagination walks three pages newest first, without duplicates or gaps")
    func pagination() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let captures = (0..<25).map { makeCapture(start: base.addingTimeInterval(Double($0) / 1000)) }
        try await store.insert(captures.map { testBuilder.build($0) })
        // Plus 5 on another host, which a filtered walk must skip.
        try await store.insert((0..<5).map {
            testBuilder.build(makeCapture(start: base.addingTimeInterval(Double($0) / 1000 + 0.0005),
                                          url: "https://api.mistral.ai/v1/chat/completions"))
        })

        var seen: [FlowID] = []
        var cursor: String?
        var pages = 0
        repeat {
            let page = try await store.flows(FlowQuery(limit: 10, before: cursor, host: "api.openai.com"))
            seen += page.flows.map(\.id)
            cursor = page.next
            pages += 1
            if cursor != nil { #expect(page.flows.count == 10) }
            #expect(pages <= 3)
        } while cursor != nil && pages < 5
        #expect(pages == 3)
        #expect(seen == captures.map(\.id).sorted(by: >), "ids in the same millisecond sort by their random bits")

        let all = try await store.flows(FlowQuery(limit: 30))
        #expect(all.flows.count == 30)
        #expect(all.next == nil, "no cursor when nothing is left")
        await #expect(throws: StoreError.invalidCursor("")) {
            try await store.flows(FlowQuery(before: "'; DROP TABLE flow; --"))
        }
    }

    @Test("full-text and property pages walk newest first without duplicates or gaps", arguments: ["q", "property"])
    func paginationByTextAndProperty(filter: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        func record(_ i: Int, team: String, text: String) -> FlowRecord {
            var capture = makeCapture(start: base.addingTimeInterval(Double(i)))
            capture.annotations.properties = ["team": team]
            return makeRecord(capture, analysis: makeAnalysis(text: text))
        }
        let matching = (0..<25).map { record($0 * 2, team: "red", text: "walrus \($0)") }
        try await store.insert(matching)
        try await store.insert((0..<5).map { record($0 * 2 + 1, team: "blue", text: "otter") })

        var seen: [FlowID] = []
        var cursor: String?
        var pages = 0
        repeat {
            let query = filter == "q" ? FlowQuery(limit: 10, before: cursor, q: "walrus")
                                      : FlowQuery(limit: 10, before: cursor, properties: ["Team": "red"])
            let page = try await store.flows(query)
            seen += page.flows.map(\.id)
            cursor = page.next
            pages += 1
        } while cursor != nil && pages < 5
        #expect(pages == 3)
        #expect(seen == matching.map(\.detail.summary.id).reversed())
    }

    @Test("the positional insert stores every column as GRDB's Codable insert does (JSON columns equal as JSON)")
    func positionalInsertMatchesCodableInsert() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var capture = makeCapture(requestHeaders: [HeaderField("Authorization", "Bearer ****abcd"), HeaderField("X-Ä", "ü \"q\"")])
        capture.error = "client disconnected before the response was complete"
        capture.errorKind = .clientGone
        capture.annotations.properties = ["team": "red", "env": "prod"]
        capture.annotations.sessionID = "s1"
        var gateway = GatewayRecord()
        gateway.cache = "HIT"
        gateway.savedCostUSD = Decimal(string: "0.000123")
        gateway.attempts = [.init(target: "https://x", status: 503, error: nil, tMs: 1.5)]
        capture.gateway = gateway
        let record = makeRecord(capture, analysis: makeAnalysis())
        let codable = try SQLiteFlowStore(path: dir.url.appendingPathComponent("a.sqlite").path)
        let positional = try SQLiteFlowStore(path: dir.url.appendingPathComponent("b.sqlite").path)
        try await codable.requireWriter().write { db in
            var row = FlowRow(record)
            try row.insert(db)
            try FlowBodyRow(record).insert(db)
        }
        try await positional.requireWriter().write { db in
            var row = FlowRow(record)
            try row.insertFast(db)
            #expect(row.seq == 1)
            try FlowBodyRow(record).insertFast(db)
        }
        // JSON text may differ in spelling only (GRDB escapes "/"), so those columns compare as values.
        let jsonColumns: Set<String> = ["properties", "request_headers", "response_headers", "gateway"]
        func columns(_ row: Row) throws -> [String: String] {
            var result: [String: String] = [:]
            for (name, value) in row {
                if jsonColumns.contains(name), let text = String.fromDatabaseValue(value) {
                    result[name] = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)).canonicalText
                } else {
                    result[name] = value.description
                }
            }
            return result
        }
        for table in ["flow", "flow_body"] {
            let a = try await codable.reader.read { try Row.fetchAll($0, sql: "SELECT * FROM \(table)") }
            let b = try await positional.reader.read { try Row.fetchAll($0, sql: "SELECT * FROM \(table)") }
            #expect(a.count == 1 && b.count == 1)
            #expect(try a.map(columns) == b.map(columns), "\(table)")
        }
        #expect(try await positional.flow(id: capture.id) == (try await codable.flow(id: capture.id)))
        let kind = try await positional.reader.read { try String.fetchOne($0, sql: "SELECT error_kind FROM flow") }
        #expect(kind == "client_gone")
    }

    @Test("the page query is served by an index, not a scan and sort")
    func paginationUsesIndex() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let cursor = FlowID.make().description
        for query in [FlowQuery(before: cursor), FlowQuery(before: cursor, host: "api.openai.com"),
                      FlowQuery(before: cursor, properties: ["team": "red", "env": "prod"]),
                      FlowQuery(before: cursor, properties: ["team": "red"], q: "weather"),
                      FlowQuery(before: cursor, errorKind: .upstreamReset)] {
            let (sql, arguments) = try SQLiteFlowStore.listSQL(query)
            let plan = try await store.reader.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
            }
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
            #expect(plan.contains { $0.contains("INDEX") }, "\(plan)")
            if query.errorKind != nil { #expect(plan.contains { $0.contains("flow_on_error_kind") }, "\(plan)") }
        }
    }

    @Test("prune by age deletes the old flows and their bodies, properties and search entries")
    func pruneByAge() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath, pruneChunkSize: 3)
        let now = Date()
        var old = makeCapture(start: now.addingTimeInterval(-3 * 86400))
        old.annotations.properties = ["env": "old"]
        let olds = [old] + (1..<10).map { makeCapture(start: now.addingTimeInterval(-2 * 86400 + Double($0))) }
        let news = (0..<5).map { makeCapture(start: now.addingTimeInterval(-Double($0))) }
        try await store.insert(olds.map { makeRecord($0, analysis: makeAnalysis(text: "ancient")) })
        try await store.insert(news.map { makeRecord($0, analysis: makeAnalysis(text: "recent")) })

        let deleted = try await store.prune(olderThan: now.addingTimeInterval(-86400), maxStoreBytes: nil)
        #expect(deleted == 10)
        #expect(try await store.flowCount() == 5)
        #expect(Set(try await store.flows(FlowQuery()).flows.map(\.id)) == Set(news.map(\.id)))
        #expect(try await store.flows(FlowQuery(q: "ancient")).flows.isEmpty)
        #expect(try await store.flows(FlowQuery(q: "recent")).flows.count == 5)
        let (bodies, properties, fts) = try await store.reader.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM flow_body")!,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM flow_property")!,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM flow_fts")!)
        }
        #expect(bodies == 5 && properties == 0 && fts == 5)
        #expect(try await store.prune(olderThan: now.addingTimeInterval(-86400), maxStoreBytes: nil) == 0)
    }

    @Test("prune by size deletes the oldest until the store fits, and the file shrinks")
    func pruneBySize() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath, pruneChunkSize: 10)
        let base = Date()
        let body = [UInt8](repeating: 0x61, count: 20_000)
        let captures = (0..<200).map { makeCapture(start: base.addingTimeInterval(Double($0)), responseBody: body) }
        for batch in stride(from: 0, to: 200, by: 50) {
            try await store.insert(captures[batch..<batch + 50].map { testBuilder.build($0) })
        }
        let before = try await store.storeBytes()
        #expect(before > 4_000_000)
        let fileBefore = try await fileBytes(dir.databasePath)

        let deleted = try await store.prune(olderThan: nil, maxStoreBytes: 1_000_000)
        #expect(deleted > 100 && deleted < 200)
        #expect(try await store.storeBytes() <= 1_000_000)
        let remaining = try await store.flows(FlowQuery(limit: 1000)).flows.map(\.id)
        #expect(remaining == Array(captures.map(\.id).sorted(by: >).prefix(200 - deleted)), "the newest are kept")
        let fileAfter = try await fileBytes(dir.databasePath)
        #expect(fileAfter < fileBefore / 2, "incremental vacuum and checkpoint gave the space back")
    }

    private func fileBytes(_ path: String) async throws -> Int {
        var total = 0
        for suffix in ["", "-wal"] {
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + suffix)
            total += (attributes?[.size] as? Int) ?? 0
        }
        return total
    }

    @Test("flows survive reopening, and a read-only store sees them")
    func reopen() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let capture = makeCapture()
        let record = makeRecord(capture, analysis: makeAnalysis())
        do {
            let store = try SQLiteFlowStore(path: dir.databasePath)
            try await store.insert([record])
        }
        let reopened = try SQLiteFlowStore(path: dir.databasePath)
        #expect(try await reopened.flow(id: capture.id) == storedAlone(record))
        let readOnly = try SQLiteFlowStore(readOnlyPath: dir.databasePath)
        #expect(try await readOnly.flowCount() == 1)
        #expect(try await readOnly.flows(FlowQuery()).flows == [storedAlone(record).summary])
        await #expect(throws: StoreError.readOnly) { try await readOnly.insert([record]) }
        #expect(throws: (any Error).self) { try SQLiteFlowStore(readOnlyPath: dir.url.appendingPathComponent("none.sqlite").path) }
    }

    @Test("the schema is WAL, synchronous NORMAL, incremental auto-vacuum, foreign keys on")
    func pragmas() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let (journal, synchronous, autoVacuum, foreignKeys) = try await store.writer!.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode")!,
             try Int.fetchOne(db, sql: "PRAGMA synchronous")!,
             try Int.fetchOne(db, sql: "PRAGMA auto_vacuum")!,
             try Int.fetchOne(db, sql: "PRAGMA foreign_keys")!)
        }
        #expect(journal == "wal")
        #expect(synchronous == 1)
        #expect(autoVacuum == 2)
        #expect(foreignKeys == 1)
    }

    @Test("inserting an id again replaces the flow instead of failing the batch")
    func reinsert() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        var capture = makeCapture()
        capture.annotations.properties = ["v": "1"]
        try await store.insert([makeRecord(capture, analysis: makeAnalysis(text: "first"))])
        capture.annotations.properties = ["v": "2"]
        try await store.insert([makeRecord(capture, analysis: makeAnalysis(text: "second"))])
        #expect(try await store.flowCount() == 1)
        #expect(try await store.flows(FlowQuery(q: "first")).flows.isEmpty)
        #expect(try await store.flows(FlowQuery(properties: ["v": "2"])).flows.map(\.id) == [capture.id])
    }
}
