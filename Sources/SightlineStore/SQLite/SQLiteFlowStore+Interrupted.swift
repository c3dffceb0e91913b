import Foundation
import GRDB

extension SQLiteFlowStore {
    static let interruptedWebSocketError = "Sightline stopped while the WebSocket session was open; messages after the last update were not recorded"

    /// WebSocket sessions a previous run stored as open and never completed (it was killed, or its last
    /// update was lost) are marked ended, so that nothing stays "open" forever. Run at start, before recording.
    public func closeInterruptedWebSockets() async throws -> Int {
        try await requireWriter().write { db in
            // The error makes them failed calls: the rollups count them out as they were and in as they are now.
            let facts = "SELECT \(Self.factColumns) FROM flow WHERE id IN (SELECT value FROM json_each(?))"
            let ids = try String.fetchAll(db, sql: "SELECT id FROM flow WHERE ws_open = 1")
            guard !ids.isEmpty else { return 0 }
            let list = String(decoding: try JSONEncoder().encode(ids), as: UTF8.self)
            var change = RollupChange()
            let decoder = JSONDecoder()
            for row in try Row.fetchAll(db, sql: facts, arguments: [list]) { if let call = Self.facts(row, decoder) { change.remove(call) } }
            try db.execute(sql: """
                UPDATE flow_body SET websocket = json_set(websocket, '$.open', json('false'))
                WHERE flow_id IN (SELECT id FROM flow WHERE ws_open = 1)
                """)
            try db.execute(sql: "UPDATE flow SET ws_open = 0, error = coalesce(error, ?) WHERE ws_open = 1",
                           arguments: [Self.interruptedWebSocketError])
            let closed = db.changesCount
            for row in try Row.fetchAll(db, sql: facts, arguments: [list]) { if let call = Self.facts(row, decoder) { change.add(call) } }
            try Self.apply(change, db)
            return closed
        }
    }
}
