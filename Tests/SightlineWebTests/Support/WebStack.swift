import Foundation
import Hummingbird
import Logging
import SightlineCA
import SightlineCore
import SightlineLLM
import SightlineProxy
import SightlineStore
import SightlineTestSupport
@testable import SightlineWeb

/// `sightline start` in-process for the UI's tests: proxy → recorder → SQLite → web app, with
/// `https://api.openai.com` mapped to a `FakeLLM`, and replay wired to the proxy port.
struct WebStack {
    let directory: URL
    let llm: FakeLLM
    let proxy: ProxyServer
    let recorder: FlowRecorder
    let store: SQLiteFlowStore
    let uiPort: Int
    let caFile: URL
    let services: WebServices
    let background: Task<Void, Never>
    /// With `webSocket: true`: a TLS WebSocket server behind `https://realtime.openai.test`.
    var webSocket: WebSocketTestUpstream? = nil
    static let webSocketOrigin = "https://realtime.openai.test"

    static func start(password: String? = nil, webSocket: Bool = false) async throws -> WebStack {
        let directory = try makeTemporaryDirectory("sightline-web")
        let llm = try await FakeLLM.start()
        let webSocketUpstream = webSocket ? try await WebSocketTestUpstream(directory: directory) : nil
        let authority = try CertificateAuthority.loadOrCreate(in: directory)
        let store = try SQLiteFlowStore(path: directory.appendingPathComponent("flows.sqlite").path)
        var logger = Logger(label: "web-tests")
        logger.logLevel = .critical
        let recorder = FlowRecorder(store: store, builder: FlowRecordBuilder(analyzer: LLMAnalyzer(prices: PriceTable.load(userFile: nil))),
                                    batchInterval: .milliseconds(20), logger: logger)
        var configuration = ProxyConfiguration()
        configuration.listenPort = 0
        configuration.mapRemote = [MapRemoteRule(parsing: "https://api.openai.com=http://127.0.0.1:\(llm.port)")!]
        if let webSocketUpstream {
            configuration.upstreamCAFiles = [webSocketUpstream.caFile.path]
            configuration.mapRemote.append(MapRemoteRule(parsing: "\(webSocketOrigin)=https://localhost:\(webSocketUpstream.port)")!)
            configuration.interceptPolicy.intercept.append(HostPattern("realtime.openai.test"))
        }
        let proxy = try await ProxyServer.start(configuration: configuration, authority: authority, sink: recorder, logger: logger)
        let services = WebServices(store: store, recorder: recorder, caCertificatePEM: authority.certificatePEM,
                                   reload: { try proxy.reload() }, password: password,
                                   replayTarget: ReplayTarget(port: proxy.port), proxyURL: "http://127.0.0.1:\(proxy.port)",
                                   caBundlePath: directory.appendingPathComponent(CertificateAuthority.certificateFileName).path,
                                   clearCache: { proxy.clearResponseCache() })
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = WebApplication.make(services: services, host: "127.0.0.1", port: 0, logger: logger) { port in continuation.yield(port) }
        let background = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await recorder.run() }
                group.addTask { try? await app.run() }
                await group.waitForAll()
            }
        }
        var uiPort = 0
        for await port in ports { uiPort = port; break }
        return WebStack(directory: directory, llm: llm, proxy: proxy, recorder: recorder, store: store, uiPort: uiPort,
                        caFile: directory.appendingPathComponent(CertificateAuthority.certificateFileName), services: services, background: background,
                        webSocket: webSocketUpstream)
    }

    /// The same routes and middleware as the running server, for HummingbirdTesting's in-process client.
    func application(loopbackOnly: Bool = true) -> some ApplicationProtocol {
        Application(router: WebApplication.router(services: services, loopbackOnly: loopbackOnly, outermost: { $0.add(middleware: OpenAPIConformance()) }))
    }

    var uiURL: String { "http://127.0.0.1:\(uiPort)" }
    var proxyURL: String { "http://127.0.0.1:\(proxy.port)" }

    func stop() async {
        await proxy.close()
        await recorder.shutdown()
        background.cancel()
        llm.stop()
        await webSocket?.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Sends a chat completion through the proxy as a client would (HTTPS to the real host name).
    @discardableResult
    func chat(_ body: [String: Any], headers: [String: String] = [:]) async throws -> Data {
        var arguments = ["-sS", "--max-time", "20", "-x", proxyURL, "--cacert", caFile.path,
                         "-H", "Content-Type: application/json", "-H", "Authorization: Bearer sk-test-1234567890"]
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        arguments += ["--data-binary", String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self),
                      "https://api.openai.com/v1/chat/completions"]
        let result = try await runOffThePool("curl", arguments)
        guard result.status == 0 else { throw ChatFailed(description: "curl failed: \(result.stderr)") }
        return result.stdout
    }

    /// Polls the store until `count` flows are recorded.
    func waitForFlows(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [FlowSummary] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let flows = try await store.flows(FlowQuery(limit: 1000)).flows
            if flows.count >= count || ContinuousClock.now > deadline { return flows }
            try await Task.sleep(for: .milliseconds(25))
        }
    }
}

/// `WebStack.chat` could not reach the proxy or the fake model: the test fails with curl's own words.
struct ChatFailed: Error, CustomStringConvertible {
    var description: String
}
