import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SightlineCA
import SightlineCore
import SightlineTestSupport
@testable import SightlineProxy

/// Collects captures in memory, so tests can assert what would have been recorded.
final class CollectingSink: CaptureSink {
    private let box = NIOLockedValueBox<[FlowCapture]>([])
    func record(_ capture: FlowCapture) { box.withLockedValue { $0.append(capture) } }
    var captures: [FlowCapture] { box.withLockedValue { $0 } }

    /// Waits (bounded) until `count` captures have arrived; captures are handed over as exchanges end.
    func waitFor(count: Int, timeout: Duration = .seconds(5)) async -> [FlowCapture] {
        let deadline = ContinuousClock.now + timeout
        while captures.count < count && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return captures
    }
}

/// A running proxy with its own CA in a temporary directory, and the test upstream behind it.
struct ProxyHarness {
    let directory: URL
    let authority: CertificateAuthority
    let caFile: URL
    let upstream: TestUpstream
    let proxy: ProxyServer
    let sink: CollectingSink

    static func start(sseGap: TimeAmount = .milliseconds(50), configure: (inout ProxyConfiguration) -> Void = { _ in }) async throws -> ProxyHarness {
        let directory = try makeTemporaryDirectory("sightline-test")
        let upstream = try await TestUpstream(sseGap: sseGap, directory: directory)
        let authority = try CertificateAuthority.loadOrCreate(in: directory.appendingPathComponent("data"))
        var configuration = ProxyConfiguration()
        configuration.listenPort = 0
        configuration.interceptPolicy = InterceptPolicy(intercept: [HostPattern("localhost")])
        configuration.upstreamCAFiles = [upstream.caFile.path]
        configure(&configuration)
        let sink = CollectingSink()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let proxy = try await ProxyServer.start(configuration: configuration, authority: authority, sink: sink, logger: logger)
        return ProxyHarness(directory: directory, authority: authority,
                            caFile: directory.appendingPathComponent("data/ca-cert.pem"), upstream: upstream, proxy: proxy, sink: sink)
    }

    var proxyURL: String { "http://127.0.0.1:\(proxy.port)" }

    func stop() async {
        await proxy.close()
        await upstream.close()
        try? FileManager.default.removeItem(at: directory)
    }
}
