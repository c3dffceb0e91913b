/// A host and port to dial or to name in a CONNECT request.
struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    let host: String
    let port: Int

    var description: String { "\(host):\(port)" }

    /// IP literals must not go out as SNI (NIOSSL refuses them); names must, so the server can pick.
    var serverNameIndication: String? { host.first?.isNumber == true ? nil : host }
}
