"""google-genai SDK, models.generate_content, through Sightline (it uses httpx, which honours HTTPS_PROXY,
and builds its SSL context from SSL_CERT_FILE). The key comes from GEMINI_API_KEY. Prints one JSON line."""
import json
import sys

from google import genai
from google.genai import types

client = genai.Client(http_options=types.HttpOptions(timeout=20_000))
response = client.models.generate_content(
    model="gemini-2.0-flash", contents="Write a story about a magic backpack.",
    config=types.GenerateContentConfig(temperature=1.0, max_output_tokens=256),
)
json.dump({"text": response.text, "model": response.model_version,
           "finish_reason": response.candidates[0].finish_reason.value,
           "input_tokens": response.usage_metadata.prompt_token_count,
           "output_tokens": response.usage_metadata.candidates_token_count}, sys.stdout)
print()
