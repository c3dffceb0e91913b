"""A program with no proxy configuration at all, for `sightline run -- python run_unconfigured.py EXIT`.

The official openai SDK (httpx underneath) and aiohttp (which ignores HTTPS_PROXY unless trust_env=True)
each make one chat completion to the default https://api.openai.com; then the script exits with EXIT.
"""
import asyncio
import sys

import aiohttp
import openai

BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello from sightline run"}]}

client = openai.OpenAI(max_retries=0, timeout=15)
reply = client.chat.completions.create(**BODY)
print("openai:", reply.choices[0].message.content, flush=True)


async def with_aiohttp():
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session:
        headers = {"Authorization": "Bearer " + client.api_key}
        async with session.post("https://api.openai.com/v1/chat/completions", json=BODY, headers=headers) as response:
            data = await response.json()
            print("aiohttp:", response.status, data["choices"][0]["message"]["content"], flush=True)


asyncio.run(with_aiohttp())
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
