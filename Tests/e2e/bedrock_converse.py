"""boto3 bedrock-runtime: converse, then converse_stream, through Sightline (HTTPS_PROXY, AWS_CA_BUNDLE and the
dummy AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN from the environment). Prints one JSON line of
what the client saw."""
import json
import sys
import time

import boto3
from botocore.config import Config

MODEL = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
client = boto3.client("bedrock-runtime", region_name="us-east-1",
                      config=Config(retries={"max_attempts": 1}, connect_timeout=20, read_timeout=20))
request = dict(modelId=MODEL,
               system=[{"text": "You are a friendly assistant."}],
               messages=[{"role": "user", "content": [{"text": "Hello, Claude"}]}],
               inferenceConfig={"maxTokens": 512, "temperature": 0.5, "topP": 0.9, "stopSequences": ["END"]})

reply = client.converse(**request)
converse = {"text": "".join(b.get("text", "") for b in reply["output"]["message"]["content"]),
            "stop_reason": reply["stopReason"], "input_tokens": reply["usage"]["inputTokens"],
            "output_tokens": reply["usage"]["outputTokens"]}

started = time.monotonic()
pieces, arrivals, events, stop_reason, usage = [], [], [], None, {}
for event in client.converse_stream(**request)["stream"]:
    name = next(iter(event))
    events.append(name)
    if name == "contentBlockDelta":
        arrivals.append(time.monotonic() - started)
        pieces.append(event[name]["delta"].get("text", ""))
    elif name == "messageStop":
        stop_reason = event[name]["stopReason"]
    elif name == "metadata":
        usage = event[name]["usage"]
stream = {"text": "".join(pieces), "events": events, "arrivals": arrivals, "stop_reason": stop_reason,
          "input_tokens": usage.get("inputTokens"), "output_tokens": usage.get("outputTokens")}

json.dump({"converse": converse, "converse_stream": stream}, sys.stdout)
print()
