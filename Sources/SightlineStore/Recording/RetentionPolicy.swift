/// How long flows are kept and how large the store may grow; applied by the recorder's writer loop.
public struct RetentionPolicy: Sendable, Hashable {
    /// Flows older than this are deleted; nil keeps them whatever their age.
    public var maxAge: Duration?
    public var maxStoreBytes: Int?
    /// How often the writer checks.
    public var interval: Duration

    public init(maxAge: Duration? = nil, maxStoreBytes: Int? = nil, interval: Duration = .seconds(60)) {
        self.maxAge = maxAge
        self.maxStoreBytes = maxStoreBytes
        self.interval = interval
    }

    var isActive: Bool { maxAge != nil || maxStoreBytes != nil }
}
