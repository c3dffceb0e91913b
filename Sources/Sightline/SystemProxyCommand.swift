import ArgumentParser
import Foundation
import SightlineSetup

struct SystemProxyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "system-proxy",
        abstract: "Point the desktop's proxy setting (macOS network services, GNOME) at Sightline, or turn it off."
    )

    @Argument(help: "on or off.") var state: String
    @Option(help: "The proxy address to point at.") var listen = ListenAddress(host: "127.0.0.1", port: 9020)
    @Option(help: "macos or gnome (default: detected).") var desktop: String?
    @Option(help: "macOS network service to set (default: every enabled one); repeatable.") var service: [String] = []
    @Flag(help: "Print the exact commands instead of running them.") var dryRun = false

    func validate() throws {
        guard state == "on" || state == "off" else { throw ValidationError("say on or off, not \(state)") }
        if let desktop, SystemProxyPlanner.Desktop(rawValue: desktop) == nil { throw ValidationError("--desktop must be macos or gnome") }
    }

    func run() throws {
        guard let desktop = desktop.flatMap(SystemProxyPlanner.Desktop.init(rawValue:))
                ?? SystemProxyPlanner.detect(environment: ProcessInfo.processInfo.environment) else {
            throw ValidationError("no supported desktop found (macOS, or GNOME by XDG_CURRENT_DESKTOP); pass --desktop macos|gnome, "
                + "or use `eval \"$(sightline env)\"` for programs started from a shell")
        }
        var services = service
        if services.isEmpty && desktop == .macos {
            services = SystemProxyPlanner.enabledServices(networksetupListing: Self.capture(["networksetup", "-listallnetworkservices"]) ?? "")
            if services.isEmpty && dryRun { services = ["Wi-Fi"] } // not on a Mac: show the steps for the usual service
        }
        let planner = SystemProxyPlanner(desktop: desktop, host: listen.host, port: listen.port, services: services)
        let plan = state == "on" ? planner.onPlan() : planner.offPlan()
        if dryRun {
            print(plan.shellScript)
            return
        }
        try PlanExecutor(announce: { print("+ " + $0) }).run(plan)
        plan.notes.forEach { print("# " + $0) }
    }

    private static func capture(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
