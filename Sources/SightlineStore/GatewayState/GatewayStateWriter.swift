/// A store's writer of the gateway state its journal queued: `run` until `finish`, which lets it write the rest.
public protocol GatewayStateWriter: Sendable {
    func run() async
    func finish()
}

extension SQLiteGatewayState: GatewayStateWriter {}
extension PostgresGatewayState: GatewayStateWriter {}
