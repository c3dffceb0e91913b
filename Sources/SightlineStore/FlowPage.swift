/// One page of `GET /api/flows`: `{"flows":[…],"next":"<cursor or null>"}`.
public struct FlowPage: Sendable, Codable, Hashable {
    public var flows: [FlowSummary]
    /// Pass as `FlowQuery.before` for the next (older) page; nil on the last page.
    public var next: String?

    public init(flows: [FlowSummary], next: String?) {
        self.flows = flows
        self.next = next
    }

    enum CodingKeys: String, CodingKey { case flows, next }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(flows, forKey: .flows)
        try container.encode(next, forKey: .next) // explicit null: scripts expect the key
    }
}
