#!/usr/bin/env bash
# The web UI's list queries over a big store (issue 6): seeds N flows (default 1,000,000) straight into a
# Sightline SQLite store, starts the real binary on it, and times through the API the first page, a filtered
# page, a deep page and a full-text query. A report, not a pass/fail.
#   bench/store-scale.sh [N]
#   SIGHTLINE_BIN=/path/to/sightline bench/store-scale.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
bin="${SIGHTLINE_BIN:-}"   # bench this binary instead of building the main package
if [[ -z "$bin" ]]; then
  swift build -c release --product sightline >/dev/null
  bin=.build/release/sightline
fi

start() {
  "$bin" start --listen 127.0.0.1:0 --ui 127.0.0.1:0 --data-dir "$work/data" --log-level error >"$work/out" 2>&1 &
  pid=$!
  for _ in $(seq 1200); do grep -q "^ui " "$work/out" 2>/dev/null && break; sleep 0.1; done
  ui=$(grep '^ui ' "$work/out" | grep -o 'http://[0-9.:]*')
}
stop() { kill -INT "$pid"; wait "$pid" || true; pid=""; }

start; stop   # creates the CA, the schema and its migrations
echo "seeding $n flows…"
python3 bench/seed_flows.py "$work/data/flows.sqlite" "$n"
# The seed writes rows straight into SQLite, past the store's rollups: make the next start build them from the
# flows, as it does for a store upgraded from before them (and time that).
python3 - "$work/data/flows.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("DROP TABLE call_minute; DROP TABLE session_total; DELETE FROM grdb_migrations WHERE identifier LIKE 'v9:%';")
db.commit()
PY
t0=$(date +%s%N)
start
echo "start with the rollups built from $n flows: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
echo "(for both backends seeded through the store's own insert: SIGHTLINE_SCALE_TESTS=1 swift test --filter RollupScaleTests)"
timeit() { # label, path: median of 5 runs, after one warm-up
  curl -s -o /dev/null "$ui$2"
  local times=()
  for _ in 1 2 3 4 5; do times+=("$(curl -s -o /dev/null -w '%{time_total}' "$ui$2")"); done
  printf '%-34s %8.1f ms   %s\n' "$1" "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p | awk '{print $1*1000}')" "$2"
}
cursor=$(curl -s "$ui/api/flows?limit=1000" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next"])')
echo "API over $n flows (median of 5, target ≤ 100 ms each):"
timeit "first page (50)" "/api/flows"
timeit "filtered page (provider)" "/api/flows?provider=anthropic"
timeit "filtered page (model+status)" "/api/flows?model=gpt-4o-mini&status=429"
timeit "page after 1,000 (cursor)" "/api/flows?before=$cursor"
timeit "property filter (half match)" "/api/flows?property.team=red"
timeit "property filter (none match)" "/api/flows?property.team=green"
timeit "property + cursor" "/api/flows?property.team=red&before=$cursor"
timeit "full text (rare word)" "/api/flows?q=zebracorn"
timeit "full text (common word)" "/api/flows?q=weather"
timeit "full text (two common words)" "/api/flows?q=weather+poem"
timeit "full text (common prefix)" "/api/flows?q=weath*"
timeit "full text + cursor" "/api/flows?q=weather&before=$cursor"
timeit "dashboard (24 h, rollups)" "/api/dashboard"
timeit "dashboard (24 h, filtered: scan)" "/api/dashboard?provider=openai"
timeit "sessions (7 days)" "/api/sessions"
timeit "time range (one hour)" "/api/flows?since=$(( $(date +%s) * 1000 - 7200000 ))&until=$(( $(date +%s) * 1000 - 3600000 ))"
stop
