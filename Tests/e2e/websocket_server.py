"""A TLS WebSocket server with permessage-deflate (the `websockets` library's default), for the proxy tests.

usage: websocket_server.py CERT_PEM KEY_PEM [--realtime | --responses | --gemini-live]
Prints `port N` once listening on 127.0.0.1. Sends {"type":"session.created"} first, echoes messages,
and on the text `close` closes with 4001 "bye" (as Tests/SightlineTestSupport/WebSocketTestUpstream does).
With --realtime it plays the OpenAI Realtime API instead (GA event names): each `response.create` is
answered with five `response.output_text.delta` events 40 ms apart and a `response.done` with usage.
With --responses it plays the Responses API over WebSocket (Codex): each `response.create` gets the
Responses streaming events, ending in `response.completed` with usage.
With --gemini-live it plays the Gemini Live API (BidiGenerateContent), its JSON in binary frames as Google
sends it: `setup` → `setupComplete`; a user turn → a `toolCall` for get_weather; the tool's response → the
answer in two `modelTurn` chunks 40 ms apart, `generationComplete`, then `turnComplete` with `usageMetadata`.
"""
import asyncio
import json
import os
import ssl
import sys
import threading

WORDS = ["Hello", " from", " the", " realtime", " server."]


async def realtime(ws):
    session = {"type": "realtime", "object": "realtime.session", "id": "sess_1", "model": "gpt-realtime-2025-08-28",
               "instructions": "", "output_modalities": ["text"]}
    await ws.send(json.dumps({"type": "session.created", "event_id": "event_0", "session": session}))
    count = 0
    async for text in ws:
        event = json.loads(text)
        count += 1
        if event["type"] == "session.update":
            session.update(event.get("session", {}))
            await ws.send(json.dumps({"type": "session.updated", "event_id": f"event_{count}", "session": session}))
        elif event["type"] == "conversation.item.create":
            item = dict(event["item"], id=f"item_{count}", status="completed", object="realtime.item")
            await ws.send(json.dumps({"type": "conversation.item.added", "event_id": f"event_{count}", "item": item}))
        elif event["type"] == "response.create":
            response = {"object": "realtime.response", "id": "resp_1", "status": "in_progress", "output": []}
            await ws.send(json.dumps({"type": "response.created", "event_id": f"event_{count}", "response": response}))
            for word in WORDS:
                await asyncio.sleep(0.04)
                await ws.send(json.dumps({"type": "response.output_text.delta", "event_id": f"event_{count}",
                                          "response_id": "resp_1", "item_id": "item_out", "output_index": 0,
                                          "content_index": 0, "delta": word}))
            done = dict(response, status="completed", output=[{
                "id": "item_out", "object": "realtime.item", "type": "message", "role": "assistant", "status": "completed",
                "content": [{"type": "output_text", "text": "".join(WORDS)}]}],
                usage={"total_tokens": 57, "input_tokens": 45, "output_tokens": 12,
                       "input_token_details": {"text_tokens": 45, "audio_tokens": 0, "cached_tokens": 0},
                       "output_token_details": {"text_tokens": 12, "audio_tokens": 0}})
            await ws.send(json.dumps({"type": "response.done", "event_id": f"event_{count}", "response": done}))

from websockets.asyncio.server import serve


async def handler(ws):
    await ws.send('{"type":"session.created"}')
    async for message in ws:
        if message == "close":
            await ws.close(4001, "bye")
            return
        await ws.send(message)


async def responses(ws):
    async for text in ws:
        event = json.loads(text)
        if event.get("type") != "response.create":
            continue
        response = {"id": "resp_1", "object": "response", "status": "in_progress", "model": event.get("model", ""), "output": []}
        await ws.send(json.dumps({"type": "response.created", "sequence_number": 0, "response": response}))
        for index, word in enumerate(WORDS):
            await asyncio.sleep(0.03)
            await ws.send(json.dumps({"type": "response.output_text.delta", "sequence_number": index + 1, "output_index": 0,
                                      "item_id": "msg_1", "content_index": 0, "delta": word}))
        done = dict(response, status="completed", output=[{
            "id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": "".join(WORDS)}]}],
            usage={"input_tokens": 30, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 6,
                   "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 36})
        await ws.send(json.dumps({"type": "response.completed", "sequence_number": 9, "response": done}))


async def gemini_live(ws):
    async for raw in ws:
        message = json.loads(raw)
        # The API takes camelCase and snake_case alike; the Python SDK sends `client_content`, `tool_response`.
        client_content = message.get("clientContent") or message.get("client_content") or {}
        if "setup" in message:
            await ws.send(json.dumps({"setupComplete": {}}).encode())
        elif client_content.get("turnComplete") or client_content.get("turn_complete"):
            await asyncio.sleep(0.03)
            await ws.send(json.dumps({"toolCall": {"functionCalls": [
                {"id": "call_1", "name": "get_weather", "args": {"city": "Paris"}}]},
                "usageMetadata": {"promptTokenCount": 50, "responseTokenCount": 10, "totalTokenCount": 60}}).encode())
        elif "toolResponse" in message or "tool_response" in message:
            for text in ["It is sunny", " and 21 degrees in Paris."]:
                await asyncio.sleep(0.04)
                await ws.send(json.dumps({"serverContent": {"modelTurn": {"role": "model", "parts": [{"text": text}]}}}).encode())
            await ws.send(json.dumps({"serverContent": {"generationComplete": True}}).encode())
            await ws.send(json.dumps({"serverContent": {"turnComplete": True},
                                      "usageMetadata": {"promptTokenCount": 80, "cachedContentTokenCount": 16,
                                                        "responseTokenCount": 12, "totalTokenCount": 92}}).encode())


def exit_when_stdin_ends():
    """The test that started us holds our stdin: when it closes (or the test dies), we go."""
    sys.stdin.read()
    os._exit(0)


async def main():
    threading.Thread(target=exit_when_stdin_ends, daemon=True).start()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    modes = {"--realtime": realtime, "--responses": responses, "--gemini-live": gemini_live}
    chosen = next((modes[flag] for flag in sys.argv[3:] if flag in modes), handler)
    async with serve(chosen, "127.0.0.1", 0, ssl=context, max_size=1 << 24) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"port {port}", flush=True)
        await asyncio.Future()


asyncio.run(main())
