"""openai SDK, a chat completion sent with a W3C traceparent (as an app instrumented with OpenTelemetry sends
it), through Sightline. TRACEPARENT in the environment is the header sent. Prints one JSON line."""
import json
import os
import sys

import openai

client = openai.OpenAI(api_key="sk-test-otel-traced-key-4242", max_retries=0, timeout=20)
completion = client.chat.completions.create(
    model="gpt-4o",
    messages=[{"role": "system", "content": "You are a helpful assistant."},
              {"role": "user", "content": "What is in this image?"}],
    extra_headers={"traceparent": os.environ["TRACEPARENT"], "tracestate": "vendor=opaque"},
)
json.dump({"text": completion.choices[0].message.content, "id": completion.id}, sys.stdout)
print()
