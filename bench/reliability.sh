#!/usr/bin/env bash
# Reliability report (issue 9): runs four suites against the real release binary and prints their figures,
# then one summary table. A report, not a pass/fail: it exits 0 even when a figure is bad.
#   bench/reliability.sh                 # builds (swift build -c release --product sightline) first
#   SKIP_BUILD=1 bench/reliability.sh    # uses .build/release/sightline as it is
# Suites (bench/reliability/*.py, Python 3 standard library only), all on 127.0.0.1 with OS-chosen ports:
#   fuzz.py      FUZZ_INPUTS (100,000) malformed/hostile inputs from FUZZ_THREADS (16) threads
#   crash.py     kill -9 under load, CRASH_ROUNDS (5) flat out + CRASH_PACED_ROUNDS (3) paced, one data dir
#   diskfull.py  the data dir on a 16 MiB tmpfs filled to the last byte (needs root to mount; else skipped)
#   fds.py       FDS_CONNECTIONS (10,000) connections, descriptors before/after
# RELIABILITY_SUITES="crash fds" runs only those. KEEP_WORK=1 keeps the work directory (data dirs, proxy logs) for a look afterwards.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  swift build -c release --product sightline >/dev/null || { echo "reliability: release build failed" >&2; exit 1; }
fi
[ -x .build/release/sightline ] || { echo "reliability: no .build/release/sightline (build it, or unset SKIP_BUILD)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/sightline-reliability.XXXXXX")
# A private copy of the binary: a rebuild during the run cannot swap it under the suites.
cp .build/release/sightline "$work/sightline"
mkdir -p "$work/results"
: >"$work/pids"
export PYTHONDONTWRITEBYTECODE=1 SIGHTLINE_BIN="$work/sightline" RELIABILITY_WORK="$work" RELIABILITY_RESULTS="$work/results" RELIABILITY_PIDS="$work/pids"

cleanup() {
  # Any proxy a suite left behind: by PID, and only if that PID is still our copy of the binary.
  while read -r pid; do
    [ -n "$pid" ] || continue
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
    case "$exe" in "$SIGHTLINE_BIN"*) kill -9 "$pid" 2>/dev/null || true ;; esac
  done <"$work/pids"
  if mountpoint -q "$work/diskfull/mnt" 2>/dev/null; then umount "$work/diskfull/mnt" 2>/dev/null || umount -l "$work/diskfull/mnt"; fi
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "Sightline reliability report — $(date -u +%Y-%m-%dT%H:%M:%SZ), $("$SIGHTLINE_BIN" --version 2>/dev/null | head -1), $(nproc) cores, commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
start=$(date +%s)
for suite in ${RELIABILITY_SUITES:-fuzz crash diskfull fds}; do
  echo
  echo "== $suite"
  timeout -s TERM 1200 python3 "bench/reliability/$suite.py"
  status=$?
  [ $status -eq 0 ] || echo "$suite: the suite itself exited with status $status (its figures may be missing)"
done

echo
echo "== summary ($(( $(date +%s) - start )) s)"
python3 - "$work/results" <<'EOF'
import json, os, sys

d = sys.argv[1]
def load(name):
    try:
        with open(os.path.join(d, name + ".json")) as f:
            return json.load(f)
    except OSError:
        return None

rows = []
def row(name, value, ok):
    rows.append((name, value, "ok" if ok is True else "FAIL" if ok is False else ok))

f = load("fuzz")
if f:
    row("fuzz: inputs tried", f"{f['inputs']:,}", f["inputs"] >= 100_000 or "short run")
    row("fuzz: crashes", f"{f['crashes']}", f["crashes"] == 0)
    row("fuzz: hangs (no answer/close in 3 s)", f"{f['hangs']}", f["hangs"] == 0)
    row("fuzz: smuggled requests reaching upstream", f"{f['smuggled']}", f["smuggled"] == 0)
    row("fuzz: valid requests failed (1 per 1,000)", f"{f['valid_failed']} of {f['valid_ok'] + f['valid_failed']}",
        f["valid_failed"] == 0)
    row("fuzz: proxy VmRSS before → after", f"{f['rss_before_kb'] / 1024:.0f} → {f['rss_after_kb'] / 1024:.0f} MiB",
        f["rss_after_kb"] <= max(2 * f["rss_before_kb"], f["rss_before_kb"] + 100 * 1024))
    row("fuzz: proxy fds before → after", f"{f['fds_before']} → {f['fds_after']}", f["fds_after"] <= f["fds_before"] + 10)
else:
    row("fuzz", "no figures", False)

c = load("crash")
if c:
    row("crash: kill -9 rounds", f"{c['kills']}", c["kills"] > 0)
    row("crash: integrity_check failures", f"{c['integrity_failures']}", c["integrity_failures"] == 0)
    row("crash: restart on the crashed store", "ok" if c["reopen_ok"] else "failed", c["reopen_ok"])
    if c.get("max_lost_paced") is not None:
        row(f"crash: flows lost per kill, paced ~{c['rate_paced']:,.0f}/s (max)",
            f"{c['max_lost_paced']}  (one {c['window_ms']} ms window ≈ {c['window_flows_paced']:.0f})",
            c["max_lost_paced"] <= max(2 * c["window_flows_paced"], 1))
    if c.get("max_lost_flat_out") is not None:
        row(f"crash: flows lost per kill, flat out ~{c['rate_flat_out']:,.0f}/s (max)",
            f"{c['max_lost_flat_out']}  (one {c['window_ms']} ms window ≈ {c['window_flows_flat_out']:.0f})",
            c["max_lost_flat_out"] <= max(2 * c["window_flows_flat_out"], 1))
else:
    row("crash", "no figures", False)

k = load("diskfull")
if k and k.get("skipped"):
    row("full disk", f"skipped ({k['reason']})", "skipped")
elif k:
    row("full disk: forwarded while full", f"{k['forwarded_ok']}/{k['requests']} answered 200", k["forwarded_ok"] == k["requests"])
    row("full disk: drops (not recorded / counted)",
        f"{k['not_recorded']} / lost {k['lost']} + dropped {k['dropped']}, {k['write_errors']} write errors, {k['log_lines']} log lines",
        k["lost"] + k["dropped"] >= k["not_recorded"] and k["not_recorded"] > 0)
    row("full disk: recording resumed", f"{'yes' if k['resumed'] else 'no'} ({k['resumed_count']} of the next flows)", k["resumed"])
else:
    row("full disk", "no figures", False)

x = load("fds")
if x:
    row(f"fds: before → after {x['connections']:,} connections", f"{x['before']} → {x['after']} (peak {x['peak']})",
        x["after"] <= x["before"] + 10)
    row("fds: connections that failed", f"{x['failed']}", x["failed"] == 0)
else:
    row("fds", "no figures", False)

w = max(len(r[0]) for r in rows)
v = max(len(r[1]) for r in rows)
for name, value, ok in rows:
    print(f"{name:<{w}}  {value:<{v}}  {ok}")
bad = [r for r in rows if r[2] == "FAIL"]
print(f"\n{len(bad)} figure(s) FAIL" + (": " + "; ".join(r[0] for r in bad) if bad else ""))
EOF
exit 0
