# Sourced by bench/run.sh (not run on its own): the hey and curl part of the bench, on its own upstream
# (`sightline-bench serve`), its own Sightline (fresh data dir, UI on 127.0.0.1:0 for /api/stats) and,
# when `mitmdump` is on PATH, its own mitmdump. Every process goes into run.sh's `started_pids`, so
# run.sh's cleanup trap stops it. Writes `ROUTE<TAB>KEY<TAB>VALUE` lines to "$work/hey.tsv", which
# bench/hey_report.py turns into the table.
#
# Uses from run.sh: $work, $bench, $sightline, $upstream_ca, started_pids, wait_for_port,
# start_sightline, start_mitmdump, and $hey_parts (any of: hey, tls, sustained).
#   BENCH_SECONDS            seconds of each measured hey run (default 5), after a 1 s warm-up
#   BENCH_SUSTAINED_SECONDS  seconds of the sustained `hey -c 4` run (default 90)

hey_seconds="${BENCH_SECONDS:-5}"
sustained_seconds="${BENCH_SUSTAINED_SECONDS:-90}"
clock_ticks="$(getconf CLK_TCK)"
hey_tsv="$work/hey.tsv"
: >"$hey_tsv"
# Direct runs must not go through a proxy from the environment (curl honours these).
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$hey_tsv"; }

# utime + stime of PID in clock ticks (fields 14 and 15 of /proc/PID/stat; the name may hold spaces).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
now_ms() { date +%s%3N; }

# Waits (up to 15 s) until PID used no CPU for 0.3 s: the proxy has finished the requests, and the
# recorder its writes, before CPU is read and the next run starts. For Sightline it first waits (up to
# 120 s) until its recorder has nothing queued or spooled: a backlog from a run the recorder could not keep
# up with can take longer than 15 s to write, and its CPU would otherwise count against the next run.
wait_idle() {
    local pid="$1" before after queued spooled
    [[ -n "$pid" ]] || return 0
    if [[ -n "${hey_sl_pid:-}" && "$pid" == "$hey_sl_pid" ]]; then
        for _ in $(seq 600); do
            queued="$(sightline_stat queued)"; spooled="$(sightline_stat spooled)"
            [[ "$queued" == 0 && "$spooled" == 0 ]] && break
            [[ -z "$queued" ]] && break # no /api/stats: fall back to CPU alone
            sleep 0.2
        done
    fi
    for _ in $(seq 50); do
        before="$(cpu_ticks "$pid")"; sleep 0.3; after="$(cpu_ticks "$pid")"
        if [[ "$before" == "$after" ]]; then return 0; fi
    done
    return 0
}

# Kernel count of TCP connects in this network namespace (every client→proxy and proxy→upstream dial).
tcp_active_opens() { awk '/^Tcp: [0-9]/ { print $6 }' /proc/net/snmp; }

# One counter of the recorder from Sightline's /api/stats; nothing when it cannot be read.
sightline_stat() {
    curl -sS --max-time 5 "http://127.0.0.1:$hey_sl_ui_port/api/stats" 2>/dev/null |
        python3 -c "import json, sys; print(json.load(sys.stdin)['recorder']['$1'])" 2>/dev/null || true
}

# AFTER − BEFORE, or nothing when either is missing.
delta() { if [[ -n "$1" && -n "$2" ]]; then echo $(( $1 - $2 )); fi; }

# Routes: NAME|PROXY_URL|CA|PID; direct first, then mitmproxy (when present), then Sightline.
hey_routes=()

write_bodies() {
    # ~300 bytes, the shape of the NIO client's request (bench/Sources/…/BenchPayloads.swift).
    local prefix='{"model":"gpt-4o-mini","max_tokens":16,"messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"'
    local suffix='"}]}'
    local filler
    filler="$(printf 'x%.0s' $(seq $((300 - ${#prefix} - ${#suffix}))))"
    printf '%s%s%s' "$prefix" "$filler" "$suffix" >"$work/small.json"
    # ~150 tokens of prompt (≈ 600 characters of English across a system and a user message).
    cat >"$work/prompt150.json" <<'JSON'
{"model":"gpt-4o-mini","max_tokens":64,"temperature":0.2,"messages":[{"role":"system","content":"You are a careful assistant for a small software team. Answer in plain English, keep answers short, and say so when you are not sure."},{"role":"user","content":"Our nightly job copies yesterday's orders from the shop database into the reporting warehouse. Since Monday it sometimes takes four hours instead of twenty minutes, and on those nights the warehouse shows duplicate rows for a few customers. Nothing in the job changed, but the shop added a new payment provider last week. What are the three most likely causes, and what should we check first tomorrow morning before the job runs again?"}]}
JSON
}

