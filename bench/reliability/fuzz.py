"""Fuzz suite (issue 9 §1): throws FUZZ_INPUTS (default 100,000) malformed or hostile inputs at the real
proxy listener over raw sockets from FUZZ_THREADS (default 16) threads, checks a valid proxied request
every 1,000 inputs, counts what reached the local upstream, and reads the proxy's memory and descriptors.

Outcomes per input:
  error_status  the proxy answered with a 4xx/5xx status line
  ok_status     it answered < 400 (the input was, after all, acceptable: e.g. a harmless mutation)
  closed        it closed (FIN or RST) without a status line (a TLS alert then close counts here)
  closed_on_fin it waited for more bytes (legitimately: the input was incomplete) and closed when we sent FIN
  client_closed a half-sent request we closed ourselves, as a client giving up would
  timeout       nothing and no close within FUZZ_TIMEOUT seconds after the whole input (and a FIN) -- a hang
"""

import os
import random
import re
import socket
import ssl
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (Sightline, Tickets, Upstream, fd_count, fd_kinds, install_signal_handlers, proxied_get,
                    response_complete, rss_kb, say, work_dir, write_result)

INPUTS = int(os.environ.get("FUZZ_INPUTS", "100000"))
THREADS = int(os.environ.get("FUZZ_THREADS", "16"))
SEED = int(os.environ.get("FUZZ_SEED", "0"))
TIMEOUT = float(os.environ.get("FUZZ_TIMEOUT", "3"))
IDLE = 0.3          # how long an input that may be incomplete is given before we send FIN
VALID_EVERY = 1000
INTERCEPTED = "api.openai.com"


# ----------------------------------------------------------------------------------------------------
# Inputs. Each generator returns a Case; `h` is the local upstream's authority, so anything the proxy
# accepts goes there (origin-form requests too: the proxy runs with --gateway-target at the upstream).


class Case:
    __slots__ = ("kind", "data", "mode", "after", "sni")

    def __init__(self, kind, data, mode="send", after=b"", sni=None):
        self.kind, self.data, self.mode, self.after, self.sni = kind, data, mode, after, sni


def b(s):
    return s.encode("latin-1") if isinstance(s, str) else s


def smuggle_tail(h, tid, rnd):
    if rnd.random() < 0.5:
        return f"GET http://{h}/SMUGGLED/{tid} HTTP/1.1\r\nHost: {h}\r\n\r\n"
    return f"GET /SMUGGLED/{tid} HTTP/1.1\r\nHost: {h}\r\n\r\n"


def gen_request_line(h, rnd):
    lines = [
        "GET\r\n\r\n", "GET http://{h}/\r\n\r\n", "GET http://{h}/ HTTP/9.9\r\nHost: {h}\r\n\r\n",
        "G@T http://{h}/ HTTP/1.1\r\nHost: {h}\r\n\r\n", "get http://{h}/ HTTP/1.1\r\nHost: {h}\r\n\r\n",
        "GET  http://{h}/  HTTP/1.1\r\nHost: {h}\r\n\r\n", "GET http://{h}/ HTTP/1.1x\r\nHost: {h}\r\n\r\n",
        "GET http://{h}/\x00/ HTTP/1.1\r\nHost: {h}\r\n\r\n", "GET http://{h}/a b HTTP/1.1\r\nHost: {h}\r\n\r\n",
        "GET http://{h}/\x7f HTTP/1.1\r\nHost: {h}\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
        "\r\n\r\n\r\n\r\n", " GET http://{h}/ HTTP/1.1\r\nHost: {h}\r\n\r\n", "GET\thttp://{h}/\tHTTP/1.1\r\nHost: {h}\r\n\r\n",
        "GET http://:99999/ HTTP/1.1\r\nHost: x\r\n\r\n", "GET http://[::1 HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET http://127.0.0.1:0/ HTTP/1.1\r\nHost: 127.0.0.1:0\r\n\r\n", "GET http:/// HTTP/1.1\r\nHost: \r\n\r\n",
        "GET ftp://{h}/ HTTP/1.1\r\nHost: {h}\r\n\r\n", "GET http://user:pw@{h}/ HTTP/1.1\r\nHost: {h}\r\n\r\n",
        "GET * HTTP/1.1\r\nHost: {h}\r\n\r\n", "OPTIONS * HTTP/1.1\r\nHost: {h}\r\n\r\n",
        "GET http://{h}/ HTTP/1.1\n\n", "GET http://{h}/ HTTP/1.1\rHost: {h}\r\r", "GET http://{h}/ HTTP/0.9\r\n\r\n",
        "GET /\r\n", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "GET http://{h}/ HTTP/1.1 extra\r\nHost: {h}\r\n\r\n",
        "GET http://{h}/%%%%zz HTTP/1.1\r\nHost: {h}\r\n\r\n", "GET http://{h}/\xff\xfe HTTP/1.1\r\nHost: {h}\r\n\r\n",
        "CONNECT\r\n\r\n", "CONNECT :443 HTTP/1.1\r\n\r\n", "CONNECT host HTTP/1.1\r\nHost: host\r\n\r\n",
        "CONNECT 127.0.0.1:0 HTTP/1.1\r\n\r\n", "CONNECT 127.0.0.1:99999 HTTP/1.1\r\n\r\n",
        "CONNECT [::1 HTTP/1.1\r\n\r\n", "CONNECT http://{h}/ HTTP/1.1\r\n\r\n",
        "CONNECT {h} HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        "DELETE http://{h}/ HTTP/1.0\r\n\r\n", "XYZZY http://{h}/ HTTP/1.1\r\nHost: {h}\r\n\r\n",
    ]
    line = rnd.choice(lines)
    # Not yet a whole request head in HTTP/1.1 terms (empty lines before a request line are to be ignored;
    # a version-less line is HTTP/0.9; a bare CR ends no line): waiting for more is right, FIN must close.
    incomplete = line in ("\r\n\r\n\r\n\r\n", "GET /\r\n", "GET http://{h}/ HTTP/1.1\rHost: {h}\r\r")
    line = line.replace("{h}", h)
    if rnd.random() < 0.3:  # a random method token
        method = "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ-_!#$%&'*+.^`|~") for _ in range(rnd.randint(1, 40)))
        line, incomplete = f"{method} http://{h}/ HTTP/1.1\r\nHost: {h}\r\n\r\n", False
    return Case("request_line", b(line), mode="idle" if incomplete else "send")


