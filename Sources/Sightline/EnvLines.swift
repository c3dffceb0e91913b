import SightlineSetup

/// The start banner's view of the environment that routes a program through Sightline; the list itself
/// lives in `SightlineSetup.ProxyEnvironment`, the one home of those variables.
enum EnvLines {
    static func variables(proxyURL: String, caBundlePath: String) -> [(String, String)] {
        ProxyEnvironment(proxyURL: proxyURL, caBundlePath: caBundlePath).variables.map { ($0.name, $0.value) }
    }
}
