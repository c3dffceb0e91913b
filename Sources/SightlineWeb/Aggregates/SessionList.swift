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
    /// `rollups` (no filter: each session's totals over all its calls) or `flows` (the window's matching flows read).
    var source: String

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

    /// Folds flows into sessions; the list is newest first (by each session's latest call).
    struct Accumulator: FlowAccumulator {
        var byID: [String: Session] = [:]
        var scanned = 0

        mutating func add(_ call: CallFacts) {
            scanned += 1
            guard let id = call.sessionID, !id.isEmpty else { return }
            var session = byID[id] ?? Session(id: id, firstStartedAt: call.startedAt, lastStartedAt: call.startedAt)
            session.name = session.name ?? call.sessionName
            session.calls += 1
            if call.failed { session.errors += 1 }
            session.firstStartedAt = min(session.firstStartedAt, call.startedAt)
            let end = call.startedAt.addingTimeInterval((call.durationMs ?? 0) / 1000)
            session.lastStartedAt = max(session.lastStartedAt, call.startedAt)
            session.lastEndedAt = max(session.lastEndedAt ?? end, end)
            session.durationMs = (session.lastEndedAt ?? end).timeIntervalSince(session.firstStartedAt) * 1000
            session.inputTokens += call.inputTokens ?? 0
            session.outputTokens += call.outputTokens ?? 0
            session.costUSD += call.costUSD ?? 0
            if let model = call.model, !session.models.contains(model) { session.models.append(model) }
            if let user = call.userID, !session.users.contains(user) { session.users.append(user) }
            byID[id] = session
        }

        func list(complete: Bool) -> SessionList {
            SessionList(sessions: Self.newestFirst(byID.values), scanned: scanned, complete: complete, source: "flows")
        }

        static func newestFirst(_ sessions: some Sequence<Session>) -> [Session] {
            sessions.sorted { ($0.lastStartedAt, $0.id) > ($1.lastStartedAt, $1.id) }
        }
    }

    /// The sessions of the stored rollups, every instance's row of a session added up.
    static func fromRollups(_ rows: [SessionTotals]) -> SessionList {
        var merged: [String: SessionTotals] = [:]
        for row in rows.sorted(by: { $0.key < $1.key }) {
            if merged[row.key.id] == nil { merged[row.key.id] = row } else { merged[row.key.id]?.merge(row) }
        }
        let sessions = merged.values.map { totals in
            var session = Session(id: totals.key.id, firstStartedAt: Date(timeIntervalSince1970: Double(totals.firstStartedAt) / 1000),
                                  lastStartedAt: Date(timeIntervalSince1970: Double(totals.lastStartedAt) / 1000))
            session.name = totals.name
            session.calls = totals.calls
            session.errors = totals.errors
            session.durationMs = totals.lastEndedAt - Double(totals.firstStartedAt)
            session.inputTokens = totals.inputTokens
            session.outputTokens = totals.outputTokens
            session.costUSD = totals.costUSD
            session.models = totals.models
            session.users = totals.users
            return session
        }
        return SessionList(sessions: Accumulator.newestFirst(sessions), scanned: rows.reduce(0) { $0 + $1.calls }, complete: true,
                           source: "rollups")
    }
}