def gen_header_syntax(h, rnd):
    bad = rnd.choice([
        "BogusHeaderNoColon", "Host : {h}", "X-A : b", "X-A\t: b", ": empty-name", "X A: b", "X@A: b",
        "X-A: b\x00c", "X-\x00A: b", "X-A: b\rInjected: c", "X-A: b\nInjected: c", " folded-continuation",
        "\tfolded", "X-A: \x7f\x01\x02", "X-A: \xff\xfe\xfd", "X-A:" + "\x00" * 50, "Content-Type: text/plain\r \r\n",
        "X-A: b\r\n\r", "Host: {h}\r\nHost: other.example", "X-A", "X-" + "A" * 5000 + ": b", "X-A: " + "b" * 60000,
        "Transfer-Encoding", "Content-Length", "Content-Length: abc", "Content-Length: -1", "Content-Length: 1e3",
        "Content-Length: 99999999999999999999999999", "Expect: 100-continue-maybe", "Connection: \x00close",
    ]).replace("{h}", h)
    form = rnd.random()
    if form < 0.6:
        req = f"GET http://{h}/hdr HTTP/1.1\r\nHost: {h}\r\n{bad}\r\n\r\n"
    elif form < 0.8:
        req = f"GET /hdr HTTP/1.1\r\nHost: {h}\r\n{bad}\r\n\r\n"
    else:
        req = f"POST http://{h}/hdr HTTP/1.1\r\nHost: {h}\r\n{bad}\r\nContent-Length: 2\r\n\r\nhi"
    if rnd.random() < 0.05:  # very many small headers
        req = f"GET http://{h}/many HTTP/1.1\r\nHost: {h}\r\n" + "".join(
            f"X-{i}: {i}\r\n" for i in range(rnd.choice([1000, 5000, 20000]))) + "\r\n"
    return Case("header_syntax", b(req))


SMUGGLE_INPUTS = {}   # tail id -> the input that carried it, to name what got through


