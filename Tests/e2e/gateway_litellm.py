"""LiteLLM through Sightline's gateway, as seed 002 routes it through Helicone: api_base=<gateway>/v1 and the
header protocol in extra_headers (a Helicone-Property-, a Sightline-User-Id).

    gateway_litellm.py GATEWAY_URL

Prints one JSON line of what LiteLLM returned."""
import json
import os
import sys

# LiteLLM fetches its model cost map from the network at import unless told to use its local copy.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
os.environ.setdefault("LITELLM_TELEMETRY", "False")

import litellm  # noqa: E402

gateway = sys.argv[1]
response = litellm.completion(
    model="openai/gpt-4o-mini",
    api_base=f"{gateway}/v1",
    api_key="sk-test-litellm-key-7890",
    messages=[{"role": "user", "content": "how does a court case get to the Supreme Court?"}],
    extra_headers={"Helicone-Property-Hello": "World", "Sightline-User-Id": "u1"},
    max_retries=0,
    timeout=20,
)
json.dump({"text": response.choices[0].message.content, "model": response.model,
           "finish_reason": response.choices[0].finish_reason,
           "input_tokens": response.usage.prompt_tokens, "output_tokens": response.usage.completion_tokens}, sys.stdout)
print()