# Runs hey for route $1 with the remaining arguments (before the URL); the output goes to $hey_out.
run_hey() {
    local name="$1" proxy ca pid; shift
    IFS='|' read -r name proxy ca pid <<<"$(route_by_name "$name")"
    SSL_CERT_FILE="$ca" hey ${proxy:+-x "$proxy"} -m POST -T application/json -t 20 "$@" "$hey_url" >"$hey_out" 2>&1 || true
}

route_by_name() {
    local route
    for route in "${hey_routes[@]}"; do [[ "${route%%|*}" == "$1" ]] && echo "$route" && return 0; done
    return 1
}

# Fields of the last hey output: requests/s, 200 responses, non-200 + errors, p50 and p99 in ms.
hey_field() {
    case "$1" in
        rps) awk '/Requests\/sec:/ { print $2 }' "$hey_out" ;;
        ok) awk '/\[200\]/ { n += $2 } END { print n + 0 }' "$hey_out" ;;
        failed) awk '/Status code distribution:/ { s = 1; next } /Error distribution:/ { s = 0; e = 1; next }
                     s && /\[[0-9]+\]/ && !/\[200\]/ { n += $2 } e && /\[[0-9]+\]/ { gsub(/[\[\]]/, "", $1); n += $1 }
                     END { print n + 0 }' "$hey_out" ;;
        p50|p99) awk -v p="${1#p}%" '$1 == p && $2 == "in" { print $3 * 1000 }' "$hey_out" ;;
    esac
}

# One measured hey run on every route: 1 s warm-up, then BENCH_SECONDS with the proxy's CPU read
# around it (after it went idle again, so the recorder's writes count). KEY prefixes the results.
hey_scenario() {
    local key="$1"; shift
    local route name proxy ca pid
    for route in "${hey_routes[@]}"; do
        IFS='|' read -r name proxy ca pid <<<"$route"
        echo "  running: hey $* ($key), $name" >&2
        run_hey "$name" -z 1s "$@"
        wait_idle "$pid"
        local ticks0="" upstream0 opens0 t0
        if [[ -n "$pid" ]]; then ticks0="$(cpu_ticks "$pid")"; fi
        upstream0="$(cpu_ticks "$hey_upstream_pid")"
        opens0="$(tcp_active_opens)"; t0="$(now_ms)"
        run_hey "$name" -z "${hey_seconds}s" "$@"
        wait_idle "$pid"
        local ok opens
        ok="$(hey_field ok)"; opens=$(( $(tcp_active_opens) - opens0 ))
        record "$name" "$key.rps" "$(hey_field rps)"
        record "$name" "$key.ok" "$ok"
        record "$name" "$key.failed" "$(hey_field failed)"
        record "$name" "$key.p50" "$(hey_field p50)"
        record "$name" "$key.p99" "$(hey_field p99)"
        # Via a proxy each client connection is two connects (client→proxy, proxy→upstream on CONNECT).
        record "$name" "$key.connects" "$([[ -n "$proxy" ]] && echo $((opens / 2)) || echo "$opens")"
        if [[ "$ok" -gt 0 ]]; then
            # The bench upstream is one TLS server answering small JSON: a floor for a proxy, which is a TLS
            # server toward the client and a TLS client toward the upstream, before it records anything.
            record "$name" "$key.upstream_cpu_us" "$(awk -v d=$(( $(cpu_ticks "$hey_upstream_pid") - upstream0 )) \
                -v hz="$clock_ticks" -v n="$ok" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')"
        fi
        if [[ -n "$pid" && "$ok" -gt 0 ]]; then
            record "$name" "$key.cpu_us" "$(awk -v d=$(( $(cpu_ticks "$pid") - ticks0 )) -v hz="$clock_ticks" -v n="$ok" \
                'BEGIN { printf "%.1f", d * 1e6 / hz / n }')"
        fi
        if [[ "$name" == sightline ]]; then
            # Client connections that carried a request: distinct client ip:port among the run's flows.
            record "$name" "$key.client_connections" "$(sqlite3 -cmd '.timeout 5000' "$hey_sl_dir/flows.sqlite" \
                "SELECT count(DISTINCT client_address) FROM flow WHERE started_at >= $t0")"
            record "$name" "$key.flows" "$(sqlite3 -cmd '.timeout 5000' "$hey_sl_dir/flows.sqlite" \
                "SELECT count(*) FROM flow WHERE started_at >= $t0")"
        fi
    done
}

