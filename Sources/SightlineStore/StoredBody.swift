/// A body as stored: the kept bytes (decompressed when the `Content-Encoding` could be undone)
/// and the facts needed to read them right.
public struct StoredBody: Sendable, Hashable {
    public var bytes: [UInt8]
    /// The true size on the wire, even when less was kept or the body was omitted.
    public var size: Int
    /// Fewer bytes were kept than passed (the capture cap).
    public var truncated: Bool
    /// `bytes` were decompressed from the recorded `Content-Encoding`: replaying them needs the
    /// header dropped or the body re-encoded.
    public var decoded: Bool
    /// The flow asked not to store this side (`Omit-Request` / `Omit-Response`).
    public var omitted: Bool

    public init(bytes: [UInt8], size: Int, truncated: Bool, decoded: Bool = false, omitted: Bool = false) {
        self.bytes = bytes
        self.size = size
        self.truncated = truncated
        self.decoded = decoded
        self.omitted = omitted
    }

    /// The bytes as text when they are valid UTF-8 (what the API shows as `body`).
    public var text: String? {
        String(validating: bytes, as: UTF8.self)
    }
}
