import Foundation

/// The printed report: machine, settings, one table with a column per route (direct first) and a
/// "vs direct" column after each proxy, the issue's targets judged for the first proxy (Sightline),
/// and what limited the run. A report, not a test: missing a target changes no exit status.
struct BenchReport {
    let results: [RouteResults]
    let settings: BenchSettings

    private var direct: RouteResults { results[0] }
    private var proxies: [RouteResults] { Array(results.dropFirst()) }

    func render() -> String {
        [machineLine(), settingsLine(), "", table().render(), "", limitsLine()].joined(separator: "\n")
    }

    private func table() -> TextTable {
        var header = ["metric", direct.route.name]
        for proxy in proxies { header += [proxy.route.name, "vs direct"] }
        var table = TextTable(header: header + ["target (Sightline)"])

        for clients in BenchSettings.clientCounts {
            let label = clients == 1 ? "1 client" : "\(clients) clients"
            table.add(latencyRow("POST latency p50, \(label)", clients: clients, \.p50,
                                 target: clients == 1 ? ("added ≤ 0.1 ms", 100_000) : nil))
            table.add(latencyRow("POST latency p99, \(label)", clients: clients, \.p99, target: nil))
        }
        table.addSeparator()
        for clients in BenchSettings.clientCounts {
            table.add(throughputRow(clients: clients, targetShare: clients == 32 ? 0.5 : nil))
        }
        table.add(row("proxy CPU per request, 32 clients", direct: "—", proxy: { Formatting.microseconds($0.load[32]?.proxyCPUPerRequest) }))
        table.addSeparator()
        table.add(delayRow("SSE event delay p50", \.sseDelay, \.p50, target: nil))
        table.add(delayRow("SSE event delay p99", \.sseDelay, \.p99, target: ("added ≤ 0.5 ms", 500_000)))
        table.add(delayRow("WebSocket message delay p50", \.webSocketDelay, \.p50, target: nil))
        table.add(delayRow("WebSocket message delay p99", \.webSocketDelay, \.p99, target: ("added ≤ 0.5 ms", 500_000)))
        table.addSeparator()
        table.add(firstConnectionRow("connection setup p50, new host", \.newHost))
        table.add(firstConnectionRow("connection setup p50, same host again", \.repeatedHost))
        table.addSeparator()
        table.add(row("proxy RSS at idle (before traffic)", direct: "—", proxy: { Formatting.megabytes($0.idle?.residentBytes) }))
        table.add(memoryRow())
        table.add(row("proxy RSS after the streams closed", direct: "—",
                      proxy: { Formatting.megabytes($0.manyStreams?.residentBytesAfterClose) }))
        table.add(row("proxy open fds: idle → after the streams closed", direct: "—", proxy: { proxy in
            guard let idle = proxy.idle, let after = proxy.manyStreams else { return "—" }
            return "\(idle.openFileDescriptors) → \(after.openFileDescriptorsAfterClose)"
        }))
        table.addSeparator()
        addWebSocketMemoryRows(to: &table)
        return table
    }

