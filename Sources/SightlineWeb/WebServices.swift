import SightlineStore

/// What the web API reads and controls. The executable wires the real pieces in.
public struct WebServices: Sendable {
    public var store: any FlowStore
    public var recorder: FlowRecorder?
    public var caCertificatePEM: String
    /// Re-reads upstream trust and clears the leaf cache (nil when no proxy runs in this process).
    public var reload: (@Sendable () throws -> Void)?
    /// Required as a bearer token, basic password or `sightline_token` cookie; nil on loopback.
    public var password: String?

    public init(store: any FlowStore, recorder: FlowRecorder?, caCertificatePEM: String, reload: (@Sendable () throws -> Void)?,
                password: String?) {
        self.store = store
        self.recorder = recorder
        self.caCertificatePEM = caCertificatePEM
        self.reload = reload
        self.password = password
    }
}
