"""anthropic SDK, messages.create with a tool (the request of Tests/Fixtures/anthropic/messages-tool-use).
Prints one JSON line of what the client saw."""
import json
import sys

import anthropic

client = anthropic.Anthropic(api_key="sk-ant-test-tools-key-abcd", max_retries=0, timeout=20)
message = client.messages.create(
    model="claude-sonnet-4-20250514",
    max_tokens=1024,
    system=[{"type": "text", "text": "You are a weather assistant.", "cache_control": {"type": "ephemeral"}}],
    tools=[{
        "name": "get_weather",
        "description": "Get the current weather in a given location",
        "input_schema": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "The unit of temperature"},
            },
            "required": ["location"],
        },
    }],
    tool_choice={"type": "auto"},
    messages=[{"role": "user", "content": "What is the weather like in San Francisco?"}],
)
json.dump({"text": "".join(b.text for b in message.content if b.type == "text"),
           "tool_uses": [{"id": b.id, "name": b.name, "input": b.input} for b in message.content if b.type == "tool_use"],
           "stop_reason": message.stop_reason, "input_tokens": message.usage.input_tokens,
           "cache_read_input_tokens": message.usage.cache_read_input_tokens,
           "cache_creation_input_tokens": message.usage.cache_creation_input_tokens,
           "output_tokens": message.usage.output_tokens}, sys.stdout)
print()
