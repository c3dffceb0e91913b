"""google-genai SDK, models.generate_content_stream (the streamed twin of genai_generate.py). The key is
passed as api_key=. Prints one JSON line of what the client saw."""
import json
import sys
import time

from google import genai
from google.genai import types

client = genai.Client(api_key="AIza-test-genai-stream-key-wxyz", http_options=types.HttpOptions(timeout=20_000))
started = time.monotonic()
pieces, arrivals, last = [], [], None
for chunk in client.models.generate_content_stream(
    model="gemini-2.0-flash", contents="Write a story about a magic backpack.",
    config=types.GenerateContentConfig(temperature=1.0, max_output_tokens=256),
):
    arrivals.append(time.monotonic() - started)
    pieces.append(chunk.text or "")
    last = chunk
json.dump({"text": "".join(pieces), "chunks": len(arrivals), "arrivals": arrivals, "model": last.model_version,
           "input_tokens": last.usage_metadata.prompt_token_count,
           "output_tokens": last.usage_metadata.candidates_token_count}, sys.stdout)
print()
