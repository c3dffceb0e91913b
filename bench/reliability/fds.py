"""File-descriptor suite (issue 9 §3): FDS_CONNECTIONS (default 10,000) client connections of three kinds,
then the proxy's open descriptors must be back where they started (within 10).

  request   an absolute-form GET with `Connection: close`, read to the end
  idle      connect, then close without sending a byte
  tunnel    CONNECT to the local upstream (not intercepted: a byte tunnel), a GET through it, close
  tls       (one in ten) CONNECT api.openai.com:443, intercepted (--map-remote to the local upstream): a TLS
            handshake verified against the Sightline CA, a GET, close
"""

import os
import socket
import ssl
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (Sightline, Tickets, Upstream, fd_kinds, install_signal_handlers, proxied_get, read_response, say, wait_until,
                    work_dir, write_result)

CONNECTIONS = int(os.environ.get("FDS_CONNECTIONS", "10000"))
THREADS = int(os.environ.get("FDS_THREADS", "8"))
SLACK = 10


def connect(s, authority):
    """Sends CONNECT on socket s and reads the proxy's 200; returns bytes that came after it."""
    s.sendall(f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n".encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(4096)
        if not d:
            raise ConnectionError("closed before the CONNECT answer")
        buf += d
    if not buf.startswith(b"HTTP/1.1 200"):
        raise ConnectionError(buf[:60])
    return buf[buf.index(b"\r\n\r\n") + 4:]


def tunnel(proxy_port, up_port, path):
    s = socket.create_connection(("127.0.0.1", proxy_port), timeout=5)
    try:
        h = f"127.0.0.1:{up_port}"
        rest = connect(s, h)
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {h}\r\n\r\n".encode())
        status, _, _ = read_response(s, rest)
        return status
    finally:
        s.close()


def intercepted(proxy_port, ctx):
    s = socket.create_connection(("127.0.0.1", proxy_port), timeout=5)
    try:
        connect(s, "api.openai.com:443")
        t = ctx.wrap_socket(s, server_hostname="api.openai.com")
        t.sendall(b"GET /v1/models HTTP/1.1\r\nHost: api.openai.com\r\nConnection: close\r\n\r\n")
        status, _, _ = read_response(t)
        t.close()
        return status
    finally:
        s.close()


def idle(proxy_port):
    s = socket.create_connection(("127.0.0.1", proxy_port), timeout=5)
    s.close()
    return 200


def main():
    install_signal_handlers()
    work = os.path.join(work_dir(), "fds")
    os.makedirs(work, exist_ok=True)
    upstream = Upstream()
    data = os.path.join(work, "data")
    proxy = Sightline(data, ["--map-remote", f"https://api.openai.com=http://127.0.0.1:{upstream.port}"]).start()
    try:
        ctx = ssl.create_default_context(cafile=os.path.join(data, "ca-cert.pem"))
        # Warm up every path once (the store, a tunnel, the event loops) before the baseline.
        for i in range(10):
            proxied_get(proxy.proxy_port, upstream.port, f"/warm/{i}")
            tunnel(proxy.proxy_port, upstream.port, f"/warm-t/{i}")
            idle(proxy.proxy_port)
            intercepted(proxy.proxy_port, ctx)
        wait_until(lambda: proxy.stats()["recorder"]["queued"] == 0, 5)
        time.sleep(2)
        before = proxy.fd_count()
        kinds_before = fd_kinds(proxy.pid)
        counts = {"request": [0, 0], "idle": [0, 0], "tunnel": [0, 0], "tls": [0, 0]}
        errors = []
        lock = threading.Lock()
        tickets = Tickets(CONNECTIONS)
        peak = [before]

        def worker():
            while (n := tickets.take()) is not None:
                kind = "tls" if n % 10 == 9 else ("request", "idle", "tunnel")[n % 3]
                try:
                    if kind == "request":
                        status, _ = proxied_get(proxy.proxy_port, upstream.port, f"/fd/{n}")
                    elif kind == "idle":
                        status = idle(proxy.proxy_port)
                    elif kind == "tls":
                        status = intercepted(proxy.proxy_port, ctx)
                    else:
                        status = tunnel(proxy.proxy_port, upstream.port, f"/fd-t/{n}")
                    good = status == 200
                except Exception as e:
                    good = False
                    with lock:
                        if len(errors) < 3:
                            errors.append(f"{kind}: {e!r}")
                with lock:
                    counts[kind][0 if good else 1] += 1
                if n % 500 == 0:
                    c = proxy.fd_count() or 0
                    with lock:
                        peak[0] = max(peak[0], c)

        t0 = time.time()
        threads = [threading.Thread(target=worker, daemon=True) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.time() - t0
        # Closing is asynchronous on both sides; give it a few seconds.
        wait_until(lambda: proxy.fd_count() <= before + SLACK, 10, 0.25)
        time.sleep(1)
        after = proxy.fd_count()
        kinds_after = fd_kinds(proxy.pid)
        total = sum(ok + bad for ok, bad in counts.values())
        say(f"fds connections: {total:,} in {elapsed:.1f} s ("
            + ", ".join(f"{k} {ok:,} ok/{bad} failed" for k, (ok, bad) in counts.items()) + ")"
            + (f"  e.g. {errors}" if errors else ""))
        say(f"fds proxy open descriptors: before {before}, peak sampled {peak[0]}, after {after}")
        say("fds by kind before: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds_before.items())))
        say("fds by kind after:  " + ", ".join(f"{k} {v}" for k, v in sorted(kinds_after.items())))
        good = after <= before + SLACK and proxy.alive()
        say("fds verdict: " + (f"PASS — after ≤ before + {SLACK}" if good else f"FAIL — {after - before} descriptors more than before"))
        write_result("fds", {"connections": total, "before": before, "after": after, "peak": peak[0],
                             "failed": sum(bad for _, bad in counts.values()), "pass": good})
    finally:
        proxy.stop()
        upstream.close()


if __name__ == "__main__":
    main()
