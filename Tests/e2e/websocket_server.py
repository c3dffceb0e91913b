"""A TLS WebSocket server with permessage-deflate (the `websockets` library's default), for the proxy tests.

usage: websocket_server.py CERT_PEM KEY_PEM
Prints `port N` once listening on 127.0.0.1. Sends {"type":"session.created"} first, echoes messages,
and on the text `close` closes with 4001 "bye" (as Tests/SightlineTestSupport/WebSocketTestUpstream does).
"""
import asyncio
import ssl
import sys

from websockets.asyncio.server import serve


async def handler(ws):
    await ws.send('{"type":"session.created"}')
    async for message in ws:
        if message == "close":
            await ws.close(4001, "bye")
            return
        await ws.send(message)


async def main():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    async with serve(handler, "127.0.0.1", 0, ssl=context, max_size=1 << 24) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"port {port}", flush=True)
        await asyncio.Future()


asyncio.run(main())
