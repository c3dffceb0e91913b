import ArgumentParser
import Foundation

struct EnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Print the environment that routes a program through Sightline: eval \"$(sightline env)\"."
    )

    @OptionGroup var data: DataDirectoryOption
    @Option(help: "The proxy address to point at.") var listen = ListenAddress(host: "127.0.0.1", port: 9020)
    @Option(help: "bash, zsh or fish.") var shell = "bash"

    func run() throws {
        let host = listen.host.contains(":") ? "[\(listen.host)]" : listen.host
        let bundle = data.url.appendingPathComponent("ca-bundle.pem").path
        print(EnvLines.render(EnvLines.variables(proxyURL: "http://\(host):\(listen.port)", caBundlePath: bundle), shell: shell))
    }
}
