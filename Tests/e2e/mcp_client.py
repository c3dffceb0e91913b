"""Drives an MCP server with the `mcp` SDK's streamable-HTTP client: initialize, tools/list, tools/call of
`add`, of `divide` by zero (an error result) and of `get_weather` (which logs before it answers), then the session's DELETE.

usage: mcp_client.py URL [--target ORIGIN] [--proxy PROXY_URL] [--ca CA_PEM]
`--target` sends `Sightline-Target-Url: ORIGIN` (the URL is then Sightline's gateway address); `--proxy`
sends every request through that forward proxy (absolute-form HTTP, or CONNECT for https://); `--ca` is the only
CA trusted for HTTPS (Sightline's, when it intercepts). Prints one JSON line: what the SDK
returned, when the log notification and the tool's result arrived (seconds), and each HTTP exchange as it
went over the socket (method, request headers and body, status, response headers and body).
"""
import asyncio
import json
import ssl
import sys
import time

import httpx
from mcp import ClientSession
from mcp.client.streamable_http import streamablehttp_client


class Wiretap(httpx.AsyncBaseTransport):
    """Keeps each exchange as it went over the socket (the SDK reads SSE bodies as they stream)."""

    def __init__(self, proxy, ca):
        verify = ssl.create_default_context(cafile=ca) if ca else True
        self.inner = httpx.AsyncHTTPTransport(proxy=proxy, verify=verify)
        self.exchanges = []

    async def handle_async_request(self, request):
        record = {"method": request.method, "request_headers": {k.lower(): v for k, v in request.headers.items()},
                  "request_body": (await request.aread()).decode("utf-8", "replace"), "chunks": []}
        self.exchanges.append(record)
        response = await self.inner.handle_async_request(request)
        record["status"] = response.status_code
        record["headers"] = {k.lower(): v for k, v in response.headers.items()}
        inner, chunks = response.stream, record["chunks"]

        class Stream(httpx.AsyncByteStream):
            async def __aiter__(self):
                async for chunk in inner:
                    chunks.append(bytes(chunk))
                    yield chunk

            async def aclose(self):
                await inner.aclose()

        return httpx.Response(response.status_code, headers=response.headers, stream=Stream(),
                              extensions=response.extensions)

    async def aclose(self):
        await self.inner.aclose()

    def report(self):
        return [{"method": e["method"], "request_headers": e["request_headers"], "request_body": e["request_body"],
                 "status": e.get("status"), "headers": e.get("headers", {}),
                 "body": b"".join(e["chunks"]).decode("utf-8", "replace")} for e in self.exchanges]


async def main():
    url = sys.argv[1]
    arguments = sys.argv[2:]
    target = arguments[arguments.index("--target") + 1] if "--target" in arguments else None
    proxy = arguments[arguments.index("--proxy") + 1] if "--proxy" in arguments else None
    ca = arguments[arguments.index("--ca") + 1] if "--ca" in arguments else None
    tap = Wiretap(proxy, ca)
    headers = {"Sightline-Target-Url": target} if target else {}
    started = time.monotonic()
    logged_at = []

    def client_factory(headers=None, timeout=None, auth=None):
        return httpx.AsyncClient(transport=tap, headers=headers, timeout=timeout or 30, auth=auth)

    async def on_log(params):
        logged_at.append(time.monotonic() - started)

    result = {}
    async with streamablehttp_client(url, headers=headers, httpx_client_factory=client_factory) as (read, write, session_id):
        async with ClientSession(read, write, logging_callback=on_log) as session:
            initialized = await session.initialize()
            result["server"] = {"name": initialized.serverInfo.name, "version": initialized.serverInfo.version}
            result["protocol_version"] = initialized.protocolVersion
            result["session_id"] = session_id()
            tools = await session.list_tools()
            result["tools"] = [tool.name for tool in tools.tools]
            added = await session.call_tool("add", {"a": 2, "b": 3})
            result["add"] = [c.text for c in added.content if c.type == "text"]
            failed = await session.call_tool("divide", {"a": 1, "b": 0})
            result["divide"] = {"is_error": failed.isError, "text": [c.text for c in failed.content if c.type == "text"]}
            weather = await session.call_tool("get_weather", {"city": "Lisbon"})
            result["weather_at"] = time.monotonic() - started
            result["weather"] = [c.text for c in weather.content if c.type == "text"]
            result["logged_at"] = logged_at
    result["wire"] = tap.report()
    print(json.dumps(result))


asyncio.run(main())
