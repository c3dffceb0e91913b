#!/usr/bin/env python3
"""The table of the issue's rows, printed by bench/run.sh at the end of a run.

    hey_report.py HEY_TSV NIO_REPORT SECONDS SUSTAINED_SECONDS

HEY_TSV holds `ROUTE<TAB>KEY<TAB>VALUE` lines written by bench/hey.sh; NIO_REPORT is the text
report of `sightline-bench run` (possibly empty), from which the rows measured by the NIO client
(p50 latency at 1 client, SSE delay, 1,000 streams, WebSocket message delay, 1,000 WebSockets) are
taken. Columns: direct, mitmproxy and "vs direct" (when it ran), Sightline and "vs direct", then the
target, judged for Sightline.
"""
import re
import sys

ROUTES = ["direct", "mitmproxy", "sightline"]


def read_hey(path):
    values = {}
    with open(path, encoding="utf-8") as file:
        for line in file:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 3 and parts[2] != "":
                values[(parts[0], parts[1])] = parts[2]
    return values


def read_nio(path):
    """{metric: {route: cell}} from the NIO client's table (columns named by its header)."""
    rows = {}
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        return rows
    header = None
    for line in lines:
        cells = [cell.strip() for cell in line.split(" | ")]
        if header is None:
            if cells and cells[0] == "metric":
                header = cells
            continue
        if len(cells) != len(header):
            if header and not line.strip():
                break
            continue
        rows[cells[0]] = dict(zip(header, cells))
    return rows


def number(text):
    if text is None:
        return None
    match = re.search(r"-?\d+(\.\d+)?", str(text))
    return float(match.group()) if match else None


def main():
    hey = read_hey(sys.argv[1])
    nio = read_nio(sys.argv[2])
    seconds, sustained = sys.argv[3], sys.argv[4]
    routes = [route for route in ROUTES if any(key[0] == route for key in hey)] or ["direct", "sightline"]
    proxies = [route for route in routes if route != "direct"]

    def h(route, key):
        return number(hey.get((route, key)))

    def n(route, metric_prefix):
        for metric, cells in nio.items():
            if metric.startswith(metric_prefix):
                return number(cells.get(route))
        return None

    table = []

    def row(metric, value, unit, ratio=None, target=None):
        """value(route) → float|None; ratio: 'share' | 'added' | None; target: (text, met(sightline, direct))."""
        base = value("direct")
        cells = [metric, fmt(base, unit)]
        for proxy in proxies:
            figure = value(proxy)
            cells += [fmt(figure, unit), relate(figure, base, unit, ratio)]
        judged = ""
        if target:
            text, met = target
            figure = value("sightline")
            verdict = None
            try:
                verdict = met(figure, base) if figure is not None else None
            except TypeError:
                verdict = None
            judged = text + ("" if verdict is None else ("  met" if verdict else "  MISSED"))
        table.append(cells + [judged])

    def text_row(metric, value):
        table.append([metric, value("direct")] + sum(([value(proxy), ""] for proxy in proxies), []) + [""])

    def separator():
        table.append(None)

    # The rows.
    row("hey -c 32, keep-alive, small POST: req/s", lambda r: h(r, "c32.rps"), "rps", "share",
        ("≥ 50% of direct", lambda s, d: s >= 0.5 * d))
    row("hey -c 1, keep-alive: proxy CPU per recorded request", lambda r: h(r, "c1.cpu_us"), "us", None,
        ("≤ 100 µs", lambda s, d: s <= 100))
    row("hey -c 8 -disable-keepalive: proxy CPU per CONNECT + TLS + request", lambda r: h(r, "newconn.cpu_us"), "us",
        None, ("≤ 700 µs", lambda s, d: s <= 700))
    row("added p50 latency, 1 client (NIO client, keep-alive POST)", lambda r: n(r, "POST latency p50, 1 client"), "ms",
        "added", ("added ≤ 0.1 ms", lambda s, d: s - d <= 0.1))
    row("first TLS connection, new host: curl time_appconnect p50", lambda r: h(r, "tls.new_host_p50"), "ms", "added",
        ("≤ direct + 1 ms", lambda s, d: s - d <= 1))
    row("  the same, Sightline started with --connect lazy",
        lambda r: h(r, "tls.new_host_p50") if r == "direct" else h(r, "tls.lazy_new_host_p50"), "ms", "added",
        ("≤ direct + 1 ms", lambda s, d: s - d <= 1))
    row("added delay per SSE event, p99 (NIO client)", lambda r: n(r, "SSE event delay p99"), "ms", "added",
        ("added ≤ 0.5 ms", lambda s, d: s - d <= 0.5))
    row("peak RSS, 1,000 open SSE streams (NIO client)", lambda r: mb(n(r, "proxy peak RSS")), "MB", None,
        ("≤ 60 MB", lambda s, d: s <= 60e6))
    row("added delay per WebSocket server message, p99 (NIO client)", lambda r: n(r, "WebSocket message delay p99"), "ms",
        "added", ("added ≤ 0.5 ms", lambda s, d: s - d <= 0.5))
    row("peak RSS, 1,000 open WebSockets (NIO client)", lambda r: mb(n(r, "WebSockets: proxy peak RSS")), "MB", None,
        ("≤ 60 MB", lambda s, d: s <= 60e6))
    row(f"flows dropped by the recorder, hey -c 4, {sustained} s, ~150-token prompts",
        lambda r: h(r, "sustained.dropped"), "count", None, ("0", lambda s, d: s == 0))
    text_row("RSS before → after that run (peak, 1 s samples)", lambda r: rss_line(hey, r))

    separator()
    # What explains them.
    for key, label in (("c32", "hey -c 32"), ("c1", "hey -c 1"), ("newconn", "hey -c 8 -disable-keepalive")):
        if key != "c32":
            row(f"{label}: req/s", lambda r, k=key: h(r, f"{k}.rps"), "rps", "share")
        row(f"{label}: p50 latency (hey ²)", lambda r, k=key: h(r, f"{k}.p50"), "ms", "added")
        row(f"{label}: p99 latency (hey ²)", lambda r, k=key: h(r, f"{k}.p99"), "ms", "added")
        if key == "c32":
            row(f"{label}: proxy CPU per request", lambda r, k=key: h(r, f"{k}.cpu_us"), "us")
        row(f"{label}: bench upstream CPU per request (³)", lambda r, k=key: h(r, f"{k}.upstream_cpu_us"), "us")
        text_row(f"{label}: client connections (¹)", lambda r, k=key: connections(hey, r, k))
        text_row(f"{label}: responses 200 / failed", lambda r, k=key: pair(hey, r, f"{k}.ok", f"{k}.failed"))
    row("first TLS connection, same host again: curl time_appconnect p50", lambda r: h(r, "tls.same_host_p50"), "ms",
        "added")
    row("  the same, --connect lazy", lambda r: h(r, "tls.same_host_p50") if r == "direct" else h(r, "tls.lazy_same_host_p50"),
        "ms", "added")
    row(f"sustained hey -c 4, {sustained} s: req/s", lambda r: h(r, "sustained.rps"), "rps")
    text_row("sustained: responses 200 / failed", lambda r: pair(hey, r, "sustained.ok", "sustained.failed"))
    text_row("sustained: flows recorded / lost / write errors / queued after",
             lambda r: "/".join(fmt(h(r, f"sustained.{k}"), "count") for k in ("recorded", "lost", "write_errors", "queued_after"))
             if h(r, "sustained.recorded") is not None else "—")
    text_row("proxy RSS at idle (before the hey runs)", lambda r: fmt(kb(h(r, "idle_rss_kb")), "MB"))

    print(f"hey and curl scenarios: hey runs {seconds} s each after a 1 s warm-up, ~300-byte chat POST "
          f"(~300-byte JSON answer) from bench upstream `sightline-bench serve`; proxy CPU = utime+stime of its "
          f"process (recorder included) over the run until it is idle again, per 200 response; curl: 20 samples each")
    print(render(["metric"] + header(proxies), table))
    print("¹ TCP connects the kernel counted during the run (/proc/net/snmp ActiveOpens), halved via a proxy (each client "
          "connection is client→proxy plus proxy→upstream; Sightline dials upstream on every CONNECT); for Sightline, in "
          "brackets, the distinct client ip:port among the run's recorded flows: Go's client also dials when no idle "
          "connection is at hand and closes the spare one after it finished CONNECT + TLS, unused")
    print("² hey prints latencies in 0.1 ms steps; the 1-client p50 of the issue is the NIO client's (ns resolution)")
    print("³ the bench upstream is one TLS server (NIO + BoringSSL) answering small JSON: a floor for a TLS-terminating "
          "proxy, which is a TLS server toward the client and a TLS client toward the upstream before it records anything")


