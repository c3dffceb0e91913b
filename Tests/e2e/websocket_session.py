"""A realtime-style WebSocket session with the `websockets` library, as an app would open one.

usage: websocket_session.py URL [--direct] [--deflate] [--vanish] [--hold SECONDS] [--header NAME:VALUE]...
--vanish: after the first message, the process exits without closing (a client that crashes).
--hold: after the first echo, the session stays open and quiet this long (to look at it while open).
Through HTTPS_PROXY unless --direct (the gateway URL). Prints one JSON object with what it saw.
"""
import asyncio
import json
import os
import ssl
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus


async def session(url, headers, proxy, compression, vanish, hold):
    result = {}
    context = ssl.create_default_context() if url.startswith("wss:") else None
    try:
        async with connect(url, additional_headers=headers, ssl=context, proxy=proxy, max_size=1 << 24,
                           compression=compression, open_timeout=10) as ws:
            result["extensions"] = ws.response.headers.get("Sec-WebSocket-Extensions")
            result["first"] = await asyncio.wait_for(ws.recv(), 10)
            if vanish:
                print(json.dumps(result), flush=True)
                os._exit(0)
            await ws.send("hello realtime")
            result["text_echo"] = await asyncio.wait_for(ws.recv(), 10)
            await asyncio.sleep(hold)
            await ws.send(["part one, ", "part two, ", "part three"])
            result["fragmented_echo"] = await asyncio.wait_for(ws.recv(), 10)
            every_byte = bytes(range(256)) * 4
            await ws.send(every_byte)
            result["binary_echo_ok"] = (await asyncio.wait_for(ws.recv(), 10)) == every_byte
            big = "x" * (1 << 20)
            await ws.send(big)
            result["big_echo_ok"] = (await asyncio.wait_for(ws.recv(), 10)) == big
            pong = await ws.ping(b"are you there")
            await asyncio.wait_for(pong, 10)
            result["pong"] = True
            await ws.send("close")
            try:
                await asyncio.wait_for(ws.recv(), 10)
            except ConnectionClosed as closed:
                result["close_code"] = closed.rcvd.code if closed.rcvd else None
                result["close_reason"] = closed.rcvd.reason if closed.rcvd else None
    except InvalidStatus as refused:
        result["refused_status"] = refused.response.status_code
        result["refused_body"] = refused.response.body.decode("utf-8", "replace")
    return result


def main():
    args = sys.argv[1:]
    url = args.pop(0)
    proxy = True
    compression = None
    vanish = False
    hold = 0.0
    headers = []
    while args:
        flag = args.pop(0)
        if flag == "--direct":
            proxy = None
        elif flag == "--vanish":
            vanish = True
        elif flag == "--hold":
            hold = float(args.pop(0))
        elif flag == "--deflate":
            compression = "deflate"
        elif flag == "--header":
            name, value = args.pop(0).split(":", 1)
            headers.append((name, value.strip()))
    print(json.dumps(asyncio.run(session(url, headers, proxy, compression, vanish, hold))))


if __name__ == "__main__":
    main()
