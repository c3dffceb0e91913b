import ArgumentParser
import Foundation
import Hummingbird
import Logging
import SightlineCA
import SightlineCore
import SightlineGateway
import SightlineLLM
import SightlineProxy
import SightlineStore
import SightlineTelemetry
import ServiceLifecycle
import SightlineWeb
import Synchronization

struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Run the proxy and the web UI in the foreground (Ctrl-C stops cleanly, flushing what is recorded)."
    )

    @OptionGroup var options: StartOptions

    func run() async throws {
        var logger = Logger(label: "sightline")
        logger.logLevel = options.level
        let runtime = try await SightlineRuntime.start(options: options, logger: logger)
        Console.line(runtime.banner())
        await runtime.runUntilSignalled()
    }
}

/// The running pieces of `sightline start`, wired together: CA, store, recorder, proxy, web.
final class SightlineRuntime: Sendable {
    let options: StartOptions
    let authority: CertificateAuthority
    let caBundle: URL
    let store: any FlowStore
    let recorder: FlowRecorder
    let proxy: ProxyServer
    let rateLimiter: RateLimiter
    /// Writes the gateway's cache entries and rate-limit spendings into the store: the SQLite store keeps them
    /// across restarts; a PostgreSQL store shares them with the team's other instances.
    let gatewayState: any GatewayStateWriter
    /// Who records here: a flow's cost is charged to its rate limit by the instance that recorded it.
    let instance: String
    /// nil unless an OTLP endpoint is configured.
    let telemetry: GenAIExporter?
    let uiPassword: String?
    let generatedToken: Bool
    let logger: Logger
    /// `sightline run` keeps the child's stdout clean: the UI address is recorded, not printed.
    let quiet: Bool
    private let boundUIPort = Mutex<Int?>(nil)
    /// Runs the web server, so that stopping can shut it down gracefully instead of cancelling it.
    private let webServices = Mutex<ServiceGroup?>(nil)

    /// The UI/API port once the web server listens (the real one when `--ui` asked for port 0).
    var uiPort: Int? { boundUIPort.withLock { $0 } }

    private init(options: StartOptions, authority: CertificateAuthority, caBundle: URL, store: any FlowStore, recorder: FlowRecorder,
                 proxy: ProxyServer, rateLimiter: RateLimiter, gatewayState: any GatewayStateWriter, instance: String,
                 telemetry: GenAIExporter?, uiPassword: String?, generatedToken: Bool, logger: Logger, quiet: Bool) {
        self.options = options
        self.authority = authority
        self.caBundle = caBundle
        self.store = store
        self.recorder = recorder
        self.proxy = proxy
        self.rateLimiter = rateLimiter
        self.gatewayState = gatewayState
        self.instance = instance
        self.telemetry = telemetry
        self.uiPassword = uiPassword
        self.generatedToken = generatedToken
        self.logger = logger
        self.quiet = quiet
    }

