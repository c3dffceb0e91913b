"""openai SDK, Responses API (not streamed), sending the function-call round trip of
Tests/Fixtures/openai/responses. Prints one JSON line of what the client saw."""
import json
import sys

import openai

client = openai.OpenAI(api_key="sk-test-sdk-responses-key-7890", max_retries=0, timeout=20)
response = client.responses.create(
    model="o4-mini",
    instructions="You are a concise assistant.",
    input=[
        {"role": "user", "content": [{"type": "input_text", "text": "What is the weather like in Paris today?"}]},
        {"type": "function_call", "id": "fc_12345xyz", "call_id": "call_12345xyz", "name": "get_weather",
         "arguments": "{\"location\":\"Paris, France\"}"},
        {"type": "function_call_output", "call_id": "call_12345xyz",
         "output": "{\"temperature\": 14, \"conditions\": \"cloudy\"}"},
    ],
    tools=[{"type": "function", "name": "get_weather", "description": "Get current temperature for a given location.",
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"],
                           "additionalProperties": False}, "strict": True}],
    reasoning={"effort": "low", "summary": "auto"},
    max_output_tokens=500,
)
json.dump({"text": response.output_text, "model": response.model, "status": response.status,
           "input_tokens": response.usage.input_tokens, "output_tokens": response.usage.output_tokens,
           "reasoning_tokens": response.usage.output_tokens_details.reasoning_tokens}, sys.stdout)
print()
