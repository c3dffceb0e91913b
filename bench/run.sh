#!/usr/bin/env bash
# Benchmarks HTTPS traffic direct vs through Sightline (and through mitmproxy when `mitmdump` is on
# PATH), side by side in one run, and prints a table with the issue's targets next to the figures:
# first the NIO client's scenarios (sightline-bench run), then the hey/curl scenarios of bench/hey.sh
# and the table of the issue's rows. Builds release binaries first. Everything binds 127.0.0.1 with
# OS-chosen ports; every process this script starts is stopped on exit, error or Ctrl-C.
#
#   bench/run.sh                              # the full run (~7 minutes after the builds, more with mitmdump)
#   BENCH_SECONDS=2 bench/run.sh              # shorter load runs (NIO client and hey)
#   BENCH_ONLY=hey,tls bench/run.sh           # some of: load, sse, setup, memory, websocket, hey, tls, sustained
#   BENCH_SUSTAINED_SECONDS=30 bench/run.sh   # shorter sustained hey -c 4 run (default 90 s)
#   SIGHTLINE_BIN=/path/to/sightline bench/run.sh   # bench that binary, do not build the main package
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$bench_dir")"
work="$(mktemp -d "${TMPDIR:-/tmp}/sightline-bench.XXXXXX")"
started_pids=()