    static func start(options: StartOptions, logger: Logger, quiet: Bool = false) async throws -> SightlineRuntime {
        let dataDir = options.data.url
        let files = OpenFileLimit.raiseToHardLimit()
        if files > 0 && files < UInt64(options.maxConnections) * 2 + 64 {
            logger.warning("the open-file limit allows fewer connections than --max-connections",
                           metadata: ["limit": "\(files)", "max-connections": "\(options.maxConnections)"])
        }
        let authority: CertificateAuthority
        do {
            authority = try CertificateAuthority.loadOrCreate(in: dataDir)
        } catch let error as CertificateAuthorityError {
            throw ValidationError(error.reason)
        }
        let caBundle = try TrustBundle.write(authority: authority, in: dataDir)
        if options.insecureUpstream {
            logger.warning("--insecure-upstream: upstream TLS certificates are NOT verified; anyone on the path can read and change this traffic")
        }
        let instance = options.instanceName ?? defaultInstanceName(port: options.listen.port)
        let store: any FlowStore
        let sqliteStore: SQLiteFlowStore?
        if let postgres = try options.postgresStore {
            do {
                store = try await PostgresFlowStore.connect(postgres, instance: instance, logger: logger)
            } catch let error as StoreError {
                throw ValidationError(error.reason)
            }
            sqliteStore = nil
        } else {
            let sqlite = try SQLiteFlowStore(path: options.storePath)
            (store, sqliteStore) = (sqlite, sqlite)
        }
        if let interrupted = try? await store.closeInterruptedWebSockets(), interrupted > 0 {
            logger.info("WebSocket sessions left open by the last run are marked ended", metadata: ["count": "\(interrupted)"])
        }
        let prices = PriceTable.load(userFile: dataDir.appendingPathComponent("prices.json"))
        let retention = RetentionPolicy(
            maxAge: options.retain.flatMap(Quantities.parseDurationSeconds).map { .seconds($0) },
            maxStoreBytes: options.maxStoreSize.flatMap(Quantities.parseByteCount))
        let telemetry = try makeTelemetry(options: options, logger: logger)
        // A PostgreSQL store has its own spool in the data directory, apart from the SQLite store's.
        let spoolBeside = sqliteStore == nil ? dataDir.appendingPathComponent("flows-postgres").path : options.storePath
        // A store on the network may be away for a while (a restart, a failover): its batches wait, retried, while
        // new captures go to the spool; a local file that keeps failing is given up on after a few tries.
        let recorder = FlowRecorder(store: store, builder: FlowRecordBuilder(analyzer: LLMAnalyzer(prices: prices), instance: instance),
                                    retention: retention, spool: openSpool(beside: spoolBeside, logger: logger),
                                    maxWriteAttempts: sqliteStore == nil ? .max : FlowRecorder.defaultMaxWriteAttempts,
                                    observers: telemetry.map { [$0] } ?? [], logger: logger)
        // The gateway's cache and rate-limit windows answer from memory. With SQLite they are kept in the store, so a
        // restart remembers them; with PostgreSQL the store decides admissions and holds every instance's entries.
        let gatewayState: any GatewayStateWriter & GatewayStateJournal
        var sharedGatewayState: PostgresGatewayState?
        if let sqliteStore {
            gatewayState = try SQLiteGatewayState(store: sqliteStore, logger: logger)
        } else if let postgres = store as? PostgresFlowStore {
            sharedGatewayState = PostgresGatewayState(store: postgres, logger: logger)
            gatewayState = sharedGatewayState!
        } else {
            preconditionFailure("a store is SQLite or PostgreSQL")
        }
        let responseCache = MemoryResponseCache(journal: gatewayState)
        let rateLimiter = RateLimiter(journal: gatewayState)
        if let sqlite = gatewayState as? SQLiteGatewayState {
            let saved = try await sqlite.load()
            for entry in saved.cache { responseCache.restore(key: entry.key, response: entry.response) }
            for spending in saved.spendings { rateLimiter.restore(windowKey: spending.windowKey, at: spending.at, units: spending.units) }
        }
        let proxy = try await ProxyServer.start(configuration: options.proxyConfiguration(), authority: authority, sink: recorder,
                                                responseCache: responseCache, rateLimiter: rateLimiter,
                                                sharedGatewayState: sharedGatewayState, logger: logger)

        var password = options.uiPassword ?? ProcessInfo.processInfo.environment["SIGHTLINE_UI_PASSWORD"]
        var generated = false
        if !options.noUI && !options.ui.isLoopback && password == nil {
            password = (0..<24).map { _ in String("abcdefghijkmnopqrstuvwxyz23456789".randomElement()!) }.joined()
            generated = true
        }
        return SightlineRuntime(options: options, authority: authority, caBundle: caBundle, store: store, recorder: recorder, proxy: proxy,
                                rateLimiter: rateLimiter, gatewayState: gatewayState, instance: instance, telemetry: telemetry, uiPassword: password,
                                generatedToken: generated, logger: logger, quiet: quiet)
    }

