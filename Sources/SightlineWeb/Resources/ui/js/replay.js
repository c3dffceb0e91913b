// Replay: edit a recorded request and send it again through Sightline; the new flow opens beside
// the old one with a diff of their outputs.
import { api } from './api.js';
import { h, clear } from './dom.js';
import * as fmt from './format.js';
import { tryParse, pretty } from './json.js';
import { detailView } from './detail.js';

export function openReplayEditor(flow) {
  const req = flow.request;
  const parsed = tryParse(req.body ?? '');
  const method = h('input', { class: 'input mono', value: req.method, size: 8, name: 'method' });
  const url = h('input', { class: 'input mono grow', value: req.url, name: 'url' });
  const headers = h('textarea', { class: 'input mono', rows: 8, name: 'headers', spellcheck: 'false' },
    req.headers.filter(([n]) => !/^(host|content-length|connection|proxy-connection|transfer-encoding)$/i.test(n)).map(([n, v]) => `${n}: ${v}`).join('\n'));
  const body = h('textarea', { class: 'input mono', rows: 14, name: 'body', spellcheck: 'false' }, parsed.ok ? pretty(parsed.value) : (req.body ?? ''));
  const error = h('div', { class: 'flow-error', hidden: true });
  const redacted = req.headers.some(([, v]) => /\*\*\*\*/.test(v));
  const send = h('button', { class: 'btn btn-primary', id: 'replay-send', type: 'submit' }, 'Send through Sightline');
  const dialog = h('dialog', { class: 'modal', id: 'replay-dialog' });
  const form = h('form', { method: 'dialog', onsubmit: async (e) => {
    e.preventDefault();
    send.disabled = true;
    send.textContent = 'Sending…';
    error.hidden = true;
    try {
      const edited = {
        method: method.value.trim(), url: url.value.trim(),
        headers: headers.value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
          const i = l.indexOf(':');
          if (i <= 0) throw new Error('each header line must be "Name: value": ' + l);
          return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
        }),
        body: body.value,
      };
      const answer = await api(`/api/flows/${flow.id}/replay`, { method: 'POST', body: edited });
      dialog.close();
      dialog.remove();
      location.hash = `#/compare/${flow.id}/${answer.id}`;
    } catch (err) {
      error.hidden = false;
      error.textContent = err.message;
    } finally {
      send.disabled = false;
      send.textContent = 'Send through Sightline';
    }
  } },
  h('h3', {}, 'Replay request'),
  h('p', { class: 'muted' }, 'The request goes out again through this Sightline and is recorded as a new flow.'),
  redacted ? h('p', { class: 'note' }, 'Secrets were redacted when this flow was recorded (****). Paste the real key into its header, or the provider will refuse the call.') : null,
  h('div', { class: 'row' }, method, url),
  h('label', { class: 'field' }, 'Headers', headers),
  h('label', { class: 'field' }, 'Body', body),
  error,
  h('div', { class: 'row end' }, h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => { dialog.close(); dialog.remove(); } }, 'Cancel'), send));
  dialog.append(form);
  document.body.append(dialog);
  dialog.showModal();
}

/** `#/compare/OLD/NEW`: both flows side by side, what the request changed, and what changed in the output. */
export async function compareView(container, oldId, newId) {
  clear(container);
  const title = h('h2', {}, 'Compare');
  const root = h('section', { class: 'compare-view' }, h('div', { class: 'page-head' }, title, h('a', { class: 'btn btn-ghost', href: '#/flows/' + newId }, 'Open in list')));
  container.append(root);
  let a, b;
  try {
    [a, b] = await Promise.all([api('/api/flows/' + encodeURIComponent(oldId)), api('/api/flows/' + encodeURIComponent(newId))]);
  } catch (e) {
    root.append(h('div', { class: 'detail-error' }, 'Could not load the flows: ' + e.message));
    return;
  }
  // What the two are to each other names the columns.
  const labels = (b.properties || {})['Replay-Of'] === a.id ? ['Original', 'Replay', 'Replay']
    : b.parent_id === a.id ? ['Previous turn', 'This turn', 'Next turn'] : ['A', 'B', 'Compare'];
  title.textContent = labels[2];
  root.append(summaryTable(a, b, labels));
  const requestDiff = h('div', { id: 'request-diff' }, h('div', { class: 'muted' }, 'Comparing the requests…'));
  root.append(h('h3', {}, 'What the request changed'), requestDiff);
  api(`/api/flows/${encodeURIComponent(b.id)}/diff?against=${encodeURIComponent(a.id)}`)
    .then((d) => clear(requestDiff).append(requestChanges(d)))
    .catch((e) => clear(requestDiff).append(h('div', { class: 'muted' }, 'No request diff: ' + e.message)));
  root.append(h('h3', {}, 'Output diff'), diffView(outputText(a), outputText(b)));
  root.append(h('div', { class: 'compare' },
    h('div', { class: 'compare-col' }, h('div', { class: 'compare-label' }, labels[0]), detailView(a, { compact: true })),
    h('div', { class: 'compare-col', id: 'compare-new' }, h('div', { class: 'compare-label' }, labels[1]), detailView(b, { compact: true }))));
}

