// Setup: trust the CA, point programs at the proxy, copy-paste snippets per client.
import { api } from './api.js';
import { h, clear, copyText } from './dom.js';

export async function setupView(container) {
  clear(container);
  let info = {};
  try { info = await api('/api/info'); } catch { /* shown with placeholders */ }
  const proxy = info.proxy_url || `http://127.0.0.1:9020`;
  const ca = info.ca_bundle_path || '/path/to/sightline-ca-bundle.pem';
  const gateway = proxy + '/openai/v1';
  const vars = [
    ['HTTPS_PROXY', proxy], ['HTTP_PROXY', proxy], ['https_proxy', proxy], ['http_proxy', proxy],
    ['NO_PROXY', 'localhost,127.0.0.1,::1'], ['no_proxy', 'localhost,127.0.0.1,::1'],
    ['SSL_CERT_FILE', ca], ['REQUESTS_CA_BUNDLE', ca], ['CURL_CA_BUNDLE', ca], ['NODE_EXTRA_CA_CERTS', ca], ['NODE_USE_ENV_PROXY', '1'],
  ];
  const q = (v) => `'${v.replace(/'/g, `'\\''`)}'`;
  const shells = {
    'bash / zsh': 'eval "$(sightline env)"\n# or, spelled out:\n' + vars.map(([k, v]) => `export ${k}=${q(v)}`).join('\n'),
    fish: 'sightline env --shell fish | source\n# or, spelled out:\n' + vars.map(([k, v]) => `set -gx ${k} ${q(v)}`).join('\n'),
    'one program': `sightline run -- python my_agent.py`,
  };
  const snippets = {
    curl: `curl --proxy ${proxy} --cacert ${q(ca)} \\
  https://api.openai.com/v1/chat/completions \\
  -H "Authorization: Bearer $OPENAI_API_KEY" -H 'Content-Type: application/json' \\
  -d '{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]}'`,
    'Python · openai': `# With the env lines set, the SDK needs no change. To be explicit instead:
import httpx
from openai import OpenAI

client = OpenAI(http_client=httpx.Client(proxy="${proxy}", verify="${ca}"))
reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}])
print(reply.choices[0].message.content)`,
    'Python · httpx': `import httpx

with httpx.Client(proxy="${proxy}", verify="${ca}") as http:
    r = http.post("https://api.openai.com/v1/chat/completions",
                  headers={"Authorization": f"Bearer {KEY}"},
                  json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]})`,
    'Python · requests': `import requests

r = requests.post("https://api.openai.com/v1/chat/completions",
                  headers={"Authorization": f"Bearer {KEY}"},
                  json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]},
                  proxies={"https": "${proxy}"}, verify="${ca}")`,
    LangChain: `import httpx
from langchain_openai import ChatOpenAI

llm = ChatOpenAI(model="gpt-4o-mini",
                 http_client=httpx.Client(proxy="${proxy}", verify="${ca}"))
print(llm.invoke("Hello").content)`,
    LiteLLM: `# With the env lines set, LiteLLM goes through the proxy as it is. Or use Sightline as a base URL:
import litellm

reply = litellm.completion(model="openai/gpt-4o-mini", api_base="${gateway}",
                           messages=[{"role": "user", "content": "Hello"}])`,
    Node: `// Node >= 24.5 / 22.21: fetch and the SDKs follow the env lines (NODE_USE_ENV_PROXY=1, NODE_EXTRA_CA_CERTS).
// Older Node: route undici (fetch) through the proxy yourself:
import { setGlobalDispatcher, EnvHttpProxyAgent } from 'undici';
setGlobalDispatcher(new EnvHttpProxyAgent());

// Or, with no proxy at all, Sightline as a base URL:
import OpenAI from 'openai';
const client = new OpenAI({ baseURL: '${gateway}' });`,
  };
  container.append(h('section', { class: 'setup-view' },
    h('div', { class: 'page-head' }, h('h2', {}, 'Setup')),
    h('div', { class: 'setup-grid' },
      h('div', { class: 'card' },
        h('h3', {}, '1. Trust the Sightline CA'),
        h('p', { class: 'muted' }, 'Sightline reads HTTPS by presenting certificates signed by its own CA, made for this machine. Clients must trust it: the env lines point them at a bundle of the system roots plus this CA, or install it system-wide with `sightline ca install`.'),
        h('div', { class: 'row' },
          h('a', { class: 'btn btn-primary', href: '/api/ca.pem', download: 'sightline-ca-cert.pem', id: 'ca-pem' }, 'Download CA (PEM)'),
          h('a', { class: 'btn', href: '/api/ca.cer', download: 'sightline-ca-cert.cer', id: 'ca-der' }, 'Download CA (DER, .cer)')),
        h('p', { class: 'muted small' }, 'PEM for OpenSSL, Python, Node and curl; DER (.cer) for Windows and macOS keychains and Android.')),
      h('div', { class: 'card' },
        h('h3', {}, '2. Point programs at the proxy'),
        h('p', { class: 'muted' }, `Proxy: `, h('code', {}, proxy), '. Set these in the shell that runs your program:'),
        tabs(shells, 'env')),
      h('div', { class: 'card wide' },
        h('h3', {}, '3. Or configure one client'),
        tabs(snippets, 'snippet'),
        h('p', { class: 'muted small' }, 'Base-URL (gateway) mode needs no certificate: ', h('code', {}, gateway), ' stands for https://api.openai.com/v1; also /anthropic, /gemini, /groq, /mistral, /openrouter and others, or any URL with the Sightline-Target-Url header.')))));
}

function tabs(map, id) {
  const body = h('div');
  const bar = h('div', { class: 'seg' });
  const show = (key) => {
    [...bar.children].forEach((b) => b.classList.toggle('active', b.dataset.key === key));
    const text = map[key];
    clear(body).append(h('div', { class: 'snippet' },
      h('button', { class: 'btn btn-small copy', onclick: (e) => copyText(text, e.target) }, 'Copy'),
      h('pre', { class: 'code', id: `${id}-code` }, text)));
  };
  for (const key of Object.keys(map)) bar.append(h('button', { class: 'seg-btn', dataset: { key }, onclick: () => show(key) }, key));
  show(Object.keys(map)[0]);
  return h('div', { class: 'snippet-tabs' }, bar, body);
}
