"""anthropic SDK, messages.create (not streamed), through Sightline. Prints one JSON line of what the client saw."""
import json
import sys

import anthropic

client = anthropic.Anthropic(api_key="sk-ant-test-messages-key-abcd", max_retries=0, timeout=20)
message = client.messages.create(model="claude-3-5-haiku-20241022", max_tokens=1024,
                                 system="You are a friendly assistant.",
                                 messages=[{"role": "user", "content": "Hello, Claude"}])
json.dump({"text": "".join(b.text for b in message.content if b.type == "text"), "model": message.model,
           "stop_reason": message.stop_reason, "input_tokens": message.usage.input_tokens,
           "output_tokens": message.usage.output_tokens}, sys.stdout)
print()