cleanup() {
    for pid in "${started_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${started_pids[@]}"; do
        # Give a proxy 5 s to flush and stop, then make sure.
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Prints the port of the first `127.0.0.1:PORT` on a line of FILE matching PATTERN (grep -E),
# waiting up to 60 s for the process PID to print it.
wait_for_port() {
    local file="$1" pattern="$2" pid="$3"
    for _ in $(seq 600); do
        local port
        port="$(grep -m1 -E "$pattern" "$file" 2>/dev/null | grep -oE '127\.0\.0\.1:[0-9]+' | head -n1 | cut -d: -f2 || true)"
        if [[ -n "$port" ]]; then echo "$port"; return 0; fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "no '$pattern … 127.0.0.1:PORT' line from pid $pid; its output:" >&2
    cat "$file" "$file.err" >&2 2>/dev/null || true
    return 1
}

# 1,000 streams (or WebSockets) through a proxy hold ~4,000 sockets across the processes started here.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# Starts `sightline start` on data dir DIR (its output in DIR.out, DIR.out.err) with EXTRA arguments
# (--no-ui when none); sets sl_pid and sl_port.
start_sightline() {
    local dir="$1"; shift
    local extra=("$@")
    (( ${#extra[@]} )) || extra=(--no-ui)
    "$sightline" start --listen 127.0.0.1:0 "${extra[@]}" --data-dir "$dir" \
        --upstream-ca "$upstream_ca" \
        --intercept localhost --intercept 127.0.0.1 --intercept '127.0.0.*' \
        >"$dir.out" 2>"$dir.out.err" &
    sl_pid=$!
    started_pids+=("$sl_pid")
    sl_port="$(wait_for_port "$dir.out" '^proxy ' "$sl_pid")"
}

# Starts mitmdump with confdir DIR when it is on PATH; sets mitm_pid and mitm_port, or fails. It makes
# its CA in DIR on start and is told to trust the bench upstream's CA, as Sightline is.
start_mitmdump() {
    local dir="$1"
    local mitmdump
    mitmdump="$(command -v mitmdump 2>/dev/null || true)"
    # bench/install-mitmproxy.sh puts one in bench/.mitmproxy (a venv), off PATH.
    [[ -n "$mitmdump" ]] || { [[ -x "$bench_dir/.mitmproxy/bin/mitmdump" ]] && mitmdump="$bench_dir/.mitmproxy/bin/mitmdump"; }
    [[ -n "$mitmdump" ]] || return 1
    "$mitmdump" --listen-host 127.0.0.1 --listen-port 0 --set confdir="$dir" \
        --set ssl_verify_upstream_trusted_ca="$upstream_ca" --set flow_detail=0 \
        >"$dir.out" 2>"$dir.out.err" &
    mitm_pid=$!
    started_pids+=("$mitm_pid")
    if mitm_port="$(wait_for_port "$dir.out" 'proxy listening at' "$mitm_pid")"; then return 0; fi
    echo "mitmdump did not start; running without it" >&2
    return 1
}

# BENCH_ONLY names scenarios of both parts: load, sse, setup, memory, websocket (sightline-bench run)
# and hey, tls, sustained (bench/hey.sh). All by default.
nio_parts=() hey_parts=""
for part in $(echo "${BENCH_ONLY:-load,sse,setup,memory,websocket,hey,tls,sustained}" | tr ',' ' '); do
    case "$part" in
        load|sse|setup|memory|websocket) nio_parts+=("$part") ;;
        hey|tls|sustained) hey_parts+=" $part" ;;
        *) echo "BENCH_ONLY takes load, sse, setup, memory, websocket, hey, tls, sustained; got $part" >&2; exit 2 ;;
    esac
done
if [[ -n "$hey_parts" ]]; then
    for tool in hey curl sqlite3 python3; do
        command -v "$tool" >/dev/null 2>&1 || { echo "the hey part needs $tool on PATH (apt-get install hey curl sqlite3)" >&2; exit 2; }
    done
fi

echo "building release binaries (slow on a busy 2-core machine) ..." >&2
if [[ -n "${SIGHTLINE_BIN:-}" ]]; then
    echo "using SIGHTLINE_BIN=$SIGHTLINE_BIN" >&2
else
    (cd "$root" && swift build -c release --product sightline) >&2
fi
swift build -c release --package-path "$bench_dir" --scratch-path "$bench_dir/.build" >&2
bench="$bench_dir/.build/release/sightline-bench"
# A copy, so that a rebuild during the run cannot swap the binary under it.
cp "${SIGHTLINE_BIN:-$root/.build/release/sightline}" "$work/sightline-bin"
sightline="$work/sightline-bin"

"$bench" prepare-upstream --dir "$work/upstream"
upstream_ca="$work/upstream/ca-cert.pem"

: >"$work/nio-report.txt"
if (( ${#nio_parts[@]} )); then
    start_sightline "$work/sightline"
    sightline_pid="$sl_pid"
    proxies=(--proxy "name=sightline,url=http://127.0.0.1:$sl_port,ca=$work/sightline/ca-cert.pem,pid=$sightline_pid")
    # Optional third column.
    if start_mitmdump "$work/mitmproxy"; then
        proxies+=(--proxy "name=mitmproxy,url=http://127.0.0.1:$mitm_port,ca=$work/mitmproxy/mitmproxy-ca-cert.pem,pid=$mitm_pid")
    fi

    echo "running the NIO client's scenarios (about three minutes) ..." >&2
    if ! timeout 600 "$bench" run --upstream-dir "$work/upstream" "${proxies[@]}" --seconds "${BENCH_SECONDS:-5}" \
        --only "$(IFS=,; echo "${nio_parts[*]}")" | tee "$work/nio-report.txt"; then
        echo "sightline-bench run failed (see above); going on with the rest" >&2
    fi

    # Stop Sightline as a user would (Ctrl-C) so it reports how many flows it recorded or dropped.
    kill -INT "$sightline_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$sightline_pid" 2>/dev/null || break; sleep 0.1; done
    echo
    grep -m1 '^stopped' "$work/sightline.out" | sed 's/^/sightline /' || echo "sightline did not stop within 10 s of SIGINT"
fi

if [[ -n "$hey_parts" ]]; then
    echo "running the hey and curl scenarios (about $(( ${BENCH_SUSTAINED_SECONDS:-90} / 60 + 3 )) minutes) ..." >&2
    # shellcheck source=hey.sh
    source "$bench_dir/hey.sh"
    hey_bench
    echo
    python3 "$bench_dir/hey_report.py" "$work/hey.tsv" "$work/nio-report.txt" "${BENCH_SECONDS:-5}" "${BENCH_SUSTAINED_SECONDS:-90}"
    cat "$work/hey-stopped.txt"
fi

for log in "$work/sightline.out.err" "$work/hey-sightline.out.err"; do
    if [[ -f "$log" ]] && grep -qiE 'error|warning' "$log"; then
        echo >&2
        echo "sightline logged warnings or errors during the run ($(basename "$log"), first 10):" >&2
        grep -iE 'error|warning' "$log" | head -n 10 >&2
    fi
done
