"""openai SDK, streamed chat completion with stream_options={"include_usage": True}, through Sightline.
The streamed twin of openai_sdk_chat.py; prints one JSON line of what the client saw."""
import json
import sys
import time

import openai

IMAGE = "https://upload.wikimedia.org/wikipedia/commons/thumb/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg/2560px-Gfp-wisconsin-madison-the-nature-boardwalk.jpg"

client = openai.OpenAI(api_key="sk-test-sdk-stream-key-7890", max_retries=0, timeout=20)
started = time.monotonic()
pieces, arrivals, usage, finish_reason, model = [], [], None, None, None
for chunk in client.chat.completions.create(
    model="gpt-4o",
    messages=[
        {"role": "developer", "content": "You are a helpful assistant."},
        {"role": "user", "content": [{"type": "text", "text": "What is in this image?"},
                                     {"type": "image_url", "image_url": {"url": IMAGE}}]},
    ],
    temperature=0.2,
    max_completion_tokens=300,
    stream=True,
    stream_options={"include_usage": True},
):
    arrivals.append(time.monotonic() - started)
    model = chunk.model
    if chunk.usage is not None:
        usage = chunk.usage
    if chunk.choices:
        if chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        if chunk.choices[0].finish_reason:
            finish_reason = chunk.choices[0].finish_reason
json.dump({"text": "".join(pieces), "model": model, "finish_reason": finish_reason, "chunks": len(arrivals),
           "arrivals": arrivals, "input_tokens": usage.prompt_tokens if usage else None,
           "output_tokens": usage.completion_tokens if usage else None}, sys.stdout)
print()
