import Foundation
import SightlineCore

/// Which flows to list, and where the page starts (SPEC §5.1 `GET /api/flows`). Filters combine with AND.
public struct FlowQuery: Sendable, Hashable {
    public static let defaultLimit = 50
    public static let maxLimit = 1000

    /// Page size, clamped to 1...maxLimit.
    public var limit: Int {
        didSet { limit = Self.clampLimit(limit) }
    }
    /// The `next` cursor of the previous page: only flows older than it are listed.
    public var before: String?
    public var host: String?
    public var provider: String?
    public var model: String?
    public var status: Int?
    public var mode: FlowMode?
    public var session: String?
    /// The calls of one conversation (`thread=ID`, the `thread_id` its calls share).
    public var thread: String?
    public var user: String?
    /// Only flows that failed this way (`error_kind=upstream_reset`).
    public var errorKind: FlowErrorKind?
    /// `property.NAME=value` filters; every one must match.
    public var properties: [String: String]
    /// Full-text search over prompts, outputs and the URL: whole words, or prefixes written `word*`.
    public var q: String?
    /// Time range on the start time: `since` inclusive, `until` exclusive.
    public var since: Date?
    public var until: Date?
    /// Leave out tunnelled connections (`tunnels=hide`): only the HTTP exchanges.
    public var hideTunnels: Bool

    public init(limit: Int = FlowQuery.defaultLimit, before: String? = nil, host: String? = nil, provider: String? = nil,
                model: String? = nil, status: Int? = nil, mode: FlowMode? = nil, session: String? = nil,
                user: String? = nil, errorKind: FlowErrorKind? = nil, properties: [String: String] = [:], q: String? = nil,
                since: Date? = nil, until: Date? = nil, hideTunnels: Bool = false) {
        self.limit = Self.clampLimit(limit)
        self.before = before
        self.host = host
        self.provider = provider
        self.model = model
        self.status = status
        self.mode = mode
        self.session = session
        self.user = user
        self.errorKind = errorKind
        self.properties = properties
        self.q = q
        self.since = since
        self.until = until
        self.hideTunnels = hideTunnels
    }

    /// Reads the query parameters of `GET /api/flows` (`limit`, `before`, `host`, `provider`, `model`,
    /// `status`, `mode`, `session`, `thread`, `user`, `error_kind`, `property.NAME`, `q`, `since`, `until` as RFC 3339
    /// or Unix milliseconds, `tunnels=hide`). Empty values count as absent and
    /// unknown names are ignored, so the web API and the CLI parse filters the same way.
    public init(parameters: [(name: String, value: String)]) {
        self.init()
        for (name, value) in parameters where !value.isEmpty {
            switch name {
            case "limit": if let n = Int(value) { limit = Self.clampLimit(n) } // observers do not run in init
            case "before": before = value
            case "host": host = value
            case "provider": provider = value
            case "model": model = value
            case "status": status = Int(value)
            case "mode": mode = FlowMode(rawValue: value)
            case "session": session = value
            case "thread": thread = value
            case "user": user = value
            case "error_kind": errorKind = FlowErrorKind(rawValue: value)
            case "q": q = value
            case "since": since = Self.parseTime(value)
            case "until": until = Self.parseTime(value)
            case "tunnels": hideTunnels = value == "hide"
            default:
                if name.hasPrefix("property."), name.count > "property.".count {
                    properties[String(name.dropFirst("property.".count))] = value
                }
            }
        }
    }

    /// A time as the API takes it: RFC 3339, or a number of Unix milliseconds.
    public static func parseTime(_ value: String) -> Date? {
        if let ms = Double(value), ms.isFinite, abs(ms) < 1e15 { return Date(milliseconds: Int64(ms)) }
        return RFC3339.date(from: value)
    }

    private static func clampLimit(_ limit: Int) -> Int { min(max(limit, 1), maxLimit) }
}
