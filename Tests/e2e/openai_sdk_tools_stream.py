"""openai SDK, streamed chat completion with a tool offered and stream_options={"include_usage": True}: the
model's tool call arrives as argument fragments. Prints one JSON line of what the client saw."""
import json
import sys

import openai

client = openai.OpenAI(api_key="sk-test-sdk-tstream-key-7890", max_retries=0, timeout=20)
text, calls, usage, finish_reason = [], {}, None, None
for chunk in client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "system", "content": "Use tools when they help."},
              {"role": "user", "content": "What's the weather like in Boston today?"}],
    tools=[{"type": "function", "function": {
        "name": "get_current_weather", "description": "Get the current weather in a given location",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"},
                                                        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                       "required": ["location"]}}}],
    stream=True,
    stream_options={"include_usage": True},
):
    if chunk.usage is not None:
        usage = chunk.usage
    for choice in chunk.choices:
        if choice.delta.content:
            text.append(choice.delta.content)
        for fragment in choice.delta.tool_calls or []:
            call = calls.setdefault(fragment.index, {"id": None, "name": None, "arguments": ""})
            if fragment.id:
                call["id"] = fragment.id
            if fragment.function and fragment.function.name:
                call["name"] = fragment.function.name
            if fragment.function and fragment.function.arguments:
                call["arguments"] += fragment.function.arguments
        if choice.finish_reason:
            finish_reason = choice.finish_reason
json.dump({"text": "".join(text), "tool_calls": [calls[i] for i in sorted(calls)], "finish_reason": finish_reason,
           "input_tokens": usage.prompt_tokens if usage else None,
           "output_tokens": usage.completion_tokens if usage else None}, sys.stdout)
print()