    /// The OpenTelemetry exporter when `--otlp-endpoint` or the `OTEL_EXPORTER_OTLP_*` variables ask for one.
    static func makeTelemetry(options: StartOptions, logger: Logger) throws -> GenAIExporter? {
        let configuration = TelemetryConfiguration(environment: ProcessInfo.processInfo.environment,
                                                   endpointFlag: options.otlpEndpoint, contentFlag: options.otelContent)
        guard configuration.isEnabled else { return nil }
        for warning in configuration.warnings { logger.warning("\(warning)") }
        do {
            return try GenAIExporter(configuration: configuration, version: SightlineVersion.current, logger: logger)
        } catch {
            throw ValidationError("OpenTelemetry export: \(error)")
        }
    }

    /// `HOST:PORT` (the proxy's port as asked; `HOST-PID` when the OS picks it), so that several Sightlines on one
    /// machine stay apart.
    static func defaultInstanceName(port: Int) -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "sightline"
        return port == 0 ? "\(host)-\(getpid())" : "\(host):\(port)"
    }

    /// The recorder's spool, beside the store as SQLite's `-wal` is. Without one (another Sightline
    /// holds it, or the directory is read-only) the recorder drops what its memory queue cannot hold.
    static func openSpool(beside storePath: String, logger: Logger) -> CaptureSpool? {
        do {
            let spool = try CaptureSpool(path: storePath + "-spool")
            if spool.unread > 0 {
                logger.info("recording the captures a previous run spooled", metadata: ["flows": "\(spool.unread)"])
            }
            return spool
        } catch {
            logger.warning("recording without a spool: captures beyond the memory queue will be dropped",
                           metadata: ["error": "\(error)"])
            return nil
        }
    }

    var proxyURL: String {
        let host = options.listen.host == "0.0.0.0" ? "127.0.0.1" : options.listen.host
        let shown = host.contains(":") ? "[\(host)]" : host
        return "http://\(shown):\(proxy.port)"
    }

    func banner(uiPort: Int? = nil) -> String {
        var lines = ["Sightline \(SightlineVersion.current)"]
        lines.append("proxy    \(proxyURL)   (forward proxy for HTTP/HTTPS, and gateway for base-URL traffic)")
        lines.append("ca       \(options.data.caCertificatePath)   (trust bundle with system roots: \(caBundle.path))")
        lines.append("store    \(options.storeDescription)")
        if let telemetry = telemetry?.configuration {
            var sent = [telemetry.tracesEnabled ? "spans \(telemetry.tracesURL)" : nil,
                        telemetry.metricsEnabled ? "metrics \(telemetry.metricsURL)" : nil].compactMap { $0 }.joined(separator: ", ")
            sent += telemetry.captureContent ? "   (with message content)" : "   (without message content)"
            lines.append("otel     \(sent)   (service \(telemetry.serviceName))")
        }
        lines.append("env      " + EnvLines.variables(proxyURL: proxyURL, caBundlePath: caBundle.path)
            .filter { ["HTTPS_PROXY", "HTTP_PROXY", "SSL_CERT_FILE"].contains($0.0) }
            .map { "\($0.0)=\($0.1)" }.joined(separator: " "))
        return lines.joined(separator: "\n")
    }

    /// Serves until SIGINT/SIGTERM; SIGHUP reloads upstream trust and clears the leaf cache.
    func runUntilSignalled() async {
        await serve {
            for await signal in SignalWatcher.signals([SIGINT, SIGTERM, SIGHUP]) {
                if signal == SIGHUP {
                    reloadLogging()
                    continue
                }
                logger.info("stopping: flushing recorded flows")
                break
            }
        }
        let stats = recorder.stats
        let spooled = stats.spooled > 0 ? ", \(stats.spooled) spooled for the next start" : ""
        Console.line("stopped: \(stats.recorded) flows recorded this run, \(stats.dropped) dropped, \(stats.lost) lost\(spooled)")
    }

    /// Serves until `stop` returns, then closes the proxy and flushes the recorder: `start` stops on a
    /// signal, `sightline run` when its child exits.
    func serve(until stop: () async -> Void) async {
        let stateWriter = Task { await gatewayState.run() }
        let web = options.noUI ? nil : Task { await self.runWeb() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.recorder.run() }
            group.addTask { await self.chargeCostLimits() }
            group.addTask { await self.proxy.trimMemoryWhenIdle() }
            if let shared = store as? PostgresFlowStore {
                group.addTask {
                    for await summary in shared.otherInstancesFlows() { self.recorder.announce(summary) }
                }
            }
            if let telemetry {
                group.addTask {
                    do { try await telemetry.run() } catch { self.logger.warning("OpenTelemetry export stopped", metadata: ["error": "\(error)"]) }
                }
            }
            await stop()
            await proxy.close()
            // Let exchanges that are finishing hand over their captures before the last flush.
            try? await Task.sleep(for: .milliseconds(200))
            await recorder.shutdown()
            // The last flows' spans are queued once the recorder is done; send them before leaving.
            await telemetry?.shutdown()
            gatewayState.finish()
            await stateWriter.value
            // Open requests (a UI's live /api/events) get a few seconds to end before the server is cancelled.
            if let server = webServices.withLock({ $0 }) { await server.triggerGracefulShutdown() }
            if let web {
                let deadline = Task {
                    try await Task.sleep(for: .seconds(5))
                    web.cancel()
                }
                await web.value
                deadline.cancel()
            }
            group.cancelAll()
        }
        if let shared = store as? PostgresFlowStore { await shared.close() }
    }

    /// `RateLimit-Policy: …;u=cents` counts what calls cost, known only once the recorder has priced them. The
    /// live feed also carries flows other instances recorded into a shared store: they were charged there.
    private func chargeCostLimits() async {
        for await summary in recorder.subscribe() where summary.instance == nil || summary.instance == instance {
            guard let gateway = summary.gateway, let text = gateway.rateLimitPolicy, let segment = gateway.rateLimitSegment,
                  let cost = summary.costUSD, let policy = try? RateLimitPolicy.parse(text), policy.unit == .cents else { continue }
            let cents = NSDecimalNumber(decimal: cost * 100).doubleValue
            rateLimiter.charge(policy: policy, segment: segment, units: cents, now: Date().timeIntervalSince1970)
        }
    }

    private func reloadLogging() {
        do {
            try proxy.reload()
        } catch {
            logger.warning("reload failed; the previous upstream trust stays in force", metadata: ["error": "\(error)"])
        }
    }

    private func runWeb() async {
        let replayHost = ["0.0.0.0", ""].contains(options.listen.host) ? "127.0.0.1" : options.listen.host == "::" ? "::1" : options.listen.host
        var telemetryStats: (@Sendable () -> TelemetryStats)?
        if let telemetry { telemetryStats = { telemetry.stats } }
        let services = WebServices(store: store, recorder: recorder, caCertificatePEM: authority.certificatePEM,
                                   reload: { [proxy] in try proxy.reload() }, password: uiPassword,
                                   replayTarget: ReplayTarget(host: replayHost, port: proxy.port, proxyCredentials: options.proxyAuth),
                                   proxyURL: proxyURL, caBundlePath: caBundle.path,
                                   clearCache: { [proxy] in proxy.clearResponseCache() },
                                   telemetryStats: telemetryStats)
        let app = WebApplication.make(services: services, host: options.ui.host, port: options.ui.port, logger: logger) { [self] port in
            boundUIPort.withLock { $0 = port }
            proxy.protect(port: port)
            let linkHost = ["0.0.0.0", "::", ""].contains(options.ui.host) ? "127.0.0.1" : options.ui.host
            telemetry?.linkFlows(toUI: "http://\(linkHost.contains(":") ? "[\(linkHost)]" : linkHost):\(port)")
            if quiet { return }
            let host = options.ui.host.contains(":") ? "[\(options.ui.host)]" : options.ui.host
            var line = "ui       http://\(host):\(port)"
            if generatedToken, let uiPassword { line += "   (token, shown once: \(uiPassword))" }
            Console.line(line)
        }
        let server = ServiceGroup(services: [app], logger: logger)
        webServices.withLock { $0 = server }
        do {
            try await server.run()
        } catch {
            logger.error("web UI stopped", metadata: ["error": "\(error)"])
        }
    }
}
