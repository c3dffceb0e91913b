/// The gateway's shared state (migration v2): one row per rate-limit window, holding its spendings, and the
/// cache entries every instance stores and reads.
///
/// A window's row is its lock: `sightline_admit` takes it `FOR UPDATE`, expires, sums, decides and appends in
/// one statement's transaction, so concurrent admissions through any number of instances are serialised on
/// that one row and a quota admits exactly what it allows. Each admission touches one row, so two can never
/// wait on each other in opposite orders (no deadlock, nothing retried, no spending lost).
enum PostgresGatewaySchema {
    static let v2: [String] = [
        """
        CREATE TABLE gateway_window (
            window_key text PRIMARY KEY,
            times double precision[] NOT NULL,
            units double precision[] NOT NULL,
            -- When the newest spending leaves the window: a row past it holds nothing and may be deleted.
            expires_at double precision NOT NULL
        )
        """,
        "CREATE INDEX gateway_window_on_expires_at ON gateway_window (expires_at)",
        """
        CREATE TABLE gateway_cache (
            id bigserial PRIMARY KEY,
            key text NOT NULL,
            stored_at bigint NOT NULL,
            expires_at bigint NOT NULL,
            status bigint NOT NULL,
            reason text NOT NULL,
            headers text NOT NULL,
            body bytea NOT NULL
        )
        """,
        "CREATE INDEX gateway_cache_on_key ON gateway_cache (key, expires_at)",
        "CREATE INDEX gateway_cache_on_expires_at ON gateway_cache (expires_at)",
        // The rule is `SlidingWindow.decide`'s: what was spent within the window, plus this call's units, must fit
        // the quota. Returns what the window held before this call (`used`, `oldest`) and whether it was admitted.
        // The loop covers a row deleted as expired between the insert and the lock.
        """
        CREATE FUNCTION sightline_admit(p_key text, p_now double precision, p_units double precision, p_quota double precision,
                                        p_window double precision, OUT allowed boolean, OUT used double precision,
                                        OUT oldest double precision)
        LANGUAGE plpgsql AS $$
        DECLARE
            kept_times double precision[];
            kept_units double precision[];
        BEGIN
            LOOP
                INSERT INTO gateway_window (window_key, times, units, expires_at) VALUES (p_key, '{}', '{}', 0)
                    ON CONFLICT (window_key) DO NOTHING;
                PERFORM 1 FROM gateway_window WHERE window_key = p_key FOR UPDATE;
                EXIT WHEN FOUND;
            END LOOP;
            SELECT coalesce(array_agg(s.t ORDER BY s.n), '{}'), coalesce(array_agg(s.u ORDER BY s.n), '{}'),
                   coalesce(sum(s.u), 0), min(s.t)
              INTO kept_times, kept_units, used, oldest
              FROM gateway_window w, unnest(w.times, w.units) WITH ORDINALITY AS s(t, u, n)
             WHERE w.window_key = p_key AND s.t > p_now - p_window;
            allowed := used + greatest(p_units, 0) <= p_quota AND (used < p_quota OR (p_quota = 0 AND p_units = 0));
            IF allowed AND p_units > 0 THEN
                kept_times := kept_times || p_now;
                kept_units := kept_units || p_units;
            END IF;
            UPDATE gateway_window
               SET times = kept_times, units = kept_units,
                   expires_at = coalesce((SELECT max(t) FROM unnest(kept_times) AS t), p_now) + p_window
             WHERE window_key = p_key;
        END
        $$
        """,
    ]

    /// A spending known after the call (its cost in cents): appended to its window, which it may create.
    static let charge = """
        INSERT INTO gateway_window AS w (window_key, times, units, expires_at) VALUES ($1, ARRAY[$2::double precision],
            ARRAY[$3::double precision], $2 + $4)
        ON CONFLICT (window_key) DO UPDATE SET times = w.times || EXCLUDED.times, units = w.units || EXCLUDED.units,
            expires_at = greatest(w.expires_at, EXCLUDED.expires_at)
        """
}
