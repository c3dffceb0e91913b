"""anthropic SDK through Sightline's gateway: base_url=<gateway>/anthropic, no proxy settings.

    gateway_anthropic.py BASE_URL messages|stream

Sends the request of Tests/Fixtures/anthropic/messages (or streams it); prints one JSON line: what the
SDK returned and, from the wiretap, each exchange as it went over the wire."""
import json
import sys
import time

import anthropic

from wiretap import wiretap

base_url, scenario = sys.argv[1], sys.argv[2]
# anthropic ≥ 2 is built on httpx2 and accepts only its clients; older ones on httpx.
from anthropic import _base_client  # noqa: E402

tap = wiretap(getattr(_base_client, "httpx2", None) or _base_client.httpx)
client = anthropic.Anthropic(api_key="sk-ant-test-gateway-key-abcd", base_url=base_url, max_retries=0, timeout=20,
                             http_client=tap.client())
request = dict(model="claude-3-5-haiku-20241022", max_tokens=1024, system="You are a friendly assistant.",
               messages=[{"role": "user", "content": "Hello, Claude"}])
if scenario == "messages":
    message = client.messages.create(**request)
    out = {"text": "".join(b.text for b in message.content if b.type == "text"), "model": message.model,
           "stop_reason": message.stop_reason, "input_tokens": message.usage.input_tokens,
           "output_tokens": message.usage.output_tokens}
elif scenario == "stream":
    started = time.monotonic()
    pieces, arrivals = [], []
    with client.messages.stream(**request) as stream:
        for text in stream.text_stream:
            arrivals.append(time.monotonic() - started)
            pieces.append(text)
        final = stream.get_final_message()
    out = {"text": "".join(pieces), "final_text": "".join(b.text for b in final.content if b.type == "text"),
           "model": final.model, "stop_reason": final.stop_reason, "arrivals": arrivals,
           "input_tokens": final.usage.input_tokens, "output_tokens": final.usage.output_tokens}
else:
    sys.exit(f"unknown scenario {scenario}")
out["wire"] = tap.report()
json.dump(out, sys.stdout)
print()
