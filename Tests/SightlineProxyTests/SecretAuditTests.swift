import Foundation
import SightlineTestSupport
import Testing

/// SPEC: API keys are redacted in what is stored. This sends every form of key the providers and gateways
/// use through the real binary (debug logging on), then searches everything Sightline wrote or serves — the
/// database and its WAL, the logs, the API's list, details, HAR and curl exports — for the keys in full.
@Suite(.serialized) struct SecretAuditTests {
    @Test func noStoredOrServedByteHoldsAnAPIKeyInFull() async throws {
        let directory = try makeTemporaryDirectory("sightline-audit")
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await TestUpstream(directory: directory)
        defer { Task { await upstream.close() } }
        let data = directory.appendingPathComponent("data").path
        let log = directory.appendingPathComponent("sightline.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)

        let unique = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let keys = [
            "bearer": "sk-proj-audit\(unique)A1",
            "x-api-key": "sk-ant-audit\(unique)B2",
            "api-key": "azure-audit\(unique)C3",
            "x-goog-api-key": "AIzaAuditHeader\(unique)D4",
            "query": "AIzaAuditQuery\(unique)E5",
            "helicone": "sk-helicone-audit\(unique)F6",
            "body": "sk-body-audit\(unique)G7",
            "proxy": "proxy-pass-audit\(unique)H8",
        ]
        let sightline = try StartedSightline.start([
            "--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0", "--data-dir", data, "--log-level", "trace",
            "--upstream-ca", upstream.caFile.path, "--proxy-auth", "ada:\(keys["proxy"]!)", "--intercept", "localhost",
            "--map-remote", "https://api.openai.com=https://localhost:\(upstream.port)",
            "--map-remote", "https://generativelanguage.googleapis.com=https://localhost:\(upstream.port)",
            "--gateway-target", "https://localhost:\(upstream.port)",
        ], stderr: logHandle)
        defer { sightline.terminateIfRunning() }
        let proxy = sightline.proxy, ui = sightline.ui
        let proxyWithAuth = proxy.replacingOccurrences(of: "http://", with: "http://ada:\(keys["proxy"]!)@")
        func curl(_ arguments: [String]) throws {
            let result = try run("curl", ["--max-time", "10", "-sS", "-o", "/dev/null", "--cacert", data + "/ca-cert.pem"] + arguments)
            #expect(result.status == 0, "\(result.stderr)")
        }
        let chat = #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"audit"}]}"#
        try curl(["-x", proxyWithAuth, "-H", "Authorization: Bearer \(keys["bearer"]!)", "-H", "x-api-key: \(keys["x-api-key"]!)",
                  "-H", "api-key: \(keys["api-key"]!)", "-d", chat, "https://api.openai.com/v1/chat/completions"])
        try curl(["-x", proxyWithAuth, "-H", "x-goog-api-key: \(keys["x-goog-api-key"]!)", "-d", "{}",
                  "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent?key=\(keys["query"]!)&alt=sse"])
        try curl(["-H", "Proxy-Authorization: Basic " + Data("ada:\(keys["proxy"]!)".utf8).base64EncodedString(),
                  "-H", "Helicone-Auth: Bearer \(keys["helicone"]!)", "-H", "Content-Type: application/json",
                  "-d", #"{"model":"gpt-4o-mini","api_key":"\#(keys["body"]!)","messages":[]}"#, proxy + "/v1/chat/completions"])

        // A call that fails upstream, so that the log holds a line about a request carrying every key.
        let failing = try run("curl", ["--max-time", "10", "-sS", "-o", "/dev/null",
                                       "-H", "Proxy-Authorization: Basic " + Data("ada:\(keys["proxy"]!)".utf8).base64EncodedString(),
                                       "-H", "Sightline-Target-Url: https://localhost:1", "-H", "Authorization: Bearer \(keys["bearer"]!)",
                                       "-H", "x-goog-api-key: \(keys["x-goog-api-key"]!)", proxy + "/v1beta/models/g:generateContent?key=\(keys["query"]!)"])
        #expect(failing.status == 0, "\(failing.stderr)")

        // What the API serves, while it runs.
        var served = Data()
        var pageText = try curlAPI(ui, "/api/flows")
        var flows: [[String: Any]] = []
        let recorded = Date().addingTimeInterval(10)
        while Date() < recorded { // the recorder writes in batches, off the data path
            pageText = try curlAPI(ui, "/api/flows")
            flows = (try? JSONSerialization.jsonObject(with: pageText.stdout) as? [String: Any])?["flows"] as? [[String: Any]] ?? []
            if flows.count == 4 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        served += pageText.stdout
        #expect(flows.count == 4)
        for flow in flows {
            let id = flow["id"] as? String ?? ""
            for path in ["/api/flows/\(id)", "/api/flows/\(id)/curl", "/api/flows/\(id)/har"] {
                served += try run("curl", ["--max-time", "10", "-sS", ui + path]).stdout
            }
        }
        served += try curlAPI(ui, "/api/export.har").stdout
        served += try curlAPI(ui, "/api/export.jsonl").stdout
        sightline.interrupt()
        try logHandle.close()

        var written: [(String, Data)] = [("log", try Data(contentsOf: log)), ("API", served)]
        for name in try FileManager.default.contentsOfDirectory(atPath: data) where name.hasPrefix("flows.sqlite") {
            written.append((name, try Data(contentsOf: URL(fileURLWithPath: data + "/" + name))))
        }
        #expect(written.count >= 3, "the database was found")
        let logText = String(decoding: written[0].1, as: UTF8.self)
        #expect(logText.contains("upstream failed") && logText.contains("https://localhost:1"), "the log recorded the failing call: \(logText.suffix(500))")
        for (kind, key) in keys {
            for (place, bytes) in written {
                #expect(bytes.range(of: Data(key.utf8)) == nil, "the \(kind) key is in the \(place) in full")
                // The proxy password also travels base64-encoded in Proxy-Authorization.
                let encoded = Data("ada:\(key)".utf8).base64EncodedString()
                #expect(bytes.range(of: Data(encoded.utf8)) == nil, "the \(kind) key is in the \(place), base64-encoded")
            }
        }
        // Redacted, not dropped: the last four characters stay so a user can tell keys apart.
        let dump = String(decoding: served, as: UTF8.self)
        for kind in ["bearer", "query", "body", "helicone"] {
            #expect(dump.contains("****" + keys[kind]!.suffix(4)), "the redacted \(kind) key keeps its last 4 characters")
        }
    }
}
