"""The official `google-genai` SDK's Live client (`client.aio.live.connect()`), through HTTPS_PROXY as an app
runs it: a text session with one tool, the tool called and answered, the answer streamed.

Prints {"calls", "text", "chunk_gaps_ms", "turn_complete", "prompt_tokens"} as the SDK saw them.
"""
import asyncio
import json
import time

from google import genai
from google.genai import types

WEATHER = types.FunctionDeclaration(
    name="get_weather", description="Current weather for a city",
    parameters=types.Schema(type="OBJECT", properties={"city": types.Schema(type="STRING")}, required=["city"]))


async def main():
    client = genai.Client(api_key="AIzaSyLiveSecret0123456789abcdefgh")
    config = types.LiveConnectConfig(
        response_modalities=["TEXT"], system_instruction="You are a weather assistant. Be brief.",
        tools=[types.Tool(function_declarations=[WEATHER])])
    calls, text, arrivals, turn_complete, prompt_tokens = [], "", [], False, None
    async with client.aio.live.connect(model="gemini-live-2.5-flash-preview", config=config) as session:
        await session.send_client_content(
            turns=types.Content(role="user", parts=[types.Part(text="What is the weather in Paris?")]), turn_complete=True)
        async for message in session.receive():
            if message.tool_call:
                for call in message.tool_call.function_calls:
                    calls.append({"name": call.name, "args": call.args})
                await session.send_tool_response(function_responses=[types.FunctionResponse(
                    id=call.id, name=call.name, response={"temperature_c": 21, "sky": "sunny"})])
            if message.server_content and message.server_content.model_turn:
                arrivals.append(time.monotonic())
                text += "".join(part.text or "" for part in message.server_content.model_turn.parts)
            if message.usage_metadata:
                prompt_tokens = message.usage_metadata.prompt_token_count
            if message.server_content and message.server_content.turn_complete:
                turn_complete = True
                break
    gaps = [round((b - a) * 1000, 1) for a, b in zip(arrivals, arrivals[1:])]
    print(json.dumps({"calls": calls, "text": text, "chunk_gaps_ms": gaps, "turn_complete": turn_complete,
                      "prompt_tokens": prompt_tokens}))


asyncio.run(asyncio.wait_for(main(), 30))
