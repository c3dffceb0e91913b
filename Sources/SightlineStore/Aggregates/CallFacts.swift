import Foundation
import SightlineCore

/// What aggregates over many flows (the dashboard, sessions) need of one flow, read without its
/// headers, bodies or the rest of its summary, so that a million of them can be visited in a second.
public struct CallFacts: Sendable {
    public var startedAt: Date
    public var mode: FlowMode
    public var host: String
    public var status: Int?
    public var error: String?
    /// nil when the call did not fail, or failed before kinds were recorded.
    public var errorKind: FlowErrorKind?
    public var durationMs: Double?
    public var provider: String?
    public var model: String?
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var costUSD: Decimal?
    public var ttftMs: Double?
    public var sessionID: String?
    public var sessionName: String?
    public var userID: String?
    public var gateway: GatewayRecord?
    /// The Sightline that recorded the call (rollups are kept per instance, so instances never write the same row).
    public var instance: String?

    public init(startedAt: Date, mode: FlowMode, host: String, status: Int? = nil, error: String? = nil, errorKind: FlowErrorKind? = nil,
                durationMs: Double? = nil, provider: String? = nil, model: String? = nil, inputTokens: Int? = nil,
                outputTokens: Int? = nil, costUSD: Decimal? = nil,
                ttftMs: Double? = nil, sessionID: String? = nil, sessionName: String? = nil, userID: String? = nil,
                gateway: GatewayRecord? = nil, instance: String? = nil) {
        self.startedAt = startedAt
        self.mode = mode
        self.host = host
        self.status = status
        self.error = error
        self.errorKind = errorKind
        self.durationMs = durationMs
        self.provider = provider
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.costUSD = costUSD
        self.ttftMs = ttftMs
        self.sessionID = sessionID
        self.sessionName = sessionName
        self.userID = userID
        self.gateway = gateway
        self.instance = instance
    }

    /// A failed call: an error, a status of 400 or more, or no response at all.
    public var failed: Bool { error != nil || status == nil || (status ?? 0) >= 400 }
}

/// Folds flows into a result, one at a time, inside the store's read (see `FlowStore.accumulate`).
public protocol FlowAccumulator: Sendable {
    mutating func add(_ call: CallFacts)
}

extension GatewayTotals: FlowAccumulator {
    public mutating func add(_ call: CallFacts) {
        guard let gateway = call.gateway else { return }
        add(gateway)
    }
}
