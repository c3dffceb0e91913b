/// A body as the proxy saw it: the first `cap` bytes, and the true size of all that passed.
public struct CapturedBody: Sendable, Hashable {
    public private(set) var bytes: [UInt8]
    public private(set) var totalBytes: Int
    public let capBytes: Int

    public init(capBytes: Int, bytes: [UInt8] = []) {
        self.capBytes = capBytes
        self.bytes = []
        self.totalBytes = 0
        append(bytes)
    }

    /// A body as it was kept earlier (read back from the recorder's spool): `bytes` already capped.
    public init(capBytes: Int, keptBytes bytes: [UInt8], totalBytes: Int) {
        self.capBytes = capBytes
        self.bytes = bytes
        self.totalBytes = max(totalBytes, bytes.count)
    }

    public var isTruncated: Bool { totalBytes > bytes.count }

    public mutating func append<Bytes: Collection>(_ chunk: Bytes) where Bytes.Element == UInt8 {
        totalBytes += chunk.count
        let room = capBytes - bytes.count
        guard room > 0 else { return }
        if chunk.count <= room {
            bytes.append(contentsOf: chunk)
        } else {
            bytes.append(contentsOf: chunk.prefix(room))
        }
    }

    /// Records bytes that passed without keeping them (a tunnel's encrypted stream, an omitted body).
    public mutating func count(_ byteCount: Int) {
        totalBytes += byteCount
    }
}
