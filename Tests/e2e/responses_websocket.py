"""A Codex-style turn over `wss://…/v1/responses` with the `websockets` library, through HTTPS_PROXY.

Prints {"text", "completed"}: the streamed output text and whether `response.completed` arrived.
"""
import asyncio
import json

from websockets.asyncio.client import connect


async def main():
    headers = [("Authorization", "Bearer sk-codex-secret-abcd1234")]
    text, completed = "", False
    async with connect("wss://api.openai.com/v1/responses", additional_headers=headers, open_timeout=10) as ws:
        await ws.send(json.dumps({"type": "response.create", "model": "gpt-5-codex", "instructions": "You are Codex.",
                                  "input": [{"type": "message", "role": "user",
                                             "content": [{"type": "input_text", "text": "Greet me"}]}],
                                  "stream": True, "store": False}))
        async for message in ws:
            event = json.loads(message)
            if event["type"] == "response.output_text.delta":
                text += event["delta"]
            elif event["type"] == "response.completed":
                completed = True
                break
    print(json.dumps({"text": text, "completed": completed}))


asyncio.run(asyncio.wait_for(main(), 30))
