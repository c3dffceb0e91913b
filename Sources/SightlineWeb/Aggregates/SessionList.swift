import Foundation
import SightlineCore
import SightlineStore

/// `GET /api/sessions`: the sessions seen among recent flows (`Sightline-Session-Id`), newest first,
/// with totals. One session's calls are then listed by `GET /api/flows?session=ID`; the UI builds the
/// tree from their `session_path`.
struct SessionList: Encodable {
    var sessions: [Session]
    var scanned: Int
    var complete: Bool

    struct Session: Encodable {
        var id: String
        var name: String?
        var calls = 0
        var errors = 0
        var firstStartedAt: Date
        var lastStartedAt: Date
        var durationMs: Double = 0
        var inputTokens = 0
        var outputTokens = 0
        var costUSD: Decimal = 0
        var models: [String] = []
        var users: [String] = []
        /// When the session's last call ended (not encoded: `duration_ms` says it).
        var lastEndedAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, name, calls, errors, models, users
            case firstStartedAt = "first_started_at", lastStartedAt = "last_started_at", durationMs = "duration_ms"
            case inputTokens = "input_tokens", outputTokens = "output_tokens", costUSD = "cost_usd"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(name, forKey: .name)
            try c.encode(calls, forKey: .calls)
            try c.encode(errors, forKey: .errors)
            try c.encode(APITime.string(from: firstStartedAt), forKey: .firstStartedAt)
            try c.encode(APITime.string(from: lastStartedAt), forKey: .lastStartedAt)
            try c.encode(durationMs, forKey: .durationMs)
            try c.encode(inputTokens, forKey: .inputTokens)
            try c.encode(outputTokens, forKey: .outputTokens)
            try c.encode(costUSD, forKey: .costUSD)
            try c.encode(models, forKey: .models)
            try c.encode(users, forKey: .users)
        }
    }

    static func compute(flows: [FlowSummary], complete: Bool) -> SessionList {
        var order: [String] = []
        var byID: [String: Session] = [:]
        for flow in flows {
            guard let id = flow.sessionID, !id.isEmpty else { continue }
            var session = byID[id] ?? { order.append(id); return Session(id: id, firstStartedAt: flow.startedAt, lastStartedAt: flow.startedAt) }()
            session.name = session.name ?? flow.sessionName
            session.calls += 1
            if flow.error != nil || (flow.status ?? 0) >= 400 { session.errors += 1 }
            session.firstStartedAt = min(session.firstStartedAt, flow.startedAt)
            let end = flow.startedAt.addingTimeInterval((flow.durationMs ?? 0) / 1000)
            session.lastStartedAt = max(session.lastStartedAt, flow.startedAt)
            session.lastEndedAt = max(session.lastEndedAt ?? end, end)
            session.durationMs = (session.lastEndedAt ?? end).timeIntervalSince(session.firstStartedAt) * 1000
            session.inputTokens += flow.inputTokens ?? 0
            session.outputTokens += flow.outputTokens ?? 0
            session.costUSD += flow.costUSD ?? 0
            if let model = flow.model, !session.models.contains(model) { session.models.append(model) }
            if let user = flow.userID, !session.users.contains(user) { session.users.append(user) }
            byID[id] = session
        }
        return SessionList(sessions: order.compactMap { byID[$0] }, scanned: flows.count, complete: complete)
    }
}