    /// The 1,000-WebSocket rows. Named "WebSockets: …" so `hey_report.py`, which finds rows by the
    /// start of their name, cannot mistake them for the SSE streams' rows.
    private func addWebSocketMemoryRows(to table: inout TextTable) {
        let count = settings.memoryWebSockets
        table.add(row("WebSockets: proxy RSS before opening \(count)", direct: "—",
                      proxy: { Formatting.megabytes($0.manyWebSockets?.residentBytesBefore) }))
        var peak = ["WebSockets: proxy peak RSS, \(count) open", "—"]
        for proxy in proxies {
            peak += [Formatting.megabytes(proxy.manyWebSockets?.peakSampledResidentBytes), ""]
        }
        let sightlinePeak = proxies.first?.manyWebSockets?.peakSampledResidentBytes
        table.add(peak + [judged("≤ 60 MB", met: sightlinePeak.map { $0 <= 60_000_000 })])
        table.add(row("WebSockets: proxy RSS per open socket (peak − before)", direct: "—",
                      proxy: { Formatting.kilobytes($0.manyWebSockets?.residentBytesPerSession) }))
        table.add(row("WebSockets: proxy RSS after they closed", direct: "—",
                      proxy: { Formatting.megabytes($0.manyWebSockets?.residentBytesAfterClose) }))
        table.add(row("WebSockets: proxy open fds before → after they closed", direct: "—", proxy: { proxy in
            guard let sockets = proxy.manyWebSockets else { return "—" }
            return "\(sockets.openFileDescriptorsBefore) → \(sockets.openFileDescriptorsAfterClose)"
        }))
        table.add(row("WebSockets: closed with a close handshake", direct: "—", proxy: { proxy in
            guard let sockets = proxy.manyWebSockets else { return "—" }
            return "\(sockets.closedCleanly) / \(sockets.sessionsOpen)"
        }))
    }

    // MARK: Rows

    private func latencyRow(_ metric: String, clients: Int, _ percentile: KeyPath<Samples, Int64?>,
                            target: (text: String, addedNanoseconds: Int64)?) -> [String] {
        let base = direct.load[clients]?.latency[keyPath: percentile]
        var cells = [metric, Formatting.milliseconds(base)]
        for proxy in proxies {
            let value = proxy.load[clients]?.latency[keyPath: percentile]
            cells += [Formatting.milliseconds(value), Formatting.addedMilliseconds(value, base)]
        }
        let sightline = proxies.first?.load[clients]?.latency[keyPath: percentile]
        return cells + [judged(target?.text, met: target.flatMap { target in
            sightline.flatMap { value in base.map { value - $0 <= target.addedNanoseconds } }
        })]
    }

    private func throughputRow(clients: Int, targetShare: Double?) -> [String] {
        let base = direct.load[clients]?.requestsPerSecond
        var cells = ["throughput, \(clients == 1 ? "1 client" : "\(clients) clients")", Formatting.rate(base)]
        for proxy in proxies {
            let value = proxy.load[clients]?.requestsPerSecond
            cells += [Formatting.rate(value), Formatting.percent(value, of: base)]
        }
        let sightline = proxies.first?.load[clients]?.requestsPerSecond
        let met = targetShare.flatMap { share in sightline.flatMap { value in base.map { value >= share * $0 } } }
        return cells + [judged(targetShare.map { "≥ \(Int($0 * 100))% of direct" }, met: met)]
    }

    /// A percentile of per-event delays (SSE events, WebSocket messages), the added time per proxy.
    private func delayRow(_ metric: String, _ delays: KeyPath<RouteResults, Samples>, _ percentile: KeyPath<Samples, Int64?>,
                          target: (text: String, addedNanoseconds: Int64)?) -> [String] {
        let base = direct[keyPath: delays][keyPath: percentile]
        var cells = [metric, Formatting.milliseconds(base)]
        for proxy in proxies {
            let value = proxy[keyPath: delays][keyPath: percentile]
            cells += [Formatting.milliseconds(value), Formatting.addedMilliseconds(value, base)]
        }
        let sightline = proxies.first?[keyPath: delays][keyPath: percentile]
        return cells + [judged(target?.text, met: target.flatMap { target in
            sightline.flatMap { value in base.map { value - $0 <= target.addedNanoseconds } }
        })]
    }

    private func firstConnectionRow(_ metric: String, _ hosts: KeyPath<FirstConnectionScenario.Result, Samples>) -> [String] {
        let base = direct.firstConnection?[keyPath: hosts].p50
        var cells = [metric, Formatting.milliseconds(base)]
        for proxy in proxies {
            let value = proxy.firstConnection?[keyPath: hosts].p50
            cells += [Formatting.milliseconds(value), Formatting.addedMilliseconds(value, base)]
        }
        return cells + [""]
    }

