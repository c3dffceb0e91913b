// A Node program with no proxy configuration, as `sightline run` meets it: the built-in fetch (undici,
// what the official openai and @anthropic-ai/sdk packages use) calls the OpenAI API. Prints the answer.
const response = await fetch('https://api.openai.com/v1/chat/completions', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${process.env.OPENAI_API_KEY}` },
  body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello from node' }] }),
});
const body = await response.json();
console.log(`node fetch: ${response.status} ${body.choices[0].message.content}`);
