"""Drives the official openai SDK through Sightline exactly as a user would: HTTPS_PROXY + SSL_CERT_FILE
set in the environment, the SDK's default base URL. Prints one JSON line with what the client saw."""
import json
import sys
import time

import openai

client = openai.OpenAI(api_key="sk-test-e2e-secret-key-7890", max_retries=0, timeout=20)
completion = client.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "I'm a little teapot!"}]
)
stream_started = time.monotonic()
arrivals = []
pieces = []
for chunk in client.chat.completions.create(
    model="gpt-4o-mini", messages=[{"role": "user", "content": "Say five words."}], stream=True
):
    arrivals.append(time.monotonic() - stream_started)
    if chunk.choices and chunk.choices[0].delta.content:
        pieces.append(chunk.choices[0].delta.content)
json.dump({"content": completion.choices[0].message.content, "model": completion.model,
           "usage": completion.usage.total_tokens, "stream_text": "".join(pieces), "arrivals": arrivals}, sys.stdout)
