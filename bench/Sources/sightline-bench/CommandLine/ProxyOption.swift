/// One `--proxy name=NAME,url=http://127.0.0.1:PORT,ca=CA.pem,pid=PID`: a proxy under test, its CA
/// (which the client trusts through it) and its process (whose memory and CPU are read).
struct ProxyOption {
    let name: String
    let address: Endpoint
    let caFile: String
    let pid: Int32

    init(_ text: String) throws {
        var fields: [Substring: Substring] = [:]
        for pair in text.split(separator: ",") {
            let keyValue = pair.split(separator: "=", maxSplits: 1)
            if keyValue.count == 2 { fields[keyValue[0]] = keyValue[1] }
        }
        guard let name = fields["name"], let url = fields["url"], let ca = fields["ca"],
              let pidText = fields["pid"], let pid = Int32(pidText) else {
            throw BenchError("--proxy needs name=…,url=http://host:port,ca=file.pem,pid=N; got \(text)")
        }
        var hostPort = url
        if hostPort.hasPrefix("http://") { hostPort = hostPort.dropFirst("http://".count) }
        while hostPort.hasSuffix("/") { hostPort = hostPort.dropLast() }
        guard let colon = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: colon)...]) else {
            throw BenchError("--proxy url must be http://host:port; got \(url)")
        }
        self.name = String(name)
        self.address = Endpoint(host: String(hostPort[..<colon]), port: port)
        self.caFile = String(ca)
        self.pid = pid
    }
}
