"""openai SDK, chat completion (not streamed), through Sightline via HTTPS_PROXY + SSL_CERT_FILE.
Sends the request of Tests/Fixtures/openai/chat-completions; prints one JSON line of what the client saw."""
import json
import sys

import openai

IMAGE = "https://upload.wikimedia.org/wikipedia/commons/thumb/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg/2560px-Gfp-wisconsin-madison-the-nature-boardwalk.jpg"

client = openai.OpenAI(api_key="sk-test-sdk-chat-key-7890", max_retries=0, timeout=20)
completion = client.chat.completions.create(
    model="gpt-4o",
    messages=[
        {"role": "developer", "content": "You are a helpful assistant."},
        {"role": "user", "content": [{"type": "text", "text": "What is in this image?"},
                                     {"type": "image_url", "image_url": {"url": IMAGE}}]},
    ],
    temperature=0.2,
    max_completion_tokens=300,
)
json.dump({"text": completion.choices[0].message.content, "model": completion.model,
           "finish_reason": completion.choices[0].finish_reason,
           "input_tokens": completion.usage.prompt_tokens, "output_tokens": completion.usage.completion_tokens,
           "cached_tokens": completion.usage.prompt_tokens_details.cached_tokens}, sys.stdout)
print()
