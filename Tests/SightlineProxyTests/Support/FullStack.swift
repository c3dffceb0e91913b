import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import NIOCore
import SightlineCA
import SightlineCore
import SightlineLLM
import SightlineProxy
import SightlineStore
import SightlineTestSupport
import SightlineWeb
import Testing

/// The whole of `sightline start` in-process: proxy → recorder → SQLite store → JSON API.
/// The provider host is the real `api.openai.com`, mapped (`--map-remote`) to the test upstream.
struct FullStack {
    let directory: URL
    let upstream: TestUpstream
    let proxy: ProxyServer
    let recorder: FlowRecorder
    let store: SQLiteFlowStore
    let apiPort: Int
    let background: Task<Void, Never>
    let caFile: URL
    /// A second upstream (e.g. `FixtureUpstream`) that the `mapRemote` origins of `start` go to.
    var extraUpstream: (any StackUpstream)? = nil

    /// With `upstreamFactory`, also starts that upstream (given the stack's scratch directory) and maps each
    /// of `mapRemote` (`https://api.anthropic.com`) to it; those rules come first, so they win over the
    /// default `api.openai.com` → `upstream` rule.
    static func start(upstreamFactory: ((URL) async throws -> any StackUpstream)? = nil,
                      mapRemote origins: [String] = []) async throws -> FullStack {
        let directory = try makeTemporaryDirectory("sightline-e2e")
        let dataDir = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        let upstream = try await TestUpstream(directory: directory)
        let extraUpstream = try await upstreamFactory?(directory)
        let authority = try CertificateAuthority.loadOrCreate(in: dataDir)
        let store = try SQLiteFlowStore(path: dataDir.appendingPathComponent("flows.sqlite").path)
        var logger = Logger(label: "e2e")
        logger.logLevel = .critical
        let recorder = FlowRecorder(store: store, builder: FlowRecordBuilder(analyzer: LLMAnalyzer(prices: PriceTable.load(userFile: nil))),
                                    batchInterval: .milliseconds(20), logger: logger)
        var configuration = ProxyConfiguration()
        configuration.listenPort = 0
        configuration.upstreamCAFiles = [upstream.caFile.path]
        configuration.mapRemote = [MapRemoteRule(parsing: "https://api.openai.com=https://localhost:\(upstream.port)")!]
        if let extraUpstream {
            configuration.upstreamCAFiles.append(extraUpstream.caFile.path)
            configuration.mapRemote.insert(contentsOf: origins.map { MapRemoteRule(parsing: "\($0)=https://localhost:\(extraUpstream.port)")! },
                                           at: 0)
        }
        let proxy = try await ProxyServer.start(configuration: configuration, authority: authority, sink: recorder, logger: logger)
        let services = WebServices(store: store, recorder: recorder, caCertificatePEM: authority.certificatePEM,
                                   reload: { try proxy.reload() }, password: nil)
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = WebApplication.make(services: services, host: "127.0.0.1", port: 0, logger: logger) { port in
            portContinuation.yield(port)
        }
        let background = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await recorder.run() }
                group.addTask { try? await app.run() }
                await group.waitForAll()
            }
        }
        var apiPort = 0
        for await port in portStream {
            apiPort = port
            break
        }
        return FullStack(directory: directory, upstream: upstream, proxy: proxy, recorder: recorder, store: store, apiPort: apiPort,
                         background: background, caFile: dataDir.appendingPathComponent("ca-cert.pem"), extraUpstream: extraUpstream)
    }

    var proxyURL: String { "http://127.0.0.1:\(proxy.port)" }

    /// The environment a user sets for a program to go through Sightline.
    var clientEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["HTTPS_PROXY"] = proxyURL
        env["HTTP_PROXY"] = proxyURL
        env["SSL_CERT_FILE"] = caFile.path
        env["NO_PROXY"] = ""
        env.removeValue(forKey: "OPENAI_BASE_URL")
        return env
    }

    func api(_ path: String, method: String = "GET") async throws -> Any {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(apiPort)\(path)")!)
        request.httpMethod = method
        let (data, response) = try await URLSession.shared.data(for: request)
        if let http = response as? HTTPURLResponse {
            for problem in OpenAPIContract.problems(method: method, path: path, status: http.statusCode,
                                                    contentType: http.value(forHTTPHeaderField: "Content-Type"), body: data) {
                Issue.record("openapi.json: \(problem)")
            }
        }
        return try JSONSerialization.jsonObject(with: data)
    }

    /// Polls the API until `count` flows are listed (recording is asynchronous by design).
    func waitForFlows(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [[String: Any]] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let page = try await api("/api/flows?limit=100") as? [String: Any]
            let flows = page?["flows"] as? [[String: Any]] ?? []
            if flows.count >= count || ContinuousClock.now > deadline { return flows }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func stop() async {
        await proxy.close()
        await recorder.shutdown()
        background.cancel()
        await upstream.close()
        await extraUpstream?.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A TLS upstream a `FullStack` can map provider hosts to.
protocol StackUpstream: Sendable {
    var caFile: URL { get }
    var port: Int { get }
    func close() async
}

extension TestUpstream: StackUpstream {}
extension FixtureUpstream: StackUpstream {}