def header(proxies):
    cells = ["direct"]
    for proxy in proxies:
        cells += [proxy, "vs direct"]
    return cells + ["target (Sightline)"]


def mb(value):
    return None if value is None else value * 1e6


def kb(value):
    return None if value is None else value * 1024


def rss_line(hey, route):
    values = [number(hey.get((route, f"sustained.rss_{k}_kb"))) for k in ("before", "after", "peak")]
    if values[0] is None:
        return "—"
    before, after, peak = (fmt(kb(v), "MB") for v in values)
    return f"{before} → {after} ({peak})"


def connections(hey, route, key):
    kernel = number(hey.get((route, f"{key}.connects")))
    seen = number(hey.get((route, f"{key}.client_connections")))
    if kernel is None:
        return "—"
    if route == "sightline" and seen is not None:
        return f"{kernel:.0f} ({seen:.0f} carried a request)"
    return f"{kernel:.0f}"


def pair(hey, route, first, second):
    a, b = number(hey.get((route, first))), number(hey.get((route, second)))
    return "—" if a is None else f"{a:.0f} / {b or 0:.0f}"


def fmt(value, unit):
    if value is None:
        return "—"
    if unit == "rps":
        return f"{value:.0f} req/s"
    if unit == "us":
        return f"{value:.0f} µs"
    if unit == "ms":
        return f"{value:.3f} ms"
    if unit == "MB":
        return f"{value / 1e6:.1f} MB"
    return f"{value:.0f}"


def relate(value, base, unit, ratio):
    if value is None or base is None or ratio is None:
        return ""
    if ratio == "share":
        return f"{100 * value / base:.0f}% of direct" if base else ""
    return f"{value - base:+.3f} ms"


def render(header, rows):
    widths = [max([len(header[i])] + [len(r[i]) for r in rows if r is not None]) for i in range(len(header))]
    rule = "-+-".join("-" * w for w in widths)

    def line(cells):
        return " | ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(cells, widths)))

    return "\n".join([line(header), rule] + [rule if r is None else line(r) for r in rows])


if __name__ == "__main__":
    main()
