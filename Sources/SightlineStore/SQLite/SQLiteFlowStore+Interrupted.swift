import GRDB

extension SQLiteFlowStore {
    static let interruptedWebSocketError = "Sightline stopped while the WebSocket session was open; messages after the last update were not recorded"

    /// WebSocket sessions a previous run stored as open and never completed (it was killed, or its last
    /// update was lost) are marked ended, so that nothing stays "open" forever. Run at start, before recording.
    public func closeInterruptedWebSockets() async throws -> Int {
        try await requireWriter().write { db in
            try db.execute(sql: """
                UPDATE flow_body SET websocket = json_set(websocket, '$.open', json('false'))
                WHERE flow_id IN (SELECT id FROM flow WHERE ws_open = 1)
                """)
            try db.execute(sql: "UPDATE flow SET ws_open = 0, error = coalesce(error, ?) WHERE ws_open = 1",
                           arguments: [Self.interruptedWebSocketError])
            return db.changesCount
        }
    }
}
