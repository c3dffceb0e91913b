// The Request and Response tabs: start line, headers in wire order, the body pretty or raw.
import { api } from './api.js';
import { h, clear, copyText } from './dom.js';
import * as fmt from './format.js';
import { tryParse, jsonTree } from './json.js';

export function messageTab(flow, side) {
  const m = flow[side];
  const root = h('div', { class: 'http' });
  if (!m) {
    root.append(h('div', { class: 'empty' }, side === 'response'
      ? (flow.error ? 'No response: ' + flow.error : flow.mode === 'tunnel' ? 'A tunnel: only its bytes were relayed.' : 'No response was received.')
      : 'No request recorded.'));
    return root;
  }
  const startLine = side === 'request' ? `${m.method} ${m.url} ${m.http_version}` : `${m.http_version} ${m.status} ${m.reason}`;
  const tools = h('div', { class: 'http-tools' });
  if (side === 'request' && flow.mode !== 'tunnel') {
    tools.append(h('button', { class: 'btn', onclick: async (e) => copyText(await api(`/api/flows/${flow.id}/curl`, { text: true }), e.target) }, 'Copy as curl'));
  }
  root.append(h('div', { class: 'start-line mono' }, startLine), tools);
  root.append(h('h4', {}, `Headers (${m.headers.length})`, h('span', { class: 'muted' }, ' — wire order, secrets redacted')));
  root.append(h('table', { class: 'headers' }, h('tbody', {}, m.headers.map(([n, v]) => h('tr', {}, h('td', { class: 'h-name' }, n), h('td', { class: 'h-value' }, v))))));
  root.append(bodyView(m, side === 'response' ? flow : null));
  return root;
}

function bodyView(m, flow) {
  const notes = [];
  notes.push(fmt.bytes(m.body_size));
  if (m.body_decoded) notes.push('decompressed');
  if (m.body_truncated) notes.push('truncated: only the first part was kept');
  if (m.omitted) notes.push('not stored (Omit header)');
  const wrap = h('div', { class: 'body' });
  const head = h('h4', {}, 'Body ', h('span', { class: 'muted' }, notes.join(' · ')));
  wrap.append(head);
  if (m.omitted) return wrap;
  if (m.body_base64 != null) {
    // Bedrock's streams are binary AWS event stream frames; their decoded events are in the Stream tab.
    const framed = flow && flow.events && flow.events.length > 0;
    wrap.append(h('div', { class: 'muted' }, framed ? 'Binary event stream, shown as base64: see the Stream tab for each event and its time.'
      : 'Binary body, shown as base64.'), h('pre', { class: 'code raw' }, m.body_base64));
    return wrap;
  }
  const text = m.body ?? '';
  if (!text) { wrap.append(h('div', { class: 'muted' }, 'Empty.')); return wrap; }
  const parsed = tryParse(text);
  const isSSE = flow && flow.events && flow.events.length > 0;
  const views = [];
  if (parsed.ok) views.push(['Pretty', () => jsonTree(parsed.value, 3)]);
  views.push(['Raw', () => h('pre', { class: 'code raw' }, text)]);
  const holder = h('div');
  const switcher = h('span', { class: 'seg' });
  const show = (i) => {
    [...switcher.children].forEach((b, j) => b.classList.toggle('active', i === j));
    clear(holder).append(views[i][1]());
  };
  views.forEach(([label], i) => switcher.append(h('button', { class: 'seg-btn', onclick: () => show(i) }, label)));
  switcher.append(h('button', { class: 'seg-btn', onclick: (e) => copyText(text, e.target) }, 'Copy'));
  head.append(' ', switcher);
  if (isSSE) wrap.append(h('div', { class: 'muted' }, 'Server-sent events: see the Stream tab for each event and its time.'));
  wrap.append(holder);
  show(0);
  return wrap;
}
