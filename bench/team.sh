#!/usr/bin/env bash
# Team mode under load (issue 14's scale bench, first half): two Sightline instances recording into one
# PostgreSQL server, each driven by `hey -c 4` at once through its proxy with ~150-token chat bodies, then:
# responses, flows recorded by each (its /api/stats), dropped and lost, flows stored in PostgreSQL, and the
# dashboard/sessions/list/search timings through each instance's API over what was recorded. The second half,
# 1,000,000 flows seeded through the store's own insert on both backends, is RollupScaleTests:
#   SIGHTLINE_SCALE_TESTS=1 swift test --filter RollupScaleTests
#
#   bench/team.sh                          # 60 s of load (BENCH_TEAM_SECONDS)
#   SIGHTLINE_BIN=/path/to/sightline bench/team.sh
# Needs Debian's postgresql and hey. Everything binds 127.0.0.1; every process started here is stopped on exit.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$bench_dir")"
seconds="${BENCH_TEAM_SECONDS:-60}"
work="$(mktemp -d "${TMPDIR:-/tmp}/sightline-team.XXXXXX")"
started_pids=()
as_pg() { if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    # PostgreSQL first and by its own tool: under runuser a signal does not always reach the postmaster.
    [[ -n "${pg_bin:-}" && -d "$work/pg/data" ]] && as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null 2>&1
    for pid in "${started_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${started_pids[@]}"; do
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

wait_for_port() { # FILE PATTERN PID → the port of the first 127.0.0.1:PORT on a matching line
    for _ in $(seq 600); do
        local port
        port="$(grep -m1 -E "$2" "$1" 2>/dev/null | grep -oE '127\.0\.0\.1:[0-9]+' | head -n1 | cut -d: -f2 || true)"
        if [[ -n "$port" ]]; then echo "$port"; return 0; fi
        kill -0 "$3" 2>/dev/null || break
        sleep 0.1
    done
    echo "no '$2' line from pid $3:" >&2; cat "$1" "$1.err" >&2 2>/dev/null || true; return 1
}

sightline="${SIGHTLINE_BIN:-}"
if [[ -z "$sightline" ]]; then
    (cd "$root" && swift build -c release --product sightline >/dev/null)
    sightline="$root/.build/release/sightline"
fi
(cd "$bench_dir" && swift build -c release --product sightline-bench >/dev/null)
bench="$bench_dir/.build/release/sightline-bench"

# PostgreSQL: initdb into the work directory, the server on a free port (as `postgres` when run as root).
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
mkdir -p "$work/pg"; echo "bench-password" >"$work/pg/pwfile"
if [[ "$(id -u)" == 0 ]]; then chmod 755 "$work"; chown -R postgres "$work/pg"; fi # the server runs as postgres
as_pg "$pg_bin/initdb" -D "$work/pg/data" -U sightline --pwfile="$work/pg/pwfile" --auth-host=scram-sha-256 \
    --auth-local=trust -E UTF8 --no-locale >/dev/null
pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
as_pg "$pg_bin/postgres" -D "$work/pg/data" -p "$pg_port" -k "$work/pg" -c listen_addresses=127.0.0.1 \
    -c max_connections=200 >"$work/pg/server.log" 2>&1 &
started_pids+=("$!")
for _ in $(seq 100); do as_pg "$pg_bin/pg_isready" -h 127.0.0.1 -p "$pg_port" >/dev/null 2>&1 && break; sleep 0.1; done
as_pg "$pg_bin/createdb" -h "$work/pg" -p "$pg_port" -U sightline flows
store="postgres://sightline:bench-password@127.0.0.1:$pg_port/flows?sslmode=disable"

"$bench" prepare-upstream --dir "$work/upstream"
"$bench" serve --upstream-dir "$work/upstream" >"$work/upstream.out" 2>"$work/upstream.out.err" &
started_pids+=("$!")
wait_for_port "$work/upstream.out" '^upstream https://127\.0\.0\.1:' "$!" >/dev/null
url="$(grep -m1 '^upstream https://127\.0\.0\.1:' "$work/upstream.out" | cut -d' ' -f2)/v1/chat/completions"

declare -A proxy_port ui_port pid
for name in team-a team-b; do
    "$sightline" start --listen 127.0.0.1:0 --ui 127.0.0.1:0 --data-dir "$work/$name" --store "$store" \
        --instance-name "$name" --upstream-ca "$work/upstream/ca-cert.pem" --log-level error \
        --intercept localhost --intercept 127.0.0.1 >"$work/$name.out" 2>"$work/$name.out.err" &
    pid[$name]=$!; started_pids+=("$!")
    proxy_port[$name]="$(wait_for_port "$work/$name.out" '^proxy ' "$!")"
    ui_port[$name]="$(wait_for_port "$work/$name.out" '^ui ' "$!")"
done

cat >"$work/prompt150.json" <<'JSON'
{"model":"gpt-4o-mini","max_tokens":64,"temperature":0.2,"messages":[{"role":"system","content":"You are a careful assistant for a small software team. Answer in plain English, keep answers short, and say so when you are not sure."},{"role":"user","content":"Our nightly job copies yesterday's orders from the shop database into the reporting warehouse. Since Monday it sometimes takes four hours instead of twenty minutes, and on those nights the warehouse shows duplicate rows for a few customers. Nothing in the job changed, but the shop added a new payment provider last week. What are the three most likely causes, and what should we check first tomorrow morning before the job runs again?"}]}
JSON

stat() { curl -sS --max-time 10 "http://127.0.0.1:${ui_port[$1]}/api/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['recorder']['$2'])"; }
echo "hey -c 4 for $seconds s through each of two instances at once, one PostgreSQL…" >&2
for name in team-a team-b; do
    SSL_CERT_FILE="$work/$name/ca-cert.pem" hey -x "http://127.0.0.1:${proxy_port[$name]}" -m POST -T application/json -t 20 \
        -c 4 -z "${seconds}s" -D "$work/prompt150.json" "$url" >"$work/hey.$name" 2>&1 &
    started_pids+=("$!")
done
wait_hey() { for name in team-a team-b; do while pgrep -f "hey -x http://127.0.0.1:${proxy_port[$name]}" >/dev/null; do sleep 1; done; done; }
wait_hey
# Let both recorders drain (queue and spool empty), at most 60 s.
for _ in $(seq 120); do
    busy=0
    for name in team-a team-b; do (( $(stat "$name" queued) + $(stat "$name" spooled) > 0 )) && busy=1; done
    (( busy == 0 )) && break; sleep 0.5
done

printf '\n%-8s %10s %10s %10s %9s %6s %13s\n' instance "hey req/s" "200s" recorded dropped lost "write errors"
total_ok=0
for name in team-a team-b; do
    rps="$(awk '/Requests\/sec:/ { print $2 }' "$work/hey.$name")"
    ok="$(awk '/\[200\]/ { n += $2 } END { print n + 0 }' "$work/hey.$name")"
    total_ok=$(( total_ok + ok ))
    printf '%-8s %10s %10s %10s %9s %6s %13s\n' "$name" "$rps" "$ok" "$(stat "$name" recorded)" "$(stat "$name" dropped)" \
        "$(stat "$name" lost)" "$(stat "$name" write_errors)"
done
stored="$(as_pg "$pg_bin/psql" -h "$work/pg" -p "$pg_port" -U sightline -d flows -tAc 'SELECT count(*) FROM flow')"
echo "answered 200 through both: $total_ok; flows stored in PostgreSQL: $stored; sustained $(( stored / seconds )) flows/s recorded"

timeit() { # LABEL PATH: median of 5 after a warm-up, through team-a's API
    local base="http://127.0.0.1:${ui_port[team-a]}" times=()
    curl -s -o /dev/null "$base$2"
    for _ in 1 2 3 4 5; do times+=("$(curl -s -o /dev/null -w '%{time_total}' "$base$2")"); done
    printf '%-30s %8.1f ms   %s\n' "$1" "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p | awk '{print $1*1000}')" "$2"
}
echo
echo "API over the $stored flows of both instances, read through team-a (median of 5):"
timeit "dashboard (24 h, rollups)" "/api/dashboard"
timeit "dashboard (filtered: scan)" "/api/dashboard?host=127.0.0.1"
timeit "sessions (7 days)" "/api/sessions"
timeit "first page (50)" "/api/flows"
timeit "full text" "/api/flows?q=warehouse"
timeit "instance's flows" "/api/flows?host=127.0.0.1"
