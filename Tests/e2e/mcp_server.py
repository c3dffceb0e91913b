"""A real MCP server (the `mcp` SDK's FastMCP) on the streamable-HTTP transport, for the MCP tests.

usage: mcp_server.py [--json] [--tls CERT_PEM KEY_PEM]
Listens on a free 127.0.0.1 port at `/mcp` and prints `port N`. Tools: `add(a, b)`, `divide(a, b)` (an error result when b is 0), and `get_weather(city)`,
which first sends a log notification, waits 300 ms, then answers, so a test can see that the SSE response
reaches the client as it is produced. `--json` answers with one JSON body per request (FastMCP's
`json_response=True`) instead of SSE. `--tls` serves HTTPS with that certificate, and answers whatever host the
client names (the SDK's DNS-rebinding guard off), so a test can map an intercepted host to it. The server exits when its stdin closes: a test that stops it closes the
pipe, since SIGTERM may be masked for the children of the test runner.
"""
import asyncio
import os
import socket
import sys
import threading

import uvicorn
from mcp.server.fastmcp import Context, FastMCP
from mcp.server.transport_security import TransportSecuritySettings


def main():
    arguments = sys.argv[1:]
    json_response = "--json" in arguments
    tls = arguments[arguments.index("--tls") + 1:arguments.index("--tls") + 3] if "--tls" in arguments else None
    security = TransportSecuritySettings(enable_dns_rebinding_protection=False) if tls else None
    server = FastMCP("sightline-test-tools", json_response=json_response, transport_security=security)

    @server.tool()
    def add(a: int, b: int) -> int:
        """Adds two integers."""
        return a + b

    @server.tool()
    def divide(a: float, b: float) -> float:
        """Divides a by b."""
        if b == 0:
            raise ValueError("division by zero")
        return a / b

    @server.tool()
    async def get_weather(city: str, ctx: Context) -> str:
        """The weather in a city."""
        await ctx.info(f"looking up {city}")
        await asyncio.sleep(0.3)
        return f"Sunny, 21 °C in {city}"

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(f"port {listener.getsockname()[1]}", flush=True)

    def exit_when_stdin_closes():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    config = uvicorn.Config(server.streamable_http_app(), log_level="warning", lifespan="on",
                            ssl_certfile=tls[0] if tls else None, ssl_keyfile=tls[1] if tls else None)
    asyncio.run(uvicorn.Server(config).serve(sockets=[listener]))


if __name__ == "__main__":
    main()
