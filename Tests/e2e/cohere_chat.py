"""Cohere's v2 chat, plain and streamed, posted with httpx (no Cohere SDK in the venv) to the real host through
Sightline (proxy and CA from the environment). Prints one JSON line of what the client saw."""
import json
import sys

import httpx

URL = "https://api.cohere.com/v2/chat"
HEADERS = {"Authorization": "Bearer co-test-chat-key-abcd1234", "Content-Type": "application/json",
           "Accept": "application/json"}
body = {"model": "command-a-03-2025", "messages": [{"role": "system", "content": "You are a friendly assistant."},
                                                   {"role": "user", "content": "Hello, Command"}],
        "temperature": 0.3, "max_tokens": 256}

with httpx.Client(timeout=20) as client:
    reply = client.post(URL, json=body, headers=HEADERS).json()
    chat = {"text": "".join(c["text"] for c in reply["message"]["content"] if c["type"] == "text"),
            "finish_reason": reply["finish_reason"]}
    pieces, events, finish_reason = [], [], None
    with client.stream("POST", URL, json={**body, "stream": True}, headers={**HEADERS, "Accept": "text/event-stream"}) as response:
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            events.append(event["type"])
            if event["type"] == "content-delta":
                pieces.append(event["delta"]["message"]["content"]["text"])
            elif event["type"] == "message-end":
                finish_reason = event["delta"]["finish_reason"]

json.dump({"chat": chat, "stream": {"text": "".join(pieces), "events": events, "finish_reason": finish_reason}}, sys.stdout)
print()
