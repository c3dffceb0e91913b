"""Captures the MCP fixtures in this directory from the real SDK: starts `Tests/e2e/mcp_server.py` (FastMCP,
streamable HTTP; SSE answers, then with `--json` JSON answers), drives it with `Tests/e2e/mcp_client.py`
(no proxy) and writes each HTTP exchange as `<scenario>/request.json`, `request-headers.json`,
`response.sse` or `response.json`, `response-headers.json` (headers as [name, value] pairs) and `status`.

usage: python Tests/Fixtures/mcp/capture.py   (with the test venv's Python, `mcp` < 2 installed)
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
E2E = os.path.join(HERE, "..", "..", "e2e")

def scenario(exchange):
    """The fixture an exchange of mcp_client.py's session becomes: by what it carried, not by its position
    (the client opens its GET stream alongside the POSTs)."""
    body = exchange["request_body"]
    if exchange["method"] != "POST":
        return {"GET": "session-stream", "DELETE": "session-delete"}[exchange["method"]]
    message = json.loads(body)
    method = message["method"]
    if method == "tools/call":
        return {"add": "tools-call", "divide": "tools-call-error", "get_weather": "tools-call-logging"}[message["params"]["name"]]
    return method.replace("/", "-")


def run(mode):
    server = subprocess.Popen([sys.executable, os.path.join(E2E, "mcp_server.py")] + mode, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline().split()[1])
    try:
        out = subprocess.run([sys.executable, os.path.join(E2E, "mcp_client.py"), f"http://127.0.0.1:{port}/mcp"],
                             check=True, capture_output=True, text=True, timeout=60).stdout
    finally:
        server.stdin.close()
        server.wait()
    return json.loads(out.splitlines()[-1])["wire"]


def write(scenario, exchange):
    directory = os.path.join(HERE, scenario)
    os.makedirs(directory, exist_ok=True)
    # The wire's host and the session id differ per run; the headers are otherwise as sent.
    with open(os.path.join(directory, "request.json"), "w") as f:
        f.write(exchange["request_body"])
    with open(os.path.join(directory, "request-headers.json"), "w") as f:
        json.dump([[k, v] for k, v in exchange["request_headers"].items()], f, indent=1)
    streamed = exchange["headers"].get("content-type", "").startswith("text/event-stream")
    with open(os.path.join(directory, "response.sse" if streamed else "response.json"), "w") as f:
        f.write(exchange["body"])
    with open(os.path.join(directory, "response-headers.json"), "w") as f:
        json.dump([[k, v] for k, v in exchange["headers"].items()], f, indent=1)
    with open(os.path.join(directory, "status"), "w") as f:
        f.write(f"{exchange['status']}\n")


def main():
    for exchange in run([]):
        write(scenario(exchange), exchange)
    for exchange in run(["--json"]):
        if scenario(exchange) == "tools-call":
            write("tools-call-json", exchange)


if __name__ == "__main__":
    main()
