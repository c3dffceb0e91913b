/// One dispatched server-sent event. `event` is nil when the stream named no type (the spec's
/// default "message"); `id` is the last event ID in force when it was dispatched, nil when none.
public struct SSEEvent: Sendable, Hashable {
    public var event: String?
    public var data: String
    public var id: String?
    public var retry: Int?
    public init(event: String? = nil, data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}