def gen_smuggling(h, rnd):
    tid = rnd.randrange(10**9)
    tail = smuggle_tail(h, tid, rnd)
    target = rnd.choice([f"http://{h}/front", "/front"])
    n = len(tail)
    te_any = rnd.choice(["chunked", "Chunked", "chunked ", " chunked", "\tchunked", "chunked, identity", "identity, chunked",
                         "xchunked", "chunked;q=1", "chunk", "gzip, chunked"])
    # Transfer-Encoding values that do not end in the chunked coding: the body length is unknown, so refuse.
    te_bad = rnd.choice(["xchunked", "chunked, identity", "chunk", "chunked;q=1", "identity", "gzip", "chunked,"])
    # Valid spellings of a final chunked coding other than the literal "chunked".
    te_other = rnd.choice(["Chunked", "CHUNKED", "gzip, chunked", "identity, chunked", "deflate,chunked"])
    variants = [
        # CL.TE and TE.CL: both framings present
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nContent-Length: {5 + n}\r\nTransfer-Encoding: {te_any}\r\n\r\n0\r\n\r\n{tail}",
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nTransfer-Encoding: {te_any}\r\nContent-Length: 4\r\n\r\n"
        f"{n + 2:x}\r\n{tail}\r\n0\r\n\r\n",
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{tail}",
        # duplicate Content-Length with different values
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nContent-Length: 0\r\nContent-Length: {n}\r\n\r\n{tail}",
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nContent-Length: {n}\r\nContent-Length: 0\r\n\r\n{tail}",
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nContent-Length: 0, {n}\r\n\r\n{tail}",
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nContent-Length: {n} 0\r\n\r\n{tail}",
        # obfuscated Transfer-Encoding next to a Content-Length
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nContent-Length: {5 + n}\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n{tail}",
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nContent-Length: {5 + n}\r\nTransfer-Encoding:\x0bchunked\r\n\r\n0\r\n\r\n{tail}",
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nContent-Length: {5 + n}\r\nTransfer-Encoding: chunked\r\n"
        f"Transfer-Encoding: identity\r\n\r\n0\r\n\r\n{tail}",
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nContent-Length: {5 + n}\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n{tail}",
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nContent-Length: {5 + n}\r\nX: y\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{tail}",
        # HTTP/1.0 with TE and CL
        f"POST {target} HTTP/1.0\r\nHost: {h}\r\nContent-Length: {5 + n}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{tail}",
        # Transfer-Encoding that does not end in chunked
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nTransfer-Encoding: {te_bad}\r\n\r\n0\r\n\r\n{tail}",
        # signed / hex Content-Length values
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nContent-Length: +{n}\r\n\r\n{tail}",
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nContent-Length: 0x{n:x}\r\n\r\n{tail}",
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nContent-Length: -{n}\r\n\r\n{tail}",
        # chunk-size overflow, so a 64-bit wrap would read the tail as a request
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nTransfer-Encoding: chunked\r\n\r\n1{'0' * 16}\r\n{tail}0\r\n\r\n",
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nTransfer-Encoding: chunked\r\n\r\n{'f' * 17}\r\n{tail}0\r\n\r\n",
        # A well-formed chunked body whose DATA reads as "end of body + next request" if the proxy forwarded it
        # without chunk framing: the transfer coding is a valid final chunked one, spelled other than "chunked".
        f"POST {target} HTTP/1.1\r\nHost: {h}\r\nTransfer-Encoding: {te_other}\r\n\r\n"
        f"{n + 5:x}\r\n0\r\n\r\n{tail}\r\n0\r\n\r\n",
    ]
    i = rnd.randrange(len(variants))
    v = variants[i]
    if len(SMUGGLE_INPUTS) < 200000:
        SMUGGLE_INPUTS[str(tid)] = (i, v)
    return Case("smuggling", b(v), mode="smuggle")


def gen_chunked(h, rnd):
    head = f"POST http://{h}/chunk HTTP/1.1\r\nHost: {h}\r\nTransfer-Encoding: chunked\r\n\r\n"
    body = rnd.choice([
        "ZZZ\r\nabc\r\n0\r\n\r\n", "-1\r\nabc\r\n0\r\n\r\n", "3\r\nabcdef\r\n0\r\n\r\n", "3 \r\nabc\r\n0\r\n\r\n",
        "3;\x00\r\nabc\r\n0\r\n\r\n", "3;ext=\"unterminated\r\nabc\r\n0\r\n\r\n", "0x3\r\nabc\r\n0\r\n\r\n",
        "3\r\nabc0\r\n\r\n", "3abc\r\n0\r\n\r\n", "\r\n\r\n", "3\rabc\r0\r\r", "3\nabc\n0\n\n",
        "ffffffffffffffffffff\r\nabc\r\n0\r\n\r\n", "3\r\nabc\r\n0\r\nTrailer\r\n\r\n", "3\r\nabc\r\n0\r\n: bad\r\n\r\n",
        "1" * 300 + "\r\nabc\r\n", "3\r\nabc\r\n0;" + "e" * 20000 + "\r\n\r\n", "fffffff\r\nabc",
        "3\r\nabc\r\nX\r\n", "0000000000000000000000000003\r\nabc\r\n0\r\n\r\n",
    ])
    # Some of these are incomplete under a lenient reading (a big size with 3 bytes of data): see "idle".
    return Case("bad_chunk", b(head + body), mode="idle")


