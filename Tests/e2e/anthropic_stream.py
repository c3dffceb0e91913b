"""anthropic SDK, messages.stream (the streamed twin of anthropic_messages.py). Prints one JSON line."""
import json
import sys
import time

import anthropic

client = anthropic.Anthropic(api_key="sk-ant-test-stream-key-abcd", max_retries=0, timeout=20)
started = time.monotonic()
pieces, arrivals = [], []
with client.messages.stream(model="claude-3-5-haiku-20241022", max_tokens=1024,
                            system="You are a friendly assistant.",
                            messages=[{"role": "user", "content": "Hello, Claude"}]) as stream:
    for text in stream.text_stream:
        arrivals.append(time.monotonic() - started)
        pieces.append(text)
    final = stream.get_final_message()
json.dump({"text": "".join(pieces), "final_text": "".join(b.text for b in final.content if b.type == "text"),
           "model": final.model, "stop_reason": final.stop_reason, "arrivals": arrivals,
           "input_tokens": final.usage.input_tokens, "output_tokens": final.usage.output_tokens}, sys.stdout)
print()
