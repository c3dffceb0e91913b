"""httpx through Sightline (proxy from the environment): prints the raw response bytes it got."""
import sys

import httpx

url = sys.argv[1]
with httpx.Client(timeout=20) as client:
    response = client.post(url, content=b'{"model":"gpt-4o-mini","messages":[]}',
                           headers={"Content-Type": "application/json", "Authorization": "Bearer sk-httpx-secret-0000"})
sys.stdout.buffer.write(response.content)
