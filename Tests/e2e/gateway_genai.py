"""google-genai SDK through Sightline's gateway: http_options={"base_url": "<gateway>/gemini"} and an API key
(which the SDK sends as x-goog-api-key), streaming with alt=sse. Then the same stream the way seed 002's
LiteLLM patch sends it: the key as ?key= in the URL and the target named by Helicone-Target-Url.

    gateway_genai.py GATEWAY_URL

Prints one JSON line: what the SDK returned, what the ?key= stream delivered, and each exchange as it went
over the wire."""
import json
import sys
import time

from google import genai
from google.genai import types

from wiretap import wiretap

gateway = sys.argv[1]
tap = wiretap()
client = genai.Client(api_key="AIza-test-gateway-genai-key-wxyz",
                      http_options=types.HttpOptions(base_url=f"{gateway}/gemini", timeout=20_000, httpx_client=tap.client()))
started = time.monotonic()
pieces, arrivals, last = [], [], None
for chunk in client.models.generate_content_stream(
    model="gemini-2.0-flash", contents="Write a story about a magic backpack.",
    config=types.GenerateContentConfig(temperature=1.0, max_output_tokens=256),
):
    arrivals.append(time.monotonic() - started)
    pieces.append(chunk.text or "")
    last = chunk
out = {"text": "".join(pieces), "chunks": len(arrivals), "arrivals": arrivals, "model": last.model_version,
       "input_tokens": last.usage_metadata.prompt_token_count,
       "output_tokens": last.usage_metadata.candidates_token_count}

# The ?key= form: a plain HTTP client, the target by header, the key in the query.
body = {"contents": [{"role": "user", "parts": [{"text": "Write a story about a magic backpack."}]}]}
with tap.client() as http:
    with http.stream("POST", f"{gateway}/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=AIza-test-gateway-query-key-qrst",
                     json=body, headers={"Helicone-Target-Url": "https://generativelanguage.googleapis.com"}) as response:
        events = [line[len("data: "):] for line in response.iter_lines() if line.startswith("data: ")]
texts = []
for event in events:
    for candidate in json.loads(event).get("candidates", []):
        texts += [part.get("text", "") for part in candidate.get("content", {}).get("parts", [])]
out["query_key"] = {"status": response.status_code, "events": len(events), "text": "".join(texts)}
out["wire"] = tap.report()
json.dump(out, sys.stdout)
print()