# curl's %{time_appconnect} (start to TLS done with the origin, through the tunnel when proxied), one
# fresh curl per sample: 20 hosts new to the proxy (each needs a leaf minted), then 20 × the same host.
tls_scenario() {
    local route name proxy ca pid url
    for route in "${hey_routes[@]}"; do
        IFS='|' read -r name proxy ca pid <<<"$route"
        echo "  running: curl first TLS connections, $name" >&2
        wait_idle "$pid"
        for url in "${hey_new_host_urls[@]}"; do curl_appconnect "$url"; done >"$work/tls-new.$name"
        for _ in $(seq 20); do curl_appconnect "$hey_url"; done >"$work/tls-same.$name"
        record "$name" tls.new_host_p50 "$(median <"$work/tls-new.$name")"
        record "$name" tls.same_host_p50 "$(median <"$work/tls-same.$name")"
    done
    # The same through a second Sightline started with `--connect lazy` (its own data dir, so its hosts are new
    # to it too): the CONNECT is answered at once and the upstream reached while the client's TLS runs.
    if [[ -n "${hey_lazy_route:-}" ]]; then
        IFS='|' read -r name proxy ca pid <<<"$hey_lazy_route"
        echo "  running: curl first TLS connections, sightline --connect lazy" >&2
        wait_idle "$pid"
        for url in "${hey_new_host_urls[@]}"; do curl_appconnect "$url"; done >"$work/tls-new.lazy"
        for _ in $(seq 20); do curl_appconnect "$hey_url"; done >"$work/tls-same.lazy"
        record sightline tls.lazy_new_host_p50 "$(median <"$work/tls-new.lazy")"
        record sightline tls.lazy_same_host_p50 "$(median <"$work/tls-same.lazy")"
    fi
}

