import ArgumentParser
import Foundation
import Logging
import SightlineCA
import SightlineSetup
import SightlineStore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a program with its HTTP(S) going through Sightline, then summarize its LLM calls.",
        usage: "sightline run [start flags] -- CMD [ARG…]",
        discussion: """
        Uses the Sightline that answers on --listen/--ui if one runs; otherwise starts one in this process on free \
        ports for as long as the program runs. The program gets the `sightline env` variables, plus a sitecustomize.py \
        on PYTHONPATH that makes aiohttp honour them and a NODE_OPTIONS preload that does the same for fetch on an \
        older Node. Its stdio is inherited, SIGINT/SIGTERM/SIGHUP are passed on, and its exit status is returned. The summary goes to stderr.
        """
    )

    @OptionGroup var options: StartOptions

    @Argument(parsing: .postTerminator, help: "The program and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty { throw ValidationError("give the program after --, e.g. sightline run -- python3 app.py") }
    }

    func run() async throws {
        // From here on SIGINT/SIGTERM/SIGHUP are ours: the child is what they are meant to stop.
        let signals = SignalWatcher.signals([SIGINT, SIGTERM, SIGHUP])
        var logger = Logger(label: "sightline")
        // The child owns the terminal: without an explicit --log-level, nothing of ours is interleaved with
        // its output (failed calls reach the child as 502s and are recorded on their flows anyway).
        logger.logLevel = CommandLine.arguments.prefix { $0 != "--" }.contains { $0 == "--log-level" || $0.hasPrefix("--log-level=") } ? options.level : .critical

        let runDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("sightline-run-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: runDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: runDirectory) }
        try PythonSiteCustomize.source.write(to: runDirectory.appendingPathComponent(PythonSiteCustomize.fileName), atomically: true, encoding: .utf8)
        try NodePreload.source.write(to: runDirectory.appendingPathComponent(NodePreload.fileName), atomically: true, encoding: .utf8)

        let started = Date()
        let termination: ChildProcess.Termination
        let flows: [FlowSummary]?
        let whereToSee: [String]
        if let running = await runningInstance() {
            let bundle = runDirectory.appendingPathComponent(TrustBundle.fileName)
            let roots = TrustBundle.systemRootsPath().flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
            try TrustBundleContents.make(systemRoots: roots, caPEM: running.caPEM).write(to: bundle, atomically: true, encoding: .utf8)
            let environment = ProxyEnvironment(listenHost: options.listen.host, port: options.listen.port, caBundlePath: bundle.path)
            note("recording through the running Sightline at \(environment.proxyURL) (UI \(running.client.base))")
            termination = try await runChild(environment: environment, runDirectory: runDirectory.path, signals: signals)
            flows = await settledFlows(from: running.client, since: started)
            // Another instance records every client's traffic: these are the calls made while the program ran.
            let dataFlag = options.data.dataDir.map { " --data-dir " + ShellQuoting.quote($0) } ?? ""
            whereToSee = ["\(running.client.base)/", "sightline flows\(dataFlag)"]
        } else {
            var own = options
            // Free ports: a fixed one could be taken, and another `run` must not mistake ours for a lasting instance.
            own.listen.port = 0
            own.ui.port = 0
            let runtime = try await SightlineRuntime.start(options: own, logger: logger, quiet: true)
            let environment = ProxyEnvironment(listenHost: own.listen.host, port: runtime.proxy.port, caBundlePath: runtime.caBundle.path)
            note("recording through \(environment.proxyURL) (started for this program; store \(own.storePath))")
            var result = ChildProcess.Termination(exitCode: 127, signal: nil)
            var failure: (any Error)?
            await runtime.serve {
                do {
                    result = try await runChild(environment: environment, runDirectory: runDirectory.path, signals: signals)
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
            termination = result
            flows = try? await runtime.store.allFlows(FlowFilterOptions.parse([]), since: started)
            let dataFlag = options.data.dataDir.map { " --data-dir " + ShellQuoting.quote($0) } ?? ""
            whereToSee = ["sightline flows\(dataFlag)", "sightline show last\(dataFlag)", "sightline start\(dataFlag) (then the UI)"]
        }

        let summary = RunSummary(command: command, termination: termination, flows: flows, whereToSee: whereToSee)
        FileHandle.standardError.write(Data((summary.text() + "\n").utf8))
        if termination.exitCode != 0 { throw ExitCode(termination.exitCode) }
    }

    private struct RunningInstance {
        let client: InstanceAPI
        let caPEM: String
    }

    /// A Sightline that answers on the configured UI port (and whose proxy port accepts connections).
    /// Port 0 means "a fresh one", so nothing is probed then.
    private func runningInstance() async -> RunningInstance? {
        guard options.listen.port != 0, options.ui.port != 0, !options.noUI else { return nil }
        let loopback = { (host: String) in host == "0.0.0.0" ? "127.0.0.1" : (host == "::" ? "::1" : host) }
        let password = options.uiPassword ?? ProcessInfo.processInfo.environment["SIGHTLINE_UI_PASSWORD"]
        let client = InstanceAPI(host: loopback(options.ui.host), port: options.ui.port, password: password)
        guard await client.isSightline(), let pem = await client.caPEM(),
              await InstanceAPI.accepts(host: loopback(options.listen.host), port: options.listen.port) else { return nil }
        return RunningInstance(client: client, caPEM: pem)
    }

    private func runChild(environment: ProxyEnvironment, runDirectory: String, signals: AsyncStream<Int32>) async throws -> ChildProcess.Termination {
        let childEnvironment = environment.childEnvironment(base: ProcessInfo.processInfo.environment, runDirectory: runDirectory)
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(command, environment: childEnvironment)
        } catch let error as ChildProcess.SpawnError {
            throw ValidationError(error.reason)
        }
        let forwarder = Task {
            for await signal in signals {
                // Ctrl-C in a terminal already went to the child (same foreground process group); sending it
                // again would interrupt its own clean-up.
                if signal == SIGINT && Self.terminalSentInterrupts() { continue }
                child.send(signal)
            }
        }
        let termination = await child.wait()
        forwarder.cancel()
        return termination
    }

    private static func terminalSentInterrupts() -> Bool {
        isatty(STDIN_FILENO) == 1 && tcgetpgrp(STDIN_FILENO) == getpgrp()
    }

    /// Another instance records asynchronously (batched every ~100 ms): read until the count stops changing.
    private func settledFlows(from client: InstanceAPI, since: Date) async -> [FlowSummary]? {
        var last: [FlowSummary]?
        for _ in 0..<10 {
            try? await Task.sleep(for: .milliseconds(300))
            let now = await client.flows(since: since)
            if let now, let last, now.count == last.count { return now }
            last = now
        }
        return last
    }

    private func note(_ text: String) {
        FileHandle.standardError.write(Data("sightline: \(text)\n".utf8))
    }
}