_BIG_HEADER = "X-Big: " + "a" * 300_000
_BIG_URL = "/" + "u" * 100_000


def gen_oversized(h, rnd):
    choice = rnd.randrange(4)
    if choice == 0:
        req = f"GET http://{h}/big HTTP/1.1\r\nHost: {h}\r\n{_BIG_HEADER}\r\n\r\n"
    elif choice == 1:
        req = f"GET http://{h}{_BIG_URL} HTTP/1.1\r\nHost: {h}\r\n\r\n"
    elif choice == 2:
        req = f"GET http://{h}/big HTTP/1.1\r\nHost: {h}\r\n" + "".join(
            f"X-H{i}: {'v' * 1000}\r\n" for i in range(300)) + "\r\n"
    else:
        req = "G" * 100_000 + f" http://{h}/ HTTP/1.1\r\n\r\n"
    return Case("oversized", b(req))


def gen_random(h, rnd):
    n = rnd.choice([1, 2, 5, 16, 100, 1000, 4096, 20000])
    if rnd.random() < 0.5:
        data = rnd.randbytes(n)
    else:
        alphabet = "GETPOSCNHTP/1.: \r\n\t\x00abcdefXYZ0123456789-"
        data = b("".join(rnd.choice(alphabet) for _ in range(min(n, 2000))))
    return Case("random_bytes", data, mode="idle")


_VALID = None


def gen_mutation(h, rnd):
    base = rnd.choice([
        f"GET http://{h}/mut HTTP/1.1\r\nHost: {h}\r\nAccept: */*\r\n\r\n",
        f"POST http://{h}/mut HTTP/1.1\r\nHost: {h}\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n"
        '{"model":"x"}',
        f"POST http://{h}/mut HTTP/1.1\r\nHost: {h}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        f"CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n",
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: {h}\r\nContent-Length: 2\r\n\r\n{{}}",
    ])
    data = bytearray(b(base))
    for _ in range(rnd.randint(1, 8)):
        op = rnd.randrange(5)
        i = rnd.randrange(len(data))
        if op == 0:
            data[i] = rnd.randrange(256)
        elif op == 1:
            data[i:i] = bytes([rnd.choice(b"\r\n\x00 :\t;,\"\xff")])
        elif op == 2 and len(data) > 2:
            del data[i]
        elif op == 3:
            j = min(len(data), i + rnd.randint(1, 40))
            data[i:i] = data[i:j] * rnd.randint(1, 5)
        else:
            data[i:i] = str(rnd.choice([0, -1, 2**31, 2**63, 2**64 + 1])).encode()
    return Case("mutation", bytes(data), mode="idle")


def gen_half(h, rnd):
    full = rnd.choice([
        f"GET http://{h}/half HTTP/1.1\r\nHost: {h}\r\nX-A: b\r\n\r\n",
        f"POST http://{h}/half HTTP/1.1\r\nHost: {h}\r\nContent-Length: 100\r\n\r\n" + "x" * 100,
        f"POST http://{h}/half HTTP/1.1\r\nHost: {h}\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + "x" * 100 + "\r\n0\r\n\r\n",
        f"CONNECT {INTERCEPTED}:443 HTTP/1.1\r\nHost: {INTERCEPTED}:443\r\n\r\n",
    ])
    cut = rnd.randrange(1, len(full) - 1)
    return Case("half_sent", b(full[:cut]), mode=rnd.choice(["half", "half_fin"]))


def gen_connect_garbage(h, rnd):
    connect = f"CONNECT {INTERCEPTED}:443 HTTP/1.1\r\nHost: {INTERCEPTED}:443\r\n\r\n"
    kind = rnd.randrange(6)
    if kind == 0:
        after = f"GET http://{h}/ HTTP/1.1\r\nHost: {h}\r\n\r\n".encode()          # plaintext instead of TLS
    elif kind == 1:
        after = bytes([rnd.choice([0x00, 0x41, 0x80, 0xff, 0x47])]) + rnd.randbytes(rnd.randint(10, 3000))
    elif kind == 2:
        after = b"\x16\x03\x01\x00\x10" + rnd.randbytes(16)                        # a handshake record of noise
    elif kind == 3:
        after = b"\x80\x2e\x01\x00\x02" + rnd.randbytes(40)                        # an SSLv2-style hello
    elif kind == 4:
        after = b"\x17\x03\x03\x00\x20" + rnd.randbytes(32)                        # application data before a handshake
    else:
        hello = bytearray(rnd.choice(HELLOS))
        for _ in range(rnd.randint(1, 6)):
            hello[rnd.randrange(5, len(hello))] = rnd.randrange(256)               # a corrupted ClientHello
        after = bytes(hello)
    # A record header promising more bytes than sent is legitimately waited on: FIN decides those.
    return Case("connect_garbage", b(connect), mode="connect", after=after)


