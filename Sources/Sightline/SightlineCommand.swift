import ArgumentParser

@main
struct SightlineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sightline",
        abstract: "See every call your app makes to an LLM API: an intercepting proxy, a gateway and a recorder.",
        version: SightlineVersion.current,
        subcommands: [StartCommand.self, FlowsCommand.self, ShowCommand.self, TailCommand.self, StatsCommand.self, ExportCommand.self, ReplayCommand.self, DiffCommand.self,
                      EnvCommand.self,
                      RunCommand.self, CACommand.self, SystemProxyCommand.self],
        defaultSubcommand: nil
    )
}

enum SightlineVersion {
    static let current = "0.1.0"
}
