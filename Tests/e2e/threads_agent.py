"""Calls an agent makes, each as an app writes them, for threading without headers: an openai tool loop whose second
call appends the SDK's own `message.model_dump()` and a tool result, an unrelated chat call, an Anthropic two-turn
chat, and a Responses chain by `previous_response_id`. Prints one JSON line of what the client saw."""
import json
import sys

import anthropic
import openai

seen = {}
oai = openai.OpenAI(api_key="sk-test-threads-key-7890", max_retries=0, timeout=20)
tools = [{"type": "function", "function": {
    "name": "get_current_weather", "description": "Get the current weather in a given location",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}}]
messages = [{"role": "user", "content": "What's the weather like in Boston today?"}]
first = oai.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=tools)
call = first.choices[0].message
messages.append(call.model_dump())
messages.append({"role": "tool", "tool_call_id": call.tool_calls[0].id, "content": "72 F and sunny"})
second = oai.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=tools)
seen["tool_loop"] = [first.choices[0].finish_reason, second.choices[0].finish_reason]

unrelated = oai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Describe this image."}])
seen["unrelated"] = unrelated.choices[0].finish_reason

claude = anthropic.Anthropic(api_key="sk-ant-test-threads-key-7890", max_retries=0, timeout=20)
chat = [{"role": "user", "content": "Hello, Claude"}]
turn = claude.messages.create(model="claude-sonnet-4-20250514", max_tokens=1024, messages=chat)
chat.append({"role": "assistant", "content": turn.content})
chat.append({"role": "user", "content": "Tell me more."})
again = claude.messages.create(model="claude-sonnet-4-20250514", max_tokens=1024, messages=chat)
seen["anthropic"] = [turn.stop_reason, again.stop_reason]

response = oai.responses.create(model="o4-mini", input="What is the weather like in Paris today?")
follow = oai.responses.create(model="o4-mini", previous_response_id=response.id, input="And tomorrow?")
seen["responses"] = [response.id, follow.id]

json.dump(seen, sys.stdout)
print()
