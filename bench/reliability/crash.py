"""Crash-safety suite (issue 9 §4): kill -9 under load, CRASH_ROUNDS times (default 5), on one data dir.

Each round starts the real binary on the SAME data directory (so from round 2 on it opens a store whose
writer was killed mid-flight), drives CRASH_THREADS (default 8) keep-alive clients of proxied GETs to a
local upstream, each request on a unique path /c/<round>/<thread>-<n>, and kill -9s the proxy after a
random 1–3 s. The first CRASH_ROUNDS rounds drive the clients flat out (the recorder may fall behind: its
queue is then what a kill loses); CRASH_PACED_ROUNDS more (default 3) pace them to CRASH_PACED_RATE
responses/s in total (default 500), below what the writer sustains, which is the case the batch-window
bound is about. Then, on a copy of the store files as the kill left them (so the next round's start still
meets the crashed WAL), it runs PRAGMA integrity_check and counts the round's flows against the responses
the clients had completed: the flows lost to the kill.
"""

import os
import random
import re
import shutil
import sqlite3
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import KeepAliveClient, Sightline, Upstream, install_signal_handlers, say, work_dir, write_result

ROUNDS = int(os.environ.get("CRASH_ROUNDS", "5"))
PACED_ROUNDS = int(os.environ.get("CRASH_PACED_ROUNDS", "3"))
PACED_RATE = float(os.environ.get("CRASH_PACED_RATE", "500"))
THREADS = int(os.environ.get("CRASH_THREADS", "8"))
RECORDER_SOURCE = "Sources/SightlineStore/Recording/FlowRecorder.swift"


def batch_window():
    """The recorder's batch interval and batch size as the source declares them (defaults of FlowRecorder.init)."""
    try:
        text = open(RECORDER_SOURCE).read()
    except OSError:
        return None, None
    interval = re.search(r"batchInterval:\s*Duration\s*=\s*\.(milliseconds|seconds)\((\d+)\)", text)
    size = re.search(r"maxBatch:\s*Int\s*=\s*(\d+)", text)
    ms = None
    if interval:
        ms = int(interval.group(2)) * (1000 if interval.group(1) == "seconds" else 1)
    return ms, (int(size.group(1)) if size else None)


def snapshot(data_dir, dest):
    """Copies flows.sqlite with its -wal and -shm exactly as the killed process left them."""
    if os.path.exists(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)
    for suffix in ("", "-wal", "-shm"):
        src = os.path.join(data_dir, "flows.sqlite" + suffix)
        if os.path.exists(src):
            shutil.copy2(src, os.path.join(dest, "flows.sqlite" + suffix))
    return os.path.join(dest, "flows.sqlite")


