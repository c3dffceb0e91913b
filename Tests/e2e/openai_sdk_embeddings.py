"""openai SDK, embeddings for two inputs (the request of Tests/Fixtures/openai/embeddings). Prints one JSON line."""
import json
import sys

import openai

client = openai.OpenAI(api_key="sk-test-sdk-embed-key-7890", max_retries=0, timeout=20)
result = client.embeddings.create(model="text-embedding-3-small", encoding_format="float",
                                  input=["The food was delicious and the waiter...", "The service was slow."])
json.dump({"vectors": [e.embedding for e in result.data], "model": result.model,
           "input_tokens": result.usage.prompt_tokens}, sys.stdout)
print()
