"""openai SDK, Responses API streamed, with a function tool: the request of
Tests/Fixtures/openai/responses-stream. Prints one JSON line of what the client saw."""
import json
import sys

import openai

client = openai.OpenAI(api_key="sk-test-sdk-rstream-key-7890", max_retries=0, timeout=20)
pieces, calls, types, final = [], [], [], None
for event in client.responses.create(
    model="gpt-4.1",
    input="Say hello, then look up the weather in Paris.",
    tools=[{"type": "function", "name": "get_weather", "description": "Get current temperature for a given location.",
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}],
    stream=True,
):
    types.append(event.type)
    if event.type == "response.output_text.delta":
        pieces.append(event.delta)
    elif event.type == "response.output_item.done" and event.item.type == "function_call":
        calls.append({"call_id": event.item.call_id, "name": event.item.name, "arguments": event.item.arguments})
    elif event.type == "response.completed":
        final = event.response
json.dump({"text": "".join(pieces), "tool_calls": calls, "events": len(types), "model": final.model,
           "input_tokens": final.usage.input_tokens, "output_tokens": final.usage.output_tokens}, sys.stdout)
print()