# Milliseconds to TLS done for URL $1 on the current route; nothing (and curl's error) when it failed.
curl_appconnect() {
    local seconds
    if seconds="$(curl -sS -o /dev/null --max-time 10 ${proxy:+-x "$proxy"} --cacert "$ca" -H 'Content-Type: application/json' \
        --data-binary @"$work/small.json" -w '%{time_appconnect}' "$1")"; then
        awk -v s="$seconds" 'BEGIN { print s * 1000 }'
    fi
    return 0
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# `hey -c 4` for BENCH_SUSTAINED_SECONDS with a ~150-token chat body on each proxy: responses, flows
# recorded/dropped/lost (Sightline's /api/stats before and after), RSS before, peak (1 s samples), after.
sustained_scenario() {
    local route name proxy ca pid
    for route in "${hey_routes[@]}"; do
        IFS='|' read -r name proxy ca pid <<<"$route"
        [[ -n "$pid" ]] || continue
        echo "  running: hey -c 4 for ${sustained_seconds} s, ~150-token prompts, $name" >&2
        wait_idle "$pid"
        local recorded0="" dropped0="" lost0="" errors0="" peak rss
        if [[ "$name" == sightline ]]; then
            recorded0="$(sightline_stat recorded)"; dropped0="$(sightline_stat dropped)"
            lost0="$(sightline_stat lost)"; errors0="$(sightline_stat write_errors)"
        fi
        record "$name" sustained.rss_before_kb "$(rss_kb "$pid")"
        peak=0
        SSL_CERT_FILE="$ca" hey -x "$proxy" -m POST -T application/json -t 20 -c 4 -z "${sustained_seconds}s" \
            -D "$work/prompt150.json" "$hey_url" >"$work/sustained.$name" 2>&1 &
        local hey_pid=$!
        started_pids+=("$hey_pid")
        while kill -0 "$hey_pid" 2>/dev/null; do
            rss="$(rss_kb "$pid")"; (( rss > peak )) && peak="$rss"
            sleep 1
        done
        wait "$hey_pid" || true
        wait_idle "$pid"
        hey_out="$work/sustained.$name"
        record "$name" sustained.rps "$(hey_field rps)"
        record "$name" sustained.ok "$(hey_field ok)"
        record "$name" sustained.failed "$(hey_field failed)"
        record "$name" sustained.rss_peak_kb "$peak"
        record "$name" sustained.rss_after_kb "$(rss_kb "$pid")"
        if [[ "$name" == sightline ]]; then
            record "$name" sustained.recorded "$(delta "$(sightline_stat recorded)" "$recorded0")"
            record "$name" sustained.dropped "$(delta "$(sightline_stat dropped)" "$dropped0")"
            record "$name" sustained.lost "$(delta "$(sightline_stat lost)" "$lost0")"
            record "$name" sustained.write_errors "$(delta "$(sightline_stat write_errors)" "$errors0")"
            record "$name" sustained.queued_after "$(sightline_stat queued)"
        fi
    done
}

hey_bench() {
    write_bodies
    hey_out="$work/hey.out"

    "$bench" serve --upstream-dir "$work/upstream" >"$work/hey-upstream.out" 2>"$work/hey-upstream.out.err" &
    hey_upstream_pid=$!
    started_pids+=("$hey_upstream_pid")
    wait_for_port "$work/hey-upstream.out" '^upstream https://127\.0\.0\.1:' "$hey_upstream_pid" >/dev/null
    for _ in $(seq 50); do [[ "$(grep -c '^upstream ' "$work/hey-upstream.out")" -ge 21 ]] && break; sleep 0.1; done
    hey_url="$(grep -m1 '^upstream https://127\.0\.0\.1:' "$work/hey-upstream.out" | cut -d' ' -f2)/v1/chat/completions"
    mapfile -t hey_new_host_urls < <(grep '^upstream ' "$work/hey-upstream.out" | tail -n +2 | cut -d' ' -f2 | sed 's|$|/v1/chat/completions|')

    hey_routes=("direct||$upstream_ca|")
    if start_mitmdump "$work/hey-mitmproxy"; then
        hey_routes+=("mitmproxy|http://127.0.0.1:$mitm_port|$work/hey-mitmproxy/mitmproxy-ca-cert.pem|$mitm_pid")
    fi
    hey_sl_dir="$work/hey-sightline"
    start_sightline "$hey_sl_dir" --ui 127.0.0.1:0
    hey_sl_pid="$sl_pid"
    hey_sl_ui_port="$(wait_for_port "$hey_sl_dir.out" '^ui ' "$sl_pid")"
    hey_routes+=("sightline|http://127.0.0.1:$sl_port|$hey_sl_dir/ca-cert.pem|$sl_pid")
    local route name pid
    for route in "${hey_routes[@]}"; do
        IFS='|' read -r name _ _ pid <<<"$route"
        if [[ -n "$pid" ]]; then record "$name" idle_rss_kb "$(rss_kb "$pid")"; fi
    done

    if [[ " $hey_parts " == *" hey "* ]]; then
        hey_scenario c32 -c 32 -D "$work/small.json"
        hey_scenario c1 -c 1 -D "$work/small.json"
        hey_scenario newconn -c 8 -disable-keepalive -D "$work/small.json"
    fi
    if [[ " $hey_parts " == *" tls "* ]]; then
        start_sightline "$work/hey-sightline-lazy" --no-ui --connect lazy
        hey_lazy_route="lazy|http://127.0.0.1:$sl_port|$work/hey-sightline-lazy/ca-cert.pem|$sl_pid"
        tls_scenario
    fi
    if [[ " $hey_parts " == *" sustained "* ]]; then sustained_scenario; fi

    # Stopped as a user would, so it prints what it recorded and dropped over all of the above.
    kill -INT "$hey_sl_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$hey_sl_pid" 2>/dev/null || break; sleep 0.1; done
    grep -m1 '^stopped' "$hey_sl_dir.out" | sed 's/^/hey part: sightline /' >"$work/hey-stopped.txt" ||
        echo "hey part: sightline did not stop within 10 s of SIGINT" >"$work/hey-stopped.txt"
    true
}
