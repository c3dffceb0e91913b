"""The official `openai` SDK's Realtime client (`client.realtime.connect()`), through HTTPS_PROXY as an app runs it.

Prints {"text", "delta_gaps_ms", "usage_output_tokens"}: the streamed text and the gaps between deltas as they arrived.
"""
import asyncio
import json
import time

from openai import AsyncOpenAI


async def main():
    client = AsyncOpenAI(api_key="sk-realtime-sdk-secret-5678wxyz")
    arrivals = []
    text = ""
    usage = None
    async with client.realtime.connect(model="gpt-realtime") as connection:
        await connection.session.update(session={"type": "realtime", "instructions": "You greet people.",
                                                 "output_modalities": ["text"]})
        await connection.conversation.item.create(item={
            "type": "message", "role": "user", "content": [{"type": "input_text", "text": "Say hello"}]})
        await connection.response.create()
        async for event in connection:
            if event.type == "response.output_text.delta":
                arrivals.append(time.monotonic())
                text += event.delta
            elif event.type == "response.done":
                usage = event.response.usage
                break
    gaps = [round((b - a) * 1000, 1) for a, b in zip(arrivals, arrivals[1:])]
    print(json.dumps({"text": text, "delta_gaps_ms": gaps, "usage_output_tokens": usage.output_tokens if usage else None}))


asyncio.run(asyncio.wait_for(main(), 30))