def main():
    install_signal_handlers()
    work = os.path.join(work_dir(), "crash")
    data = os.path.join(work, "data")
    os.makedirs(work, exist_ok=True)
    upstream = Upstream()
    window_ms, max_batch = batch_window()
    rng = random.Random(int(os.environ.get("CRASH_SEED", str(int(time.time())))))
    rounds = []
    proxy = None
    try:
        for r in range(1, ROUNDS + PACED_ROUNDS + 1):
            paced = r > ROUNDS
            interval = THREADS / PACED_RATE if paced else 0
            proxy = Sightline(data, log_path=os.path.join(work, f"round{r}.log"))
            try:
                proxy.start()
            except RuntimeError as e:
                say(f"crash round {r}: sightline did not start on the crashed store: {e}")
                rounds.append({"round": r, "start_failed": True})
                break
            completed = [[] for _ in range(THREADS)]
            errors = [0] * THREADS
            stop = threading.Event()

            polled = {}

            def poller():
                while not stop.is_set():
                    try:
                        polled.update(proxy.stats()["recorder"])
                    except Exception:
                        pass
                    stop.wait(0.1)

            def client(t):
                c = KeepAliveClient(proxy.proxy_port, upstream.port, timeout=5)
                n = 0
                due = time.time()
                while not stop.is_set():
                    if interval:
                        due += interval
                        if due > time.time():
                            stop.wait(due - time.time())
                    path = f"/c/{r}/{t}-{n}"
                    try:
                        status = c.get(path)
                    except Exception:
                        errors[t] += 1
                        if stop.is_set():
                            break
                        time.sleep(0.01)
                        continue
                    if status == 200:
                        completed[t].append(path)
                    n += 1
                c.close()

            threads = [threading.Thread(target=client, args=(t,), daemon=True) for t in range(THREADS)]
            threads.append(threading.Thread(target=poller, daemon=True))
            for t in threads:
                t.start()
            load_seconds = rng.uniform(1.0, 3.0)
            time.sleep(load_seconds)
            proxy.kill9()                 # SIGKILL while the clients are mid-request
            stop.set()
            for t in threads:
                t.join(10)
            done = {p for lst in completed for p in lst}
            db = snapshot(data, os.path.join(work, f"snapshot{r}"))
            try:
                conn = sqlite3.connect(db)
                integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
                urls = [u for (u,) in conn.execute("SELECT url FROM flow WHERE url LIKE ?", (f"%/c/{r}/%",))]
                total_flows = conn.execute("SELECT count(*) FROM flow").fetchone()[0]
                conn.close()
            except sqlite3.Error as e:
                integrity, urls, total_flows = f"error: {e}", [], None
            recorded = {re.sub(r"^https?://[^/]+", "", u) for u in urls}
            lost = len(done - recorded)
            rate = len(done) / load_seconds if load_seconds else 0
            rounds.append({"round": r, "paced": paced, "seconds": load_seconds, "completed": len(done),
                           "recorded": len(recorded & done), "extra": len(recorded - done), "lost": lost,
                           "integrity": integrity, "rate": rate, "store_flows": total_flows,
                           "queued": polled.get("queued"), "dropped": polled.get("dropped")})
            say(f"crash round {r} ({'paced' if paced else 'flat out'}): killed after {load_seconds:.1f} s; "
                f"responses completed {len(done):,} ({rate:,.0f}/s); flows recorded {len(recorded & done):,}"
                f" (+{len(recorded - done)} in flight); lost {lost}; recorder queue at the last poll before the kill "
                f"{polled.get('queued', '?')}, dropped {polled.get('dropped', '?')}; integrity_check {integrity}; "
                f"store now {total_flows:,} flows")
        # After the last kill, one more start must open the crashed store and serve.
        final = Sightline(data, log_path=os.path.join(work, "final.log"))
        try:
            final.start()
            reopened = final.stats().get("flows")
            say(f"crash reopen after the last kill: ok, /api/stats counts {reopened:,} flows")
            reopen_ok = True
        except Exception as e:
            say(f"crash reopen after the last kill: FAILED ({e})")
            reopen_ok = False
        finally:
            final.stop()
        ok_rounds = [x for x in rounds if not x.get("start_failed")]
        fast = [x for x in ok_rounds if not x["paced"]]
        slow = [x for x in ok_rounds if x["paced"]]
        bad_integrity = sum(1 for x in ok_rounds if x["integrity"] != "ok")
        start_failures = sum(1 for x in rounds if x.get("start_failed"))

        def figures(rs):
            if not rs:
                return None, None, 0, 0
            losses = [x["lost"] for x in rs]
            rate = sum(x["rate"] for x in rs) / len(rs)
            return max(losses), sum(losses) / len(losses), rate, rate * (window_ms or 0) / 1000

        say(f"crash kills: {len(ok_rounds)}; integrity_check failures: {bad_integrity}; "
            f"starts on a crashed store that failed: {start_failures + (0 if reopen_ok else 1)}")
        f_max, f_mean, f_rate, f_window = figures(fast)
        s_max, s_mean, s_rate, s_window = figures(slow)
        if fast:
            backlog = max((x["queued"] or 0) for x in fast)
            writer = sum(x["recorded"] / x["seconds"] for x in fast) / len(fast)
            say(f"crash flows lost per kill, flat out (~{f_rate:,.0f}/s): max {f_max}, mean {f_mean:.1f}  "
                f"(per round: {[x['lost'] for x in fast]}; the writer committed ~{writer:,.0f} flows/s, so its "
                f"queue grew: up to {backlog:,} at the last poll before a kill)")
        if slow:
            say(f"crash flows lost per kill, paced (~{s_rate:,.0f}/s): max {s_max}, mean {s_mean:.1f}  "
                f"(per round: {[x['lost'] for x in slow]})")
        if window_ms:
            say(f"crash recorder batch window: {window_ms} ms (up to {max_batch} flows a batch, {RECORDER_SOURCE}); "
                f"one window is ~{f_window:.0f} flows flat out, ~{s_window:.0f} paced")
        # A kill loses what completed in the last window(s): queued, being built, or in an uncommitted
        # transaction. Allow two windows (a capture waits up to one window, then its batch is written).
        def within(mx, win):
            return mx is not None and mx <= max(2 * win, 1)

        problems = []
        if bad_integrity:
            problems.append(f"{bad_integrity} integrity_check failure(s)")
        if start_failures or not reopen_ok:
            problems.append("a start on the crashed store failed")
        if slow and not within(s_max, s_window):
            problems.append(f"paced: lost {s_max} > two batch windows (~{2 * s_window:.0f})")
        if fast and not within(f_max, f_window):
            problems.append(f"flat out: lost {f_max} > two batch windows (~{2 * f_window:.0f}): the writer fell "
                            f"behind and its queue (up to {backlog:,}) went with the kill")
        say("crash verdict: " + ("PASS — integrity ok after every kill, lost ≤ two batch windows of traffic"
                                 if not problems else "FAIL — " + "; ".join(problems)))
        write_result("crash", {"kills": len(ok_rounds), "integrity_failures": bad_integrity,
                               "max_lost_flat_out": f_max, "max_lost_paced": s_max,
                               "rate_flat_out": f_rate, "rate_paced": s_rate,
                               "window_ms": window_ms, "window_flows_flat_out": f_window, "window_flows_paced": s_window,
                               "reopen_ok": reopen_ok and not start_failures, "pass": not problems})
    finally:
        if proxy is not None:
            proxy.kill()
        upstream.close()


if __name__ == "__main__":
    main()
