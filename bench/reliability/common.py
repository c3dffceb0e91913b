"""Shared pieces of the reliability suites (issue 9): start/stop the real sightline binary, a small local
HTTP/1.1 upstream that counts what reaches it, raw-socket HTTP helpers, and /proc readings.
Python 3 standard library only."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def binary():
    return os.environ.get("SIGHTLINE_BIN", ".build/release/sightline")


def work_dir():
    """Where a suite keeps its data dirs and logs (bench/reliability.sh passes one; else a fresh one)."""
    d = os.environ.get("RELIABILITY_WORK")
    if not d:
        import tempfile
        d = tempfile.mkdtemp(prefix="sightline-reliability-")
    os.makedirs(d, exist_ok=True)
    return d


def _terminate_as_exit(signum, frame):
    raise SystemExit(128 + signum)


def install_signal_handlers():
    """SIGTERM (from `timeout`) and SIGINT unwind through the suites' finally blocks, which stop the proxies."""
    signal.signal(signal.SIGTERM, _terminate_as_exit)
    signal.signal(signal.SIGINT, _terminate_as_exit)


def write_result(name, result):
    """Figures for the summary table of bench/reliability.sh."""
    path = os.environ.get("RELIABILITY_RESULTS")
    if not path:
        return
    with open(os.path.join(path, name + ".json"), "w") as f:
        json.dump(result, f)


def say(*args):
    print(*args, flush=True)


# ----------------------------------------------------------------------------------------------------
# /proc readings


def rss_kb(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def fd_kinds(pid):
    """{'socket': n, 'anon_inode:[eventfd]': n, 'file': n, ...} of a process's open descriptors."""
    kinds = {}
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:"):
                kind = "socket"
            elif target.startswith("pipe:"):
                kind = "pipe"
            elif target.startswith("anon_inode:"):
                kind = target
            else:
                kind = "file"
            kinds[kind] = kinds.get(kind, 0) + 1
    except OSError:
        pass
    return kinds


# ----------------------------------------------------------------------------------------------------
# The proxy under test


class Sightline:
    """One `sightline start` process on OS-chosen ports. Only ever signals its own PID."""

    def __init__(self, data_dir, extra_args=(), log_level="error", log_path=None):
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.log_level = log_level
        self.log_path = log_path or os.path.join(os.path.dirname(data_dir.rstrip("/")) or ".",
                                                  os.path.basename(data_dir.rstrip("/")) + ".log")
        self.proc = None
        self.proxy_port = None
        self.ui_port = None

    def start(self, timeout=30):
        cmd = [binary(), "start", "--listen", "127.0.0.1:0", "--ui", "127.0.0.1:0",
               "--data-dir", self.data_dir, "--log-level", self.log_level] + self.extra_args
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL)
        _remember_pid(self.proc.pid)
        lines = []
        deadline = time.time() + timeout

        def reader():
            for raw in self.proc.stdout:
                line = raw.decode("utf-8", "replace")
                lines.append(line)
                self._log.write(raw)
                self._log.flush()

        threading.Thread(target=reader, daemon=True).start()
        while time.time() < deadline:
            text = "".join(lines)
            proxy = re.search(r"^proxy\s+http://[0-9.]+:(\d+)", text, re.M)
            ui = re.search(r"^ui\s+http://[0-9.]+:(\d+)", text, re.M)
            if proxy and ui:
                self.proxy_port, self.ui_port = int(proxy.group(1)), int(ui.group(1))
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        out = "".join(lines)
        self.kill()
        raise RuntimeError(f"sightline did not start (exit {self.proc.returncode}); stdout: {out[-500:]!r}; "
                           f"log: {self.log_path}")

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=20):
        """SIGINT (flushes the recorder), then SIGKILL if it does not exit. Returns the exit status."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGINT)
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def api(self, path, timeout=10):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.ui_port}{path}", timeout=timeout) as r:
            return json.loads(r.read())

    def stats(self):
        return self.api("/api/stats")

    def rss_kb(self):
        return rss_kb(self.pid)

    def fd_count(self):
        return fd_count(self.pid)


def _remember_pid(pid):
    """bench/reliability.sh kills any of these still running when it exits (by PID, checked against the binary)."""
    path = os.environ.get("RELIABILITY_PIDS")
    if path:
        with open(path, "a") as f:
            f.write(f"{pid}\n")


# ----------------------------------------------------------------------------------------------------
# The local upstream


class UpstreamHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "reliability-upstream"
    sys_version = ""

    def log_message(self, *args):
        pass

    def _body(self):
        """Reads the body the way a naive backend would: Content-Length first (even next to Transfer-Encoding),
        else chunked. A smuggled request left behind by a proxy that framed it differently then shows up as the
        next request on this connection."""
        lengths = self.headers.get_all("Content-Length") or []
        te = self.headers.get_all("Transfer-Encoding") or []
        if (lengths and te) or len(set(v.strip() for v in lengths)) > 1:
            self.server.note("ambiguous")
        if lengths:
            try:
                n = int(lengths[0].strip())
            except ValueError:
                n = 0
            return self.rfile.read(max(0, n))
        if any("chunked" in v.lower() for v in te):
            data = b""
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    break
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    break
                if size == 0:
                    while True:  # trailers
                        t = self.rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    break
                data += self.rfile.read(size)
                self.rfile.readline(65537)
            return data
        return b""

    def _answer(self):
        self.server.note("requests")
        if "SMUGGLED" in self.path:
            self.server.note("smuggled", self.path)
        self._body()
        body = json.dumps({"ok": True, "path": self.path[:200]}).encode()
        head = (f"HTTP/1.1 200 OK\r\nServer: reliability-upstream\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n" + ("Connection: close\r\n" if self.close_connection else "") + "\r\n")
        # One write (and TCP_NODELAY): a head and body in two segments would meet delayed ACKs.
        self.wfile.write(head.encode() + (b"" if self.command == "HEAD" else body))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _answer


class Upstream(ThreadingHTTPServer):
    """ThreadingHTTPServer on 127.0.0.1:0 answering small JSON with keep-alive and counting requests,
    requests whose path contains SMUGGLED, and requests with ambiguous framing that reached it."""
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), UpstreamHandler)
        self.counts = {"requests": 0, "smuggled": 0, "ambiguous": 0}
        self.smuggled_paths = []
        self._lock = threading.Lock()
        self.port = self.server_address[1]
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        self._thread.start()

    def get_request(self):
        conn, addr = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr

    def note(self, key, detail=None):
        with self._lock:
            self.counts[key] += 1
            if detail is not None and len(self.smuggled_paths) < 1000:
                self.smuggled_paths.append(detail)

    def handle_error(self, request, client_address):
        pass  # clients (the proxy) resetting connections is expected under fuzzing

    def close(self):
        self.shutdown()
        self.server_close()


# ----------------------------------------------------------------------------------------------------
# Raw HTTP over sockets


def response_complete(buf):
    """(status, total_length) when buf holds one complete HTTP/1.1 response with Content-Length framing
    (or a head-only one for 1xx/204/304), else (status or None, None)."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None, None
    head = buf[:end].decode("latin-1", "replace")
    m = re.match(r"HTTP/1\.[01] (\d{3})", head)
    if not m:
        return None, None
    status = int(m.group(1))
    if status in (204, 304) or 100 <= status < 200 or (status == 200 and "Connection established" in head):
        return status, end + 4
    cl = re.search(r"(?im)^content-length:\s*(\d+)\s*$", head)
    if cl:
        total = end + 4 + int(cl.group(1))
        return status, (total if len(buf) >= total else None)
    return status, None


