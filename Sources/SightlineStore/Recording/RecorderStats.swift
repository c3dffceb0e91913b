/// Counters of a `FlowRecorder`, for `/metrics`, `sightline stats` and the UI's "not recorded" badge.
public struct RecorderStats: Sendable, Hashable, Codable {
    /// Captures waiting in memory to be written.
    public var queued: Int
    /// Captures waiting in the spool file (the writer fell behind, or a previous run left them).
    public var spooled: Int
    /// Flows written to the store.
    public var recorded: Int
    /// Captures turned away: the queue was full and the spool could not take them (absent, or the disk full).
    public var dropped: Int
    /// Failed write attempts (a batch retried three times counts three).
    public var writeErrors: Int
    /// Flows given up after their batch kept failing to write.
    public var lost: Int
    /// Flows deleted by retention.
    public var pruned: Int
    /// Why the store refuses writes, while it does (a PostgreSQL server away, a disk full); nil once a write
    /// succeeds again. The UI says the store is unreachable while this is set.
    public var storeError: String?
    /// When the writes began to fail (RFC 3339, as the API writes times).
    public var storeFailingSince: String?

    public init(queued: Int = 0, spooled: Int = 0, recorded: Int = 0, dropped: Int = 0, writeErrors: Int = 0, lost: Int = 0, pruned: Int = 0) {
        self.queued = queued
        self.spooled = spooled
        self.recorded = recorded
        self.dropped = dropped
        self.writeErrors = writeErrors
        self.lost = lost
        self.pruned = pruned
    }

    enum CodingKeys: String, CodingKey {
        case queued, spooled, recorded, dropped, writeErrors = "write_errors", lost, pruned
        case storeError = "store_error", storeFailingSince = "store_failing_since"
    }
}