/** `GET /api/flows/{id}/diff` as lines: messages added, removed and changed, system prompt, tools, parameters. */
function requestChanges(d) {
  const describe = (m) => `${m.role}: ` + (m.parts || []).map((p) => p.type === 'text' ? (p.text ?? '') : p.type === 'tool_call' ? `[tool call] ${p.name}(${p.arguments ?? ''})` : `[${p.type}] ${p.text ?? ''}`).join(' ').slice(0, 300);
  const lines = [
    ...(d.added_messages || []).map((m) => ['add', '+ ' + describe(m)]),
    ...(d.removed_messages || []).map((m) => ['del', '− ' + describe(m)]),
    ...(d.changed_messages || []).map((c) => ['changed', `~ message ${c.index + 1}: ${describe(c.before)} → ${describe(c.after)}`]),
    d.system_changed ? ['changed', '~ system prompt changed'] : null,
    ...(d.tools_added || []).map((t) => ['add', '+ tool ' + t]),
    ...(d.tools_removed || []).map((t) => ['del', '− tool ' + t]),
    ...Object.entries(d.params_changed || {}).map(([k, [x, y]]) => ['changed', `~ ${k}: ${JSON.stringify(x)} → ${JSON.stringify(y)}`]),
  ].filter(Boolean);
  if (!lines.length) return h('div', { class: 'diff-same' }, 'The requests are the same.');
  return h('div', { class: 'diff mono' }, lines.map(([k, t]) => h('div', { class: 'diff-line ' + (k === 'add' ? 'add' : k === 'del' ? 'del' : 'same') }, t)));
}

function summaryTable(a, b, labels) {
  const rows = [
    ['Status', (f) => f.status ?? f.error ?? '—'],
    ['Model', (f) => f.model ?? '—'],
    ['Input tokens', (f) => fmt.num(f.input_tokens)],
    ['Output tokens', (f) => fmt.num(f.output_tokens)],
    ['Cost', (f) => fmt.cost(f.cost_usd)],
    ['Latency', (f) => fmt.ms(f.duration_ms)],
    ['TTFT', (f) => fmt.ms(f.ttft_ms)],
    ['Finish', (f) => f.finish_reason ?? '—'],
  ];
  return h('table', { class: 'kv compare-table' },
    h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, labels[0]), h('th', {}, labels[1]))),
    h('tbody', {}, rows.map(([k, f]) => {
      const x = String(f(a)), y = String(f(b));
      return h('tr', { class: x !== y ? 'changed' : '' }, h('td', { class: 'muted' }, k), h('td', {}, x), h('td', {}, y));
    })));
}

export function outputText(flow) {
  const out = flow.conversation?.output || [];
  const lines = [];
  for (const m of out) {
    for (const p of m.parts || []) {
      if (p.type === 'text' || p.type === 'refusal' || p.type === 'reasoning') lines.push(...String(p.text ?? '').split('\n'));
      else if (p.type === 'tool_call') lines.push(`[tool call] ${p.name}(${p.arguments ?? ''})`);
      else lines.push(`[${p.type}]`);
    }
  }
  if (!out.length) lines.push(...String(flow.response?.body ?? flow.error ?? '').split('\n'));
  return lines;
}

/** A line diff (longest common subsequence), unchanged lines grey, removed red, added green. */
export function diffView(x, y) {
  const n = x.length, m = y.length;
  if (n * m > 4e6) return h('div', { class: 'muted' }, 'Outputs too long to diff here.');
  const dp = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) dp[i][j] = x[i] === y[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  const lines = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) { lines.push([' ', x[i]]); i++; j++; }
    else if (j < m && (i === n || dp[i][j + 1] >= dp[i + 1][j])) { lines.push(['+', y[j]]); j++; }
    else { lines.push(['-', x[i]]); i++; }
  }
  const same = lines.every(([k]) => k === ' ');
  return h('div', { class: 'diff mono', id: 'output-diff' },
    same ? h('div', { class: 'diff-same' }, 'The outputs are identical.') : null,
    lines.map(([k, t]) => h('div', { class: 'diff-line ' + (k === '+' ? 'add' : k === '-' ? 'del' : 'same') }, h('span', { class: 'diff-mark' }, k), t)));
}