def read_response(sock, buf=b""):
    """Reads one Content-Length-framed response from a blocking socket. Returns (status, body, leftover)."""
    while True:
        status, total = response_complete(buf)
        if total is not None:
            end = buf.find(b"\r\n\r\n") + 4
            return status, buf[end:total], buf[total:]
        data = sock.recv(65536)
        if not data:
            raise ConnectionError(f"closed before a complete response ({len(buf)} bytes in)")
        buf += data


def proxied_get(proxy_port, up_port, path, timeout=5, close=True):
    """One absolute-form GET through the proxy on a new connection. Returns the status (or raises)."""
    s = socket.create_connection(("127.0.0.1", proxy_port), timeout=timeout)
    try:
        h = f"127.0.0.1:{up_port}"
        conn = "Connection: close\r\n" if close else ""
        s.sendall(f"GET http://{h}{path} HTTP/1.1\r\nHost: {h}\r\n{conn}\r\n".encode())
        status, body, _ = read_response(s)
        return status, body
    finally:
        s.close()


class KeepAliveClient:
    """A persistent proxy connection sending absolute-form GETs one after the other."""

    def __init__(self, proxy_port, up_port, timeout=5):
        self.proxy_port, self.up_port, self.timeout = proxy_port, up_port, timeout
        self.sock = None
        self.buf = b""

    def get(self, path, extra_headers=""):
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.proxy_port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buf = b""
        h = f"127.0.0.1:{self.up_port}"
        try:
            self.sock.sendall(f"GET http://{h}{path} HTTP/1.1\r\nHost: {h}\r\n{extra_headers}\r\n".encode())
            status, body, self.buf = read_response(self.sock, self.buf)
            return status
        except Exception:
            self.close()
            raise

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None



class Tickets:
    """Hands out 0, 1, 2, … below a limit to any number of worker threads; None once all are taken."""

    def __init__(self, limit):
        self._next = 0
        self._limit = limit
        self._lock = threading.Lock()

    def take(self):
        with self._lock:
            if self._next >= self._limit:
                return None
            n = self._next
            self._next += 1
            return n

    @property
    def taken(self):
        return self._next

def wait_until(predicate, timeout, interval=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if predicate():
                return True
        except Exception:
            pass
        time.sleep(interval)
    return False