def gen_tls_truncated(h, rnd):
    connect = f"CONNECT {INTERCEPTED}:443 HTTP/1.1\r\nHost: {INTERCEPTED}:443\r\n\r\n"
    hello = rnd.choice(HELLOS)
    cut = rnd.randrange(1, len(hello))
    return Case("tls_truncated", b(connect), mode=rnd.choice(["connect_half", "connect_half_fin"]), after=hello[:cut])


def gen_tls_sni(h, rnd):
    connect = f"CONNECT {INTERCEPTED}:443 HTTP/1.1\r\nHost: {INTERCEPTED}:443\r\n\r\n"
    sni = rnd.choice(["evil.example.net", "api.anthropic.com", "localhost", "x" * 63 + ".example", "a.b.c.d.e.f"])
    return Case("sni_mismatch", b(connect), mode="tls", sni=sni)


def gen_misc(h, rnd):
    hello = rnd.choice(HELLOS)
    options = [
        Case("misc", hello, mode="idle"),                                              # TLS straight at the HTTP port
        Case("misc", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + rnd.randbytes(30)),
        Case("misc", b(f"GET http://{h}/ws HTTP/1.1\r\nHost: {h}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
             + rnd.randbytes(50), mode="idle"),
        Case("misc", b(f"CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n")),
        Case("misc", b(f"CONNECT {h} HTTP/1.1\r\nHost: {h}\r\n\r\n"), mode="connect",
             after=rnd.randbytes(rnd.randint(1, 500)) + b"\r\n\r\n"),                    # garbage through a tunnel
        Case("misc", b(f"GET http://{h}/pipe HTTP/1.1\r\nHost: {h}\r\n\r\n") + rnd.randbytes(200), mode="idle"),
        Case("misc", b(f"POST http://{h}/expect HTTP/1.1\r\nHost: {h}\r\nExpect: 100-continue\r\n"
                       f"Content-Length: 5\r\n\r\nhello")),
        Case("misc", b(f"GET http://{h}/a HTTP/1.1\r\nHost: {h}\r\nContent-Length: 5\r\n\r\nhello")),
    ]
    return rnd.choice(options)


GENERATORS = [
    (gen_request_line, 12), (gen_header_syntax, 14), (gen_smuggling, 12), (gen_chunked, 8), (gen_oversized, 1.5),
    (gen_random, 12), (gen_mutation, 12), (gen_half, 8), (gen_connect_garbage, 8), (gen_tls_truncated, 5),
    (gen_tls_sni, 1), (gen_misc, 6.5),
]

HELLOS = []


def make_hellos():
    for sni in [INTERCEPTED, "evil.example.net", None]:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
        obj = ctx.wrap_bio(inc, out, server_hostname=sni)
        try:
            obj.do_handshake()
        except ssl.SSLWantReadError:
            pass
        HELLOS.append(out.read())


# ----------------------------------------------------------------------------------------------------
# Running one input


def read_outcome(s, deadline, smuggle=False):
    """Reads until a complete response, EOF/RST or the deadline. Returns (outcome, bytes)."""
    buf = b""
    complete_at = None
    while True:
        now = time.time()
        if complete_at is not None and (not smuggle or now >= complete_at + 1.0):
            break
        limit = deadline if complete_at is None else complete_at + 1.0
        if now >= limit:
            break
        s.settimeout(max(0.01, limit - now))
        try:
            data = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            return classify(buf, closed=True), buf
        if not data:
            return classify(buf, closed=True), buf
        buf += data
        if complete_at is None:
            status, total = response_complete(buf)
            if total is not None:
                complete_at = time.time()
    if buf.startswith(b"HTTP/1."):
        return classify(buf, closed=False), buf
    return None, buf  # nothing yet: the caller decides (hang, or FIN and wait)


def classify(buf, closed):
    if buf.startswith(b"HTTP/1.") and len(buf) >= 12 and buf[9:12].isdigit():
        return "error_status" if int(buf[9:12]) >= 400 else "ok_status"
    return "closed"


def shut_wr(s):
    try:
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def send_all(s, data):
    try:
        s.sendall(data)
        return True
    except OSError:
        return False  # the proxy closed/reset while we were still sending (e.g. refusing an oversized head)


def run_case(case, port):
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        mode = case.mode
        if mode in ("connect", "connect_half", "connect_half_fin", "tls"):
            send_all(s, case.data)
            head = b""
            deadline = time.time() + TIMEOUT
            try:
                while b"\r\n\r\n" not in head and time.time() < deadline:
                    s.settimeout(max(0.01, deadline - time.time()))
                    d = s.recv(4096)
                    if not d:
                        return classify(head, True), head
                    head += d
            except socket.timeout:
                return "timeout", head
            except OSError:
                return classify(head, True), head
            if not head.startswith(b"HTTP/1.1 200"):
                return classify(head, True), head
            if mode == "tls":
                return run_tls(s, case)
            send_all(s, case.after)
            if mode == "connect_half":
                s.settimeout(0.2)
                try:
                    return "closed", s.recv(4096)  # it answered (an alert) or closed at once
                except socket.timeout:
                    return "client_closed", b""
                except OSError:
                    return "closed", b""
            if mode == "connect_half_fin":
                shut_wr(s)
                outcome, buf = read_outcome(s, time.time() + TIMEOUT)
                return (outcome or "timeout"), buf
            outcome, buf = read_outcome(s, time.time() + IDLE)
            if outcome:
                return outcome, buf
            shut_wr(s)
            outcome, buf2 = read_outcome(s, time.time() + TIMEOUT)
            return ("closed_on_fin" if outcome == "closed" and not buf2 else outcome or "timeout"), buf + buf2
        if mode == "half":
            send_all(s, case.data)
            outcome, buf = read_outcome(s, time.time() + 0.1)
            return (outcome or "client_closed"), buf
        if mode == "half_fin":
            send_all(s, case.data)
            shut_wr(s)
            outcome, buf = read_outcome(s, time.time() + TIMEOUT)
            return (outcome or "timeout"), buf
        sent = send_all(s, case.data)
        if mode == "idle":
            outcome, buf = read_outcome(s, time.time() + IDLE)
            if outcome:
                return outcome, buf
            shut_wr(s)
            outcome, buf2 = read_outcome(s, time.time() + TIMEOUT)
            if outcome == "closed" and not buf2 and not buf:
                return "closed_on_fin", buf
            return (outcome or "timeout"), buf + buf2
        outcome, buf = read_outcome(s, time.time() + TIMEOUT, smuggle=(mode == "smuggle"))
        if outcome is None and not sent:
            return "closed", buf
        return (outcome or "timeout"), buf
    finally:
        s.close()


def run_tls(s, case):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        t = ctx.wrap_socket(s, server_hostname=case.sni)
    except (ssl.SSLError, OSError):
        return "closed", b""
    try:
        host = random.choice([INTERCEPTED, case.sni])
        t.sendall(f"GET /v1/models HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        outcome, buf = read_outcome(t, time.time() + TIMEOUT)
        return (outcome or "timeout"), buf
    except (ssl.SSLError, OSError):
        return "closed", b""
    finally:
        try:
            t.close()
        except OSError:
            pass


# ----------------------------------------------------------------------------------------------------


def framing_probe(proxy_port):
    """What the upstream receives for one well-formed chunked POST, by spelling of its Transfer-Encoding:
    the bytes after the head, captured raw. A body forwarded without chunk framing under a header that says
    chunked is read by the upstream as chunk framing: a request hangs, or its data becomes a second request."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(3)
    h = f"127.0.0.1:{srv.getsockname()[1]}"
    results = []
    try:
        for te in ["chunked", "Chunked", "gzip, chunked"]:
            c = socket.create_connection(("127.0.0.1", proxy_port), timeout=3)
            c.sendall(b(f"POST http://{h}/probe HTTP/1.1\r\nHost: {h}\r\nTransfer-Encoding: {te}\r\n\r\n"
                        "5\r\nhello\r\n0\r\n\r\n"))
            got = b""
            try:
                u, _ = srv.accept()
                u.settimeout(0.5)
                try:
                    while True:
                        d = u.recv(65536)
                        if not d:
                            break
                        got += d
                except socket.timeout:
                    pass
                u.close()
            except socket.timeout:
                got = None
            c.close()
            body = None if got is None else got.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in got else b""
            results.append((te, body))
    finally:
        srv.close()
    return results


def main():
    install_signal_handlers()
    make_hellos()
    work = os.path.join(work_dir(), "fuzz")
    os.makedirs(work, exist_ok=True)
    upstream = Upstream()
    h = f"127.0.0.1:{upstream.port}"
    extra = ["--map-remote", f"https://{INTERCEPTED}=http://{h}", "--gateway-target", f"http://{h}"]
    proxy = Sightline(os.path.join(work, "data"), extra).start()
    crashes = []
    state = {"proxy": proxy}
    tickets = Tickets(INPUTS)
    lock = threading.Lock()
    outcomes, by_kind = {}, {}
    hangs, recent = [], []
    valid = {"ok": 0, "failed": 0, "fail_detail": []}
    t0 = time.time()
    try:
        # Warm up (a leaf for the intercepted host, the store, a tunnel) before the baseline readings.
        for i in range(20):
            proxied_get(proxy.proxy_port, upstream.port, f"/warmup/{i}")
        run_case(gen_tls_sni(h, random.Random(1)), proxy.proxy_port)
        run_case(Case("warm", b(f"CONNECT {h} HTTP/1.1\r\nHost: {h}\r\n\r\n"), mode="connect",
                      after=b(f"GET /warm HTTP/1.1\r\nHost: {h}\r\nConnection: close\r\n\r\n")), proxy.proxy_port)
        time.sleep(1)
        rss_before, fds_before = proxy.rss_kb(), proxy.fd_count()
        weights = [w for _, w in GENERATORS]
        gens = [g for g, _ in GENERATORS]

        def check_valid(n):
            p = state["proxy"]
            try:
                status, body = proxied_get(p.proxy_port, upstream.port, f"/valid/{n}", timeout=TIMEOUT)
                good = status == 200 and f"/valid/{n}".encode() in body
            except Exception as e:
                good, status = False, repr(e)
            with lock:
                valid["ok" if good else "failed"] += 1
                if not good and len(valid["fail_detail"]) < 5:
                    valid["fail_detail"].append(f"input {n}: {status}")

        def check_alive():
            with lock:
                p = state["proxy"]
                if p.alive():
                    return
                crashes.append({"exit": p.proc.returncode, "recent": list(recent[-32:])})
                say(f"  !! proxy died (exit {p.proc.returncode}) near input {tickets.taken}; restarting")
                state["proxy"] = Sightline(os.path.join(work, "data"), extra,
                                           log_path=os.path.join(work, f"data-{len(crashes)}.log")).start()

        def worker(seed):
            rnd = random.Random(seed)
            while True:
                n = tickets.take()
                if n is None:
                    return
                if n and n % VALID_EVERY == 0:
                    check_alive()
                    check_valid(n)
                case = rnd.choices(gens, weights)[0](h, rnd)
                port = state["proxy"].proxy_port
                started = time.time()
                try:
                    outcome, buf = run_case(case, port)
                except socket.timeout:
                    outcome, buf = "timeout", b""
                except OSError:
                    outcome, buf = "closed", b""   # refused/reset at connect: counted, and the liveness check tells
                except Exception as e:              # a bug in this harness, not the proxy: counted apart
                    outcome, buf = "harness_error", repr(e).encode()
                with lock:
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
                    k = by_kind.setdefault(case.kind, {})
                    k[outcome] = k.get(outcome, 0) + 1
                    k["_seconds"] = k.get("_seconds", 0) + time.time() - started
                    recent.append((case.kind, case.mode, case.data[:160], case.after[:40]))
                    del recent[:-64]
                    if outcome == "timeout" and len(hangs) < 20:
                        hangs.append((case.kind, case.mode, case.data[:200], case.after[:60], buf[:100]))

        threads = [threading.Thread(target=worker, args=(SEED * 1000 + i,), daemon=True) for i in range(THREADS)]
        progress_at = time.time()
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            time.sleep(0.5)
            if time.time() - progress_at >= 30:
                progress_at = time.time()
                say(f"  … {state['next']:,} inputs, {time.time() - t0:.0f} s")
        check_alive()
        check_valid(INPUTS)
        elapsed = time.time() - t0
        time.sleep(1.5)  # the upstream sees anything still in flight
        p = state["proxy"]
        # Connections the proxy still holds (an intercepted TLS close may wait for close_notify) drain first.
        settle = time.time()
        while time.time() - settle < 10 and p.fd_count() is not None and p.fd_count() > fds_before + 10:
            time.sleep(0.5)
        rss_after, fds_after, hwm = p.rss_kb(), p.fd_count(), rss_kb(p.pid, "VmHWM")
        kinds_after = fd_kinds(p.pid)
        alive = p.alive()
        total = sum(outcomes.values())
        say(f"fuzz inputs tried: {total:,} in {elapsed:.0f} s from {THREADS} threads ({total / elapsed:,.0f}/s)")
        order = ["error_status", "closed", "closed_on_fin", "client_closed", "ok_status", "timeout"]
        say("fuzz outcomes: " + ", ".join(f"{k} {outcomes.get(k, 0):,}" for k in order))
        if outcomes.get("harness_error"):
            order.append("harness_error")
        for kind in sorted(by_kind):
            k = by_kind[kind]
            count = sum(v for o, v in k.items() if o != "_seconds")
            say(f"  {kind:<16} {count:>7,}  {1000 * k['_seconds'] / count:6.0f} ms avg  "
                + ", ".join(f"{o} {k[o]:,}" for o in order if k.get(o)))
        say(f"fuzz hangs (no answer, no close within {TIMEOUT:g} s): {outcomes.get('timeout', 0)}")
        say(f"fuzz valid requests every {VALID_EVERY:,}: ok {valid['ok']}, failed {valid['failed']}"
            + (f"  ({'; '.join(valid['fail_detail'])})" if valid['fail_detail'] else ""))
        up = upstream.counts
        say(f"fuzz smuggled requests that reached upstream: {up['smuggled']}")
        if up["smuggled"]:
            variants = {}
            for path in upstream.smuggled_paths:
                tid = path.rstrip("/").split("/")[-1]
                if tid in SMUGGLE_INPUTS:
                    i, text = SMUGGLE_INPUTS[tid]
                    te = re.findall(r"Transfer-Encoding:[^\r\n]*", text)
                    variants.setdefault((i, tuple(te)), [0, text])[0] += 1
            for (i, te), (count, text) in sorted(variants.items())[:8]:
                say(f"  smuggled through ({count}x), variant {i} {list(te)}: {text!r}")
        probe = framing_probe(p.proxy_port)
        say("fuzz framing probe, a chunked POST of 5\\r\\nhello\\r\\n0\\r\\n\\r\\n reaches the upstream as: "
            + "; ".join(f"TE {te!r} → {'nothing' if body is None else repr(body)}"
                        + ("" if body is None or body.endswith(b"0\r\n\r\n") else " (NOT chunk-framed)")
                        for te, body in probe))
        say(f"fuzz ambiguous-framing requests relayed to upstream: {up['ambiguous']} (requests reaching upstream: {up['requests']:,})")
        say(f"fuzz proxy crashes: {len(crashes)}; alive at end: {'yes' if alive else 'NO'}")
        say(f"fuzz proxy VmRSS: before {rss_before / 1024:.1f} MiB, after {rss_after / 1024:.1f} MiB, peak (VmHWM) {hwm / 1024:.1f} MiB")
        say(f"fuzz proxy open fds: before {fds_before}, after {fds_after}  ({', '.join(f'{k} {v}' for k, v in sorted(kinds_after.items()))})")
        for hang in hangs[:5]:
            say(f"  hang example: kind={hang[0]} mode={hang[1]} input={hang[2]!r} after={hang[3]!r} got={hang[4]!r}")
        for c in crashes[:3]:
            say(f"  crash (exit {c['exit']}), last inputs in flight: {c['recent'][-8:]!r}")
        bad = []
        if crashes or not alive:
            bad.append(f"{len(crashes)} crash(es)")
        if outcomes.get("timeout", 0):
            bad.append(f"{outcomes['timeout']} hang(s)")
        if up["smuggled"]:
            bad.append(f"{up['smuggled']} smuggled request(s) reached upstream")
        if valid["failed"]:
            bad.append(f"{valid['failed']} valid request(s) failed")
        if fds_after > fds_before + 10:
            bad.append(f"fds grew {fds_before}→{fds_after}")
        if rss_after > max(2 * rss_before, rss_before + 100 * 1024):
            bad.append(f"RSS grew {rss_before // 1024}→{rss_after // 1024} MiB")
        say("fuzz verdict: " + ("PASS — no crash, no hang, nothing smuggled, normal traffic served throughout"
                                if not bad else "FAIL — " + "; ".join(bad)))
        write_result("fuzz", {"inputs": total, "crashes": len(crashes), "hangs": outcomes.get("timeout", 0),
                              "smuggled": up["smuggled"], "ambiguous_relayed": up["ambiguous"],
                              "valid_ok": valid["ok"], "valid_failed": valid["failed"],
                              "rss_before_kb": rss_before, "rss_after_kb": rss_after,
                              "fds_before": fds_before, "fds_after": fds_after, "pass": not bad})
    finally:
        state["proxy"].stop()
        proxy.kill()
        upstream.close()


if __name__ == "__main__":
    main()
