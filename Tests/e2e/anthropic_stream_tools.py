"""anthropic SDK, messages.stream with a tool: thinking, text and a tool_use whose input arrives as
input_json_delta fragments. Prints one JSON line of what the client saw."""
import json
import sys

import anthropic

client = anthropic.Anthropic(api_key="sk-ant-test-stools-key-abcd", max_retries=0, timeout=20)
with client.messages.stream(
    model="claude-sonnet-4-5",
    max_tokens=16000,
    system="Answer weather questions with the tool.",
    tools=[{"name": "get_weather", "description": "Get the current weather in a given location",
            "input_schema": {"type": "object", "properties": {"location": {"type": "string"}, "unit": {"type": "string"}},
                             "required": ["location"]}}],
    messages=[{"role": "user", "content": [{"type": "text", "text": "What's the weather in San Francisco?"}]}],
) as stream:
    final = stream.get_final_message()
json.dump({"thinking": "".join(b.thinking for b in final.content if b.type == "thinking"),
           "text": "".join(b.text for b in final.content if b.type == "text"),
           "tool_uses": [{"id": b.id, "name": b.name, "input": b.input} for b in final.content if b.type == "tool_use"],
           "model": final.model, "stop_reason": final.stop_reason,
           "input_tokens": final.usage.input_tokens, "output_tokens": final.usage.output_tokens}, sys.stdout)
print()
