import GRDB

/// The SQLite schema, as migrations. Each is named by a string, written in table terms (never in
/// terms of Swift types that may change), and never edited once shipped: add a new one instead.
enum FlowStoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: flow, flow_body, flow_property, flow_fts") { db in
            try db.execute(sql: """
                -- One row per flow: everything the list shows and filters on, plus the heads.
                -- seq is the rowid alias (stable across VACUUM) that keys flow_fts; id is the public
                -- UUIDv7, whose text sorts by time and so drives keyset pagination.
                CREATE TABLE flow (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    started_at INTEGER NOT NULL, -- Unix milliseconds
                    mode TEXT NOT NULL CHECK (mode IN ('proxy', 'gateway', 'tunnel')),
                    client_address TEXT,
                    method TEXT NOT NULL,
                    url TEXT NOT NULL,
                    host TEXT NOT NULL,
                    upstream_url TEXT,
                    status INTEGER,
                    error TEXT,
                    duration_ms REAL,
                    ttfb_ms REAL,
                    request_bytes INTEGER NOT NULL CHECK (request_bytes >= 0),
                    response_bytes INTEGER NOT NULL CHECK (response_bytes >= 0),
                    provider TEXT,
                    endpoint TEXT,
                    model TEXT,
                    stream INTEGER NOT NULL DEFAULT 0,
                    input_tokens INTEGER,
                    output_tokens INTEGER,
                    cached_input_tokens INTEGER,
                    reasoning_tokens INTEGER,
                    cost_usd TEXT, -- exact decimal text; NULL when the price is unknown
                    ttft_ms REAL,
                    tokens_per_second REAL,
                    finish_reason TEXT,
                    tool_call_count INTEGER,
                    truncated INTEGER NOT NULL DEFAULT 0,
                    session_id TEXT,
                    session_path TEXT,
                    session_name TEXT,
                    user_id TEXT,
                    properties TEXT NOT NULL DEFAULT '{}', -- JSON object; flow_property indexes it
                    upstream_connected_ms REAL,
                    tls_done_ms REAL,
                    request_sent_ms REAL,
                    first_byte_ms REAL,
                    last_byte_ms REAL,
                    request_http_version TEXT NOT NULL,
                    request_headers TEXT NOT NULL, -- JSON [[name, value], …] in wire order
                    request_body_truncated INTEGER NOT NULL DEFAULT 0,
                    request_body_decoded INTEGER NOT NULL DEFAULT 0,
                    request_omitted INTEGER NOT NULL DEFAULT 0,
                    response_reason TEXT, -- the response_* columns are NULL when no response arrived
                    response_http_version TEXT,
                    response_headers TEXT,
                    response_body_truncated INTEGER,
                    response_body_decoded INTEGER,
                    response_omitted INTEGER
                );
                -- Filter indexes end in id so a filtered page is still read newest first from the index.
                CREATE INDEX flow_on_started_at ON flow(started_at);
                CREATE INDEX flow_on_host ON flow(host, id);
                CREATE INDEX flow_on_provider ON flow(provider, id);
                CREATE INDEX flow_on_model ON flow(model, id);
                CREATE INDEX flow_on_status ON flow(status, id);
                CREATE INDEX flow_on_session_id ON flow(session_id, id);
                CREATE INDEX flow_on_user_id ON flow(user_id, id);

                -- The large parts, apart so that listing never reads them.
                CREATE TABLE flow_body (
                    flow_id TEXT PRIMARY KEY NOT NULL REFERENCES flow(id) ON DELETE CASCADE,
                    request_body BLOB NOT NULL,
                    response_body BLOB,
                    events TEXT NOT NULL DEFAULT '[]', -- JSON [{t_ms, event, data, id}]
                    conversation TEXT -- JSON, NULL when the flow is not an LLM call
                );

                CREATE TABLE flow_property (
                    flow_id TEXT NOT NULL REFERENCES flow(id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (flow_id, name)
                ) WITHOUT ROWID;
                CREATE INDEX flow_property_on_name_value ON flow_property(name, value, flow_id);

                -- Full text of prompts, outputs and the URL; rowid = flow.seq. It keeps its own copy
                -- of the text (SQLite 3.40 has no contentless delete), and the trigger keeps it in
                -- step with every delete, prune included.
                CREATE VIRTUAL TABLE flow_fts USING fts5(url, text, tokenize = 'unicode61 remove_diacritics 2');
                CREATE TRIGGER flow_fts_after_delete AFTER DELETE ON flow BEGIN
                    DELETE FROM flow_fts WHERE rowid = old.seq;
                END;
                """)
        }
        migrator.registerMigration("v2: flow.gateway") { db in
            // JSON of what the gateway did (attempts, cache, rate limit, faults); NULL for plain forwarding.
            try db.execute(sql: "ALTER TABLE flow ADD COLUMN gateway TEXT")
        }
        migrator.registerMigration("v3: flow_property lower(name) index") { db in
            try db.execute(sql: "CREATE INDEX flow_property_on_lower_name_value ON flow_property(lower(name), value, flow_id)")
        }
        migrator.registerMigration("v4: gateway cache entries and rate-limit spendings") { db in
            try db.execute(sql: """
                -- The gateway's state (GATEWAY.md cache and rate limits), kept so a restart does not forget
                -- it. Times are Unix milliseconds (cache) and seconds (spendings, as the windows count them).
                CREATE TABLE gateway_cache_entry (
                    key TEXT NOT NULL, -- the cache key (hex); a bucket is every row with one key
                    stored_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    status INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    headers TEXT NOT NULL, -- JSON [[name, value], …] in wire order
                    body BLOB NOT NULL
                );
                CREATE INDEX gateway_cache_entry_on_key ON gateway_cache_entry(key);
                CREATE INDEX gateway_cache_entry_on_expires_at ON gateway_cache_entry(expires_at);
                CREATE TABLE gateway_rate_spend (
                    window_key TEXT NOT NULL, -- policy text, line feed, segment
                    at REAL NOT NULL,
                    units REAL NOT NULL,
                    expires_at REAL NOT NULL
                );
                CREATE INDEX gateway_rate_spend_on_expires_at ON gateway_rate_spend(expires_at);
                """)
        }
        migrator.registerMigration("v5: flow.error_kind") { db in
            // Why the flow failed, as a stable word (`upstream_reset`, `client_gone`, …); NULL when it did not
            // fail, and for every flow recorded before this column existed. No CHECK on the words: SQLite cannot
            // alter a CHECK, so a new kind would need the whole table copied.
            try db.execute(sql: "ALTER TABLE flow ADD COLUMN error_kind TEXT")
            // For `?error_kind=`: failures are rare, so without an index a page of them would walk every flow
            // newest first to find a few. Partial, so that the flows that did not fail (most) cost it nothing.
            try db.execute(sql: "CREATE INDEX flow_on_error_kind ON flow(error_kind, id) WHERE error_kind IS NOT NULL")
        }
        migrator.registerMigration("v6: flow_body.websocket") { db in
            // A WebSocket session's messages and close, as JSON; NULL for every other flow.
            try db.execute(sql: "ALTER TABLE flow_body ADD COLUMN websocket TEXT")
        }
        migrator.registerMigration("v7: flow.ws_messages, flow.ws_open") { db in
            // What the list shows of a WebSocket session: its message count, and 1 while it is still relayed
            // (the flow is stored at the 101 and replaced as messages pass). NULL for every other flow.
            try db.execute(sql: "ALTER TABLE flow ADD COLUMN ws_messages INTEGER")
            try db.execute(sql: "ALTER TABLE flow ADD COLUMN ws_open INTEGER")
        }
        migrator.registerMigration("v8: flow.instance") { db in
            // Which Sightline recorded the flow (`--instance-name`); NULL for flows recorded before.
            try db.execute(sql: "ALTER TABLE flow ADD COLUMN instance TEXT")
        }
        migrator.registerMigration("v9: call_minute, session_total") { db in
            // Rollups the dashboard and the sessions view read instead of every flow, built here from the flows
            // already stored and kept from then on by every insert.
            for sql in SQLiteFlowStore.rollupTables { try db.execute(sql: sql) }
            try SQLiteFlowStore.buildRollups(db)
        }
        migrator.registerMigration("v10: flow.parent_id, flow.thread_id, thread_key") { db in
            // Which call each call continues, and its conversation. Flows recorded before stay unthreaded.
            try db.execute(sql: "ALTER TABLE flow ADD COLUMN parent_id TEXT")
            try db.execute(sql: "ALTER TABLE flow ADD COLUMN thread_id TEXT")
            for sql in SQLiteFlowStore.threadTables { try db.execute(sql: sql) }
        }
        return migrator
    }

    /// `auto_vacuum` only takes effect when set before the first table exists, and the migrator
    /// creates its own table before running the first migration, so this runs before the migrator.
    /// INCREMENTAL lets prune give freed pages back to the file system.
    static func prepareNewDatabase(_ db: Database) throws {
        let tableCount = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
        guard tableCount == 0 else { return }
        try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
        // Rewrites the (empty) file so the setting sticks even after the header was written in WAL mode.
        try db.execute(sql: "VACUUM")
    }
}
