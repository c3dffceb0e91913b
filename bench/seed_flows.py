"""Seeds N synthetic LLM flows into a Sightline SQLite store (schema made by `sightline start`), for
bench/store-scale.sh. Rows look like real ones: four providers, a dozen models, statuses, sessions,
properties, and searchable prompt text (one flow in 10,000 mentions "zebracorn")."""
import json
import os
import random
import sqlite3
import sys
import time
import uuid

path, n = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(path)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=OFF")
models = [("openai", "gpt-4o-mini", "api.openai.com"), ("openai", "gpt-4o", "api.openai.com"),
          ("anthropic", "claude-sonnet-4", "api.anthropic.com"), ("anthropic", "claude-3-5-haiku", "api.anthropic.com"),
          ("gemini", "gemini-2.0-flash", "generativelanguage.googleapis.com"), ("openai", "o4-mini", "api.openai.com")]
words = "weather teapot invoice summary travel code review refactor poem translate recipe budget".split()
start_ms = int(time.time() * 1000) - n * 50
rng = random.Random(7)
headers = json.dumps([["Content-Type", "application/json"], ["Authorization", "Bearer ****abcd"]])


def uuid7(ms):
    raw = bytearray(ms.to_bytes(6, "big") + os.urandom(10))
    raw[6] = (raw[6] & 0x0F) | 0x70
    raw[8] = (raw[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(raw)))


batch, fts, props = [], [], []
seq = db.execute("SELECT coalesce(max(seq), 0) FROM flow").fetchone()[0]
for i in range(n):
    seq += 1
    ms = start_ms + i * 50
    provider, model, host = models[rng.randrange(len(models))]
    status = 429 if rng.random() < 0.02 else 200
    text = " ".join(rng.choice(words) for _ in range(12)) + (" zebracorn" if i % 10000 == 0 else "")
    batch.append((seq, uuid7(ms), ms, "proxy", "POST", f"https://{host}/v1/chat", host, status, 800.0, 300.0, 900, 700,
                  provider, "chat.completions", model, rng.random() < 0.5, 100, 40, "0.0001", f"s-{i // 20}",
                  json.dumps({"team": rng.choice(["red", "blue"])}), "HTTP/1.1", headers))
    fts.append((seq, f"https://{host}/v1/chat", text))
    props.append((batch[-1][1], "team", json.loads(batch[-1][20])["team"]))
    if len(batch) == 20000 or i == n - 1:
        db.executemany("""INSERT INTO flow (seq, id, started_at, mode, method, url, host, status, duration_ms, ttfb_ms,
            request_bytes, response_bytes, provider, endpoint, model, stream, input_tokens, output_tokens, cost_usd,
            session_id, properties, request_http_version, request_headers) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", batch)
        db.executemany("INSERT INTO flow_fts(rowid, url, text) VALUES (?,?,?)", fts)
        db.executemany("INSERT INTO flow_property(flow_id, name, value) VALUES (?,?,?)", props)
        db.commit()
        batch, fts, props = [], [], []
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
print(f"seeded {n} flows")
