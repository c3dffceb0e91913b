/// The PostgreSQL schema, as named migrations that are never edited once shipped (as `FlowStoreSchema` is for
/// SQLite). They run at start inside one transaction holding an advisory lock, so that instances starting
/// together migrate once and the others wait, then find them applied.
///
/// The three flow tables are partitioned by day on `started_at` (Unix ms), each partition created when the
/// first flow of its day is written, so retention drops whole days instead of deleting rows (no bloat, no
/// vacuum debt). A flow's rows carry its `started_at`, so all three prune together.
enum PostgresSchema {
    /// `pg_advisory_xact_lock` key for migrations and partition creation: "sightline" in ASCII, as a bigint.
    static let lockKey: Int64 = 0x7369_6768_746C_696E

    static let migrations: [(name: String, sql: [String])] = [
        ("v1: flow, flow_body, flow_property partitioned by day", [
            // The order flows were written in: each instance writes its batches one after another, so within an
            // instance this grows in commit order, and an instance told of another's batch reads what follows.
            "CREATE SEQUENCE flow_recorded_seq",
            """
            CREATE TABLE flow (
                id text NOT NULL,
                started_at bigint NOT NULL,
                instance text,
                mode text NOT NULL,
                client_address text,
                method text NOT NULL,
                url text NOT NULL,
                host text NOT NULL,
                upstream_url text,
                gateway text,
                status bigint,
                error text,
                error_kind text,
                duration_ms double precision,
                ttfb_ms double precision,
                request_bytes bigint NOT NULL,
                response_bytes bigint NOT NULL,
                provider text,
                endpoint text,
                model text,
                stream boolean NOT NULL,
                input_tokens bigint,
                output_tokens bigint,
                cached_input_tokens bigint,
                reasoning_tokens bigint,
                cost_usd text,
                ttft_ms double precision,
                tokens_per_second double precision,
                finish_reason text,
                tool_call_count bigint,
                truncated boolean NOT NULL,
                session_id text,
                session_path text,
                session_name text,
                user_id text,
                properties text NOT NULL,
                upstream_connected_ms double precision,
                tls_done_ms double precision,
                request_sent_ms double precision,
                first_byte_ms double precision,
                last_byte_ms double precision,
                request_http_version text NOT NULL,
                request_headers text NOT NULL,
                request_body_truncated boolean NOT NULL,
                request_body_decoded boolean NOT NULL,
                request_omitted boolean NOT NULL,
                response_reason text,
                response_http_version text,
                response_headers text,
                response_body_truncated boolean,
                response_body_decoded boolean,
                response_omitted boolean,
                ws_messages bigint,
                ws_open boolean,
                -- Prompt, output and URL words, for full-text search (the text SQLite's flow_fts holds).
                search tsvector NOT NULL,
                recorded_seq bigint NOT NULL DEFAULT nextval('flow_recorded_seq'),
                PRIMARY KEY (id, started_at)
            ) PARTITION BY RANGE (started_at)
            """,
            // As in SQLite, filter indexes end in id so that a filtered page is read newest first from the index.
            "CREATE INDEX flow_on_id ON flow (id)",
            "CREATE INDEX flow_on_host ON flow (host, id)",
            "CREATE INDEX flow_on_provider ON flow (provider, id)",
            "CREATE INDEX flow_on_model ON flow (model, id)",
            "CREATE INDEX flow_on_status ON flow (status, id)",
            "CREATE INDEX flow_on_session_id ON flow (session_id, id)",
            "CREATE INDEX flow_on_user_id ON flow (user_id, id)",
            "CREATE INDEX flow_on_error_kind ON flow (error_kind, id) WHERE error_kind IS NOT NULL",
            "CREATE INDEX flow_on_ws_open ON flow (instance) WHERE ws_open",
            "CREATE INDEX flow_on_instance_recorded ON flow (instance, recorded_seq)",
            "CREATE INDEX flow_search ON flow USING gin (search)",
            """
            CREATE TABLE flow_body (
                flow_id text NOT NULL,
                started_at bigint NOT NULL,
                request_body bytea NOT NULL,
                response_body bytea,
                events text NOT NULL,
                conversation text,
                websocket text,
                PRIMARY KEY (flow_id, started_at)
            ) PARTITION BY RANGE (started_at)
            """,
            """
            CREATE TABLE flow_property (
                flow_id text NOT NULL,
                started_at bigint NOT NULL,
                name text NOT NULL,
                value text NOT NULL,
                PRIMARY KEY (flow_id, started_at, name)
            ) PARTITION BY RANGE (started_at)
            """,
            "CREATE INDEX flow_property_on_lower_name_value ON flow_property (lower(name), value, flow_id)",
        ]),
        ("v2: gateway_window, gateway_cache (state the instances share)", PostgresGatewaySchema.v2),
        (PostgresRollups.migrationName, PostgresRollups.migration),
        (PostgresThreads.migrationName, PostgresThreads.migration),
    ]

    static let partitionedTables = ["flow", "flow_body", "flow_property"]

    /// Day `day` (days since the Unix epoch) of each partitioned table: `flow_d20261202` and so on.
    static func partitionName(_ table: String, day: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(day) * 86_400)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%@_d%04d%02d%02d", table, parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    static func day(ofMilliseconds ms: Int64) -> Int64 {
        ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
    }
}

import Foundation
