#!/usr/bin/env bash
# Benchmarks HTTPS traffic direct vs through Sightline (and through mitmproxy when `mitmdump` is on
# PATH), side by side in one run, and prints a table with the issue's targets next to the figures.
# Builds release binaries first. Everything binds 127.0.0.1 with OS-chosen ports; every process this
# script starts is stopped on exit, error or Ctrl-C.
#
#   bench/run.sh                    # the full run (~2 minutes after the builds)
#   BENCH_SECONDS=2 bench/run.sh    # shorter load runs
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

# 1,000 streams through a proxy hold ~4,000 sockets across the processes started here.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

echo "building release binaries (slow on a busy 2-core machine) ..." >&2
(cd "$root" && swift build -c release --product sightline) >&2
swift build -c release --package-path "$bench_dir" --scratch-path "$bench_dir/.build" >&2
bench="$bench_dir/.build/release/sightline-bench"
sightline="$root/.build/release/sightline"

"$bench" prepare-upstream --dir "$work/upstream"
upstream_ca="$work/upstream/ca-cert.pem"

"$sightline" start --listen 127.0.0.1:0 --no-ui --data-dir "$work/sightline" \
    --upstream-ca "$upstream_ca" \
    --intercept localhost --intercept 127.0.0.1 --intercept '127.0.0.*' \
    >"$work/sightline.out" 2>"$work/sightline.out.err" &
sightline_pid=$!
started_pids+=("$sightline_pid")
sightline_port="$(wait_for_port "$work/sightline.out" '^proxy ' "$sightline_pid")"
proxies=(--proxy "name=sightline,url=http://127.0.0.1:$sightline_port,ca=$work/sightline/ca-cert.pem,pid=$sightline_pid")

# Optional third column. mitmdump makes its CA in its confdir on start and is told to trust the
# bench upstream's CA, as Sightline is.
if command -v mitmdump >/dev/null 2>&1; then
    mitmdump --listen-host 127.0.0.1 --listen-port 0 --set confdir="$work/mitmproxy" \
        --set ssl_verify_upstream_trusted_ca="$upstream_ca" --set flow_detail=0 \
        >"$work/mitmproxy.out" 2>"$work/mitmproxy.out.err" &
    mitm_pid=$!
    started_pids+=("$mitm_pid")
    if mitm_port="$(wait_for_port "$work/mitmproxy.out" 'proxy listening at' "$mitm_pid")"; then
        proxies+=(--proxy "name=mitmproxy,url=http://127.0.0.1:$mitm_port,ca=$work/mitmproxy/mitmproxy-ca-cert.pem,pid=$mitm_pid")
    else
        echo "mitmdump did not start; running without it" >&2
    fi
fi

echo "running (about two minutes) ..." >&2
timeout 400 "$bench" run --upstream-dir "$work/upstream" "${proxies[@]}" --seconds "${BENCH_SECONDS:-5}" ${BENCH_ONLY:+--only "$BENCH_ONLY"}

# Stop Sightline as a user would (Ctrl-C) so it reports how many flows it recorded or dropped.
kill -INT "$sightline_pid" 2>/dev/null || true
for _ in $(seq 100); do kill -0 "$sightline_pid" 2>/dev/null || break; sleep 0.1; done
echo
grep -m1 '^stopped' "$work/sightline.out" | sed 's/^/sightline /' || echo "sightline did not stop within 10 s of SIGINT"

if grep -qiE 'error|warning' "$work/sightline.out.err"; then
    echo >&2
    echo "sightline logged warnings or errors during the run (first 10):" >&2
    grep -iE 'error|warning' "$work/sightline.out.err" | head -n 10 >&2
fi
