import ArgumentParser
import Foundation
import SightlineCA
import SightlineSetup

struct EnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Print the environment that routes a program through Sightline: eval \"$(sightline env)\".",
        discussion: """
        Sets HTTPS_PROXY/HTTP_PROXY (and lower case), NO_PROXY for loopback, and SSL_CERT_FILE, REQUESTS_CA_BUNDLE, \
        CURL_CA_BUNDLE, NODE_EXTRA_CA_CERTS, GIT_SSL_CAINFO, AWS_CA_BUNDLE, DENO_CERT, CARGO_HTTP_CAINFO, … to a bundle of \
        the system roots plus the Sightline CA. Node's built-in fetch follows the proxy only from Node 24.5 / 22.21 \
        (NODE_USE_ENV_PROXY=1, set here); for older Node use `sightline run` or undici's EnvHttpProxyAgent. \
        fish: sightline env --shell fish | source
        """
    )

    @OptionGroup var data: DataDirectoryOption
    @Option(help: "The proxy address to point at (host:port of a running `sightline start`).")
    var listen = ListenAddress(host: "127.0.0.1", port: 9020)
    @Option(help: "bash, zsh or fish (default: from $SHELL).")
    var shell: String?
    @Flag(help: "Print the lines that remove these variables again.")
    var unset = false

    func validate() throws {
        if let shell, Shell(rawValue: shell) == nil { throw ValidationError("--shell must be bash, zsh or fish, not \(shell)") }
    }

    func run() throws {
        let shell = shell.flatMap(Shell.init(rawValue:)) ?? Shell.detect(fromShellVariable: ProcessInfo.processInfo.environment["SHELL"])
        let bundle = data.url.appendingPathComponent(TrustBundle.fileName)
        let environment = ProxyEnvironment(listenHost: listen.host, port: listen.port, caBundlePath: bundle.path)
        if unset {
            print(environment.unsetScript(shell: shell))
            return
        }
        // The bundle must exist before a client reads it, even if `start` has not run yet with this data dir.
        do {
            let authority = try CertificateAuthority.loadOrCreate(in: data.url)
            try TrustBundle.write(authority: authority, in: data.url)
        } catch {
            FileHandle.standardError.write(Data("sightline env: could not write \(bundle.path): \(error)\n".utf8))
        }
        print(environment.exportScript(shell: shell))
    }
}
