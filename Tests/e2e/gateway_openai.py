"""openai SDK through Sightline's gateway: base_url=<gateway>/v1 or <gateway>/openai/v1, no proxy settings.

    gateway_openai.py BASE_URL SCENARIO [PHRASE]

    chat    one chat completion (the request of Tests/Fixtures/openai/chat-completions)
    stream  its streamed twin, with stream_options={"include_usage": True}
    cache   the same chat twice with Sightline-Cache-Enabled: true (with_raw_response, for the headers)
    omit    one chat with Sightline-Omit-Request: true whose prompt holds PHRASE
    plain   one chat whose prompt holds PHRASE, nothing omitted (the control for omit)
    retry   one chat with Sightline-Retry-* and Sightline-Fault: status=503;times=2, the SDK's own retries off

Prints one JSON line: what the SDK returned and, from the wiretap, each exchange as it went over the wire."""
import json
import sys
import time

import openai

from wiretap import wiretap

IMAGE = "https://upload.wikimedia.org/wikipedia/commons/thumb/d/dd/Gfp-wisconsin-madison-the-nature-boardwalk.jpg/2560px-Gfp-wisconsin-madison-the-nature-boardwalk.jpg"
base_url, scenario = sys.argv[1], sys.argv[2]
phrase = sys.argv[3] if len(sys.argv) > 3 else "What is in this image?"
tap = wiretap()
client = openai.OpenAI(api_key="sk-test-gateway-key-7890", base_url=base_url, max_retries=0, timeout=20, http_client=tap.client())
request = dict(
    model="gpt-4o",
    messages=[
        {"role": "developer", "content": "You are a helpful assistant."},
        {"role": "user", "content": [{"type": "text", "text": phrase}, {"type": "image_url", "image_url": {"url": IMAGE}}]},
    ],
    temperature=0.2,
    max_completion_tokens=300,
)


def summary(completion):
    return {"text": completion.choices[0].message.content, "model": completion.model,
            "finish_reason": completion.choices[0].finish_reason,
            "input_tokens": completion.usage.prompt_tokens, "output_tokens": completion.usage.completion_tokens}


def raw_call(headers):
    raw = client.chat.completions.with_raw_response.create(**request, extra_headers=headers)
    return dict(summary(raw.parse()), status=raw.status_code, headers={k.lower(): v for k, v in raw.headers.items()})


out = {}
if scenario in ("chat", "plain"):
    out = summary(client.chat.completions.create(**request))
elif scenario == "stream":
    started = time.monotonic()
    pieces, arrivals, usage, finish_reason, model = [], [], None, None, None
    for chunk in client.chat.completions.create(**request, stream=True, stream_options={"include_usage": True}):
        arrivals.append(time.monotonic() - started)
        model = chunk.model
        if chunk.usage is not None:
            usage = chunk.usage
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
            finish_reason = chunk.choices[0].finish_reason or finish_reason
    out = {"text": "".join(pieces), "model": model, "finish_reason": finish_reason, "chunks": len(arrivals),
           "arrivals": arrivals, "input_tokens": usage.prompt_tokens, "output_tokens": usage.completion_tokens}
elif scenario == "cache":
    out = {"calls": [raw_call({"Sightline-Cache-Enabled": "true"}) for _ in range(2)]}
elif scenario == "omit":
    out = raw_call({"Sightline-Omit-Request": "true"})
elif scenario == "retry":
    out = raw_call({"Sightline-Retry-Enabled": "true", "Sightline-Retry-Min-Timeout": "50",
                    "Sightline-Fault": "status=503;times=2"})
else:
    sys.exit(f"unknown scenario {scenario}")
out["wire"] = tap.report()
json.dump(out, sys.stdout)
print()