    private func memoryRow() -> [String] {
        var cells = ["proxy peak RSS, \(settings.memoryStreams) open SSE streams", "—"]
        for proxy in proxies {
            cells += [Formatting.megabytes(proxy.manyStreams?.peakSampledResidentBytes), ""]
        }
        let peak = proxies.first?.manyStreams?.peakSampledResidentBytes
        return cells + [judged("≤ 60 MB", met: peak.map { $0 <= 60_000_000 })]
    }

    private func row(_ metric: String, direct value: String, proxy: (RouteResults) -> String) -> [String] {
        [metric, value] + proxies.flatMap { [proxy($0), ""] } + [""]
    }

    private func judged(_ target: String?, met: Bool?) -> String {
        guard let target else { return "" }
        guard let met else { return target }
        return target + (met ? "  met" : "  MISSED")
    }

    // MARK: Lines around the table

    private func machineLine() -> String {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown CPU"
        // Other work on the machine (a build, say) takes cores from every route and widens the tails.
        let loadAverage = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?")
            .split(separator: " ").first.map(String.init) ?? "?"
        return "machine: \(ProcessInfo.processInfo.activeProcessorCount) CPUs (nproc), \(model), 1-min load average \(loadAverage) at the end; loopback TCP, TLS with P-256 certificates"
    }

    private func settingsLine() -> String {
        let load = "load \(Int(settings.loadSeconds)) s per run after \(settings.warmupSeconds) s warm-up, ~300-byte JSON each way"
        let sse = "SSE \(settings.sseStreams)×\(settings.sseEvents) events \(settings.sseGapMilliseconds) ms apart"
        let webSocket = "WebSocket \(settings.webSocketSessions)×\(settings.webSocketMessages) ~200-byte text messages \(settings.webSocketGapMilliseconds) ms apart"
        let setup = "setup = dial to TLS done, \(BenchHosts.firstConnectionCount) samples each"
        var lines = "settings: \(load); \(sse); \(webSocket); \(setup)"
        for proxy in proxies {
            if let streams = proxy.manyStreams {
                lines += String(format: "\n%@: %d streams opened in %.1f s, %d events received by the clients over them; peak = max VmRSS sampled every 50 ms (VmHWM after: %@)",
                                proxy.route.name, streams.streamsOpen, streams.secondsToOpen, streams.eventsReceived,
                                Formatting.megabytes(streams.highWaterMarkBytes))
            }
            if let sockets = proxy.manyWebSockets {
                lines += String(format: "\n%@: %d WebSockets opened in %.1f s (%d setting up at a time), each sent a message every %d ms (live, not idle), %d messages received over them; held %.0f s, peak = max VmRSS sampled every 50 ms; then each sent a close frame",
                                proxy.route.name, sockets.sessionsOpen, sockets.secondsToOpen, BoundedOpening.defaultParallelism,
                                settings.memoryWebSocketGapMilliseconds,
                                sockets.messagesReceived, settings.memoryWebSocketHoldSeconds)
            }
        }
        return lines
    }

    /// Where the CPU went during the 32-client runs: proxy, client and upstream share the machine,
    /// so proxied throughput is bounded by their sum, not by the proxy alone.
    private func limitsLine() -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var parts = ["what limits this: client, upstream (one bench process) and proxy share \(cores) cores"]
        if let load = direct.load[32] {
            parts.append("at 32 clients direct, the bench used \(Formatting.cores(load.benchCores)) cores")
        }
        for proxy in proxies {
            guard let load = proxy.load[32] else { continue }
            parts.append("via \(proxy.route.name), the bench used \(Formatting.cores(load.benchCores)) and \(proxy.route.name) \(Formatting.cores(load.proxyCores)) cores (\(Formatting.microseconds(load.proxyCPUPerRequest)) proxy CPU, \(Formatting.microseconds(load.benchCPUPerRequest)) bench CPU per request)")
        }
        return parts.joined(separator: "; ") + "."
    }
}
