"""Full-disk suite (issue 9 §4): the data directory on a 16 MiB tmpfs that is then filled to the last byte.

Forwarding must not care (every proxied request still answered 200 by the upstream), the recorder must
count (and log) what it could not write, and recording must resume once space returns. Needs root (mount);
otherwise prints `diskfull: skipped (…)`.
"""

import errno
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import KeepAliveClient, Sightline, Upstream, install_signal_handlers, say, wait_until, work_dir, write_result

FULL_REQUESTS = int(os.environ.get("DISKFULL_REQUESTS", "300"))
AFTER_REQUESTS = int(os.environ.get("DISKFULL_AFTER", "100"))
PAD = "X-Pad: " + "p" * 2048 + "\r\n"     # recorded request headers: each flow needs some room in the store


def fill(path):
    """Writes until ENOSPC, in ever smaller pieces, so not a byte is left. Returns the bytes written."""
    written = 0
    with open(path, "wb", buffering=0) as f:
        for size in (1 << 20, 1 << 16, 1 << 12, 1 << 8, 1):
            block = b"\0" * size
            while True:
                try:
                    n = f.write(block)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
                written += n or 0
                if not n:
                    break
    return written


def send(proxy, upstream, prefix, count):
    client = KeepAliveClient(proxy.proxy_port, upstream.port, timeout=10)
    ok, failed = 0, []
    for i in range(count):
        try:
            status = client.get(f"/df/{prefix}/{i}", PAD)
        except Exception as e:
            status = repr(e)
        if status == 200:
            ok += 1
        elif len(failed) < 3:
            failed.append(status)
    client.close()
    return ok, failed


def stored(proxy, prefix):
    flows = proxy.api("/api/flows?limit=1000")["flows"]
    return sum(1 for f in flows if f"/df/{prefix}/" in f["url"])


def main():
    install_signal_handlers()
    work = os.path.join(work_dir(), "diskfull")
    mnt = os.path.join(work, "mnt")
    os.makedirs(mnt, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mnt], capture_output=True, text=True)
    if r.returncode != 0:
        reason = (r.stderr or r.stdout).strip().splitlines()[-1:] or [f"exit {r.returncode}"]
        say(f"diskfull: skipped (cannot mount tmpfs: {reason[0]})")
        write_result("diskfull", {"skipped": True, "reason": reason[0]})
        return
    upstream = Upstream()
    log = os.path.join(work, "sightline.log")   # outside the full file system
    proxy = Sightline(os.path.join(mnt, "data"), log_level="warning", log_path=log)
    try:
        proxy.start()
        ok0, _ = send(proxy, upstream, "before", 50)
        wait_until(lambda: proxy.stats()["recorder"]["recorded"] >= 50, 10)
        before = proxy.stats()
        filler = os.path.join(mnt, "filler")
        written = fill(filler)
        st = os.statvfs(mnt)
        say(f"diskfull: tmpfs 16 MiB; {before['recorder']['recorded']} flows recorded, then a filler of "
            f"{written / 1048576:.1f} MiB left {st.f_bavail * st.f_frsize} bytes free")
        t0 = time.time()
        ok_full, failed = send(proxy, upstream, "full", FULL_REQUESTS)
        elapsed = time.time() - t0
        # Let the writer try (each batch is retried before it is given up) and settle.
        time.sleep(1)
        wait_until(lambda: proxy.stats()["recorder"]["queued"] == 0, 15)
        time.sleep(1)
        full = proxy.stats()
        rec = full["recorder"]
        alive = proxy.alive()
        stored_full = stored(proxy, "full")
        say(f"diskfull: forwarding with the disk full: {ok_full}/{FULL_REQUESTS} proxied requests answered 200 "
            f"in {elapsed:.1f} s" + (f"  (failures: {failed})" if failed else "") + f"; proxy alive: {'yes' if alive else 'NO'}")
        not_recorded = FULL_REQUESTS - stored_full
        say(f"diskfull: recorder counters: recorded {rec['recorded']} (+{rec['recorded'] - before['recorder']['recorded']}), "
            f"write_errors {rec['write_errors']}, lost {rec['lost']}, dropped {rec['dropped']}, queued {rec['queued']}; "
            f"flows of the {FULL_REQUESTS} in the store: {stored_full}")
        with open(log, errors="replace") as f:
            text = f.read()
        warn_lines = [l for l in text.splitlines() if re.search(r"could not write|gave up|queue full", l)]
        say(f"diskfull: log lines about it: {len(warn_lines)}"
            + (f", e.g. {warn_lines[0].strip()[:220]!r}" if warn_lines else ""))
        os.remove(filler)
        ok_after, failed_after = send(proxy, upstream, "after", AFTER_REQUESTS)
        resumed = wait_until(lambda: stored(proxy, "after") >= AFTER_REQUESTS, 15, 0.25)
        after = proxy.stats()
        stored_after = stored(proxy, "after")
        say(f"diskfull: filler deleted; {ok_after}/{AFTER_REQUESTS} more answered 200; flows in the store "
            f"{full['flows']} → {after['flows']}; of those {AFTER_REQUESTS}, recorded {stored_after}")
        counted = rec["lost"] + rec["dropped"]
        good = (ok_full == FULL_REQUESTS and alive and stored_after == AFTER_REQUESTS
                and counted >= not_recorded and (not_recorded == 0 or rec["write_errors"] > 0))
        problems = []
        if ok_full != FULL_REQUESTS or not alive:
            problems.append(f"forwarding broke ({ok_full}/{FULL_REQUESTS}, alive {alive})")
        if counted < not_recorded:
            problems.append(f"{not_recorded} flows missing but only {counted} counted lost/dropped")
        if not_recorded and not warn_lines:
            problems.append("nothing logged")
        if stored_after != AFTER_REQUESTS:
            problems.append(f"recording did not resume ({stored_after}/{AFTER_REQUESTS})")
        if not_recorded == 0:
            problems.append("the full disk did not stop any write: the test did not bite")
        say("diskfull verdict: " + ("PASS — forwarding kept working, the drops were counted and logged, recording resumed"
                                    if not problems else "FAIL — " + "; ".join(problems)))
        write_result("diskfull", {"skipped": False, "forwarded_ok": ok_full, "requests": FULL_REQUESTS,
                                  "not_recorded": not_recorded, "lost": rec["lost"], "dropped": rec["dropped"],
                                  "write_errors": rec["write_errors"], "log_lines": len(warn_lines),
                                  "resumed": stored_after == AFTER_REQUESTS, "resumed_count": stored_after,
                                  "pass": not problems})
    finally:
        proxy.stop()
        upstream.close()
        if subprocess.run(["umount", mnt], capture_output=True).returncode != 0:
            time.sleep(1)
            if subprocess.run(["umount", mnt], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", mnt], capture_output=True)


if __name__ == "__main__":
    main()
