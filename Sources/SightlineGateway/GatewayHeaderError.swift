/// A gateway header the client sent that cannot be honoured: answered with 400 and this reason.
public struct GatewayHeaderError: Error, CustomStringConvertible, Sendable, Equatable {
    public let header: String
    public let reason: String

    public init(header: String, reason: String) {
        self.header = header
        self.reason = reason
    }

    public var description: String { "\(header): \(reason)" }
}
