"""openai SDK, chat completion with a tool offered; the model answers with a tool call. Prints one JSON line."""
import json
import sys

import openai

client = openai.OpenAI(api_key="sk-test-sdk-tools-key-7890", max_retries=0, timeout=20)
completion = client.chat.completions.create(
    model="gpt-4o-mini",
    messages=[{"role": "user", "content": "What's the weather like in Boston today?"}],
    tools=[{
        "type": "function",
        "function": {
            "name": "get_current_weather",
            "description": "Get the current weather in a given location",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                    "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["location"],
            },
        },
    }],
    tool_choice="auto",
)
message = completion.choices[0].message
json.dump({"finish_reason": completion.choices[0].finish_reason, "content": message.content,
           "tool_calls": [{"id": c.id, "name": c.function.name, "arguments": c.function.arguments} for c in message.tool_calls],
           "input_tokens": completion.usage.prompt_tokens, "output_tokens": completion.usage.completion_tokens}, sys.stdout)
print()
