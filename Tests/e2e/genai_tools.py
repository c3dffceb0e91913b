"""google-genai SDK, generate_content with a function declaration (automatic function calling off): the
model answers with a functionCall. Prints one JSON line of what the client saw."""
import json
import sys

from google import genai
from google.genai import types

client = genai.Client(api_key="AIza-test-genai-tools-key-wxyz", http_options=types.HttpOptions(timeout=20_000))
response = client.models.generate_content(
    model="gemini-2.5-flash",
    contents="What's the temperature in London?",
    config=types.GenerateContentConfig(
        system_instruction="You are a weather bot.",
        tools=[types.Tool(function_declarations=[types.FunctionDeclaration(
            name="get_current_temperature", description="Gets the current temperature for a given location.",
            parameters={"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
        )])],
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    ),
)
calls = response.function_calls or []
json.dump({"function_calls": [{"name": c.name, "args": c.args} for c in calls], "model": response.model_version,
           "input_tokens": response.usage_metadata.prompt_token_count,
           "output_tokens": response.usage_metadata.candidates_token_count,
           "thoughts_tokens": response.usage_metadata.thoughts_token_count}, sys.stdout)
print()
