// The Messages tab of a WebSocket session: every message both ways with its time and size, as mitmproxy and
// Chrome's DevTools show them; text and JSON expand in place, binary shows as base64.
import { h } from './dom.js';
import * as fmt from './format.js';
import { tryParse, jsonTree } from './json.js';

const PREVIEW = 240;
// The filter of the session on screen survives the tab being rebuilt as an open session updates.
const kept = { id: null, text: '' };

export function messagesTab(flow) {
  const session = flow.websocket || { messages: [] };
  const messages = session.messages || [];
  const sent = messages.filter((m) => m.direction === 'client');
  const root = h('div', { class: 'ws-messages' });
  root.append(h('div', { class: 'usage' },
    h('span', { class: 'stat' }, h('b', {}, fmt.num(sent.length)), ' sent'),
    h('span', { class: 'stat' }, h('b', {}, fmt.num(messages.length - sent.length)), ' received'),
    session.open ? h('span', { class: 'pill pending', id: 'ws-open' }, 'open — updates as messages pass') : closeText(session.close)));
  const rows = messages.map((m, i) => {
    const payload = m.text ?? null;
    const parsed = payload != null ? tryParse(payload) : { ok: false };
    const shown = m.opcode === 'close' ? closePayload(m) : payload != null ? payload : (m.data_base64 != null ? 'base64 ' + m.data_base64 : '');
    const data = h('td', { class: 'ev-data' });
    const line = h('div', { class: 'ev-line mono', title: 'Click to expand' }, shown.length > PREVIEW ? shown.slice(0, PREVIEW) + '…' : shown);
    data.append(line);
    line.addEventListener('click', () => {
      if (data.children.length > 1) { data.lastChild.remove(); return; }
      data.append(parsed.ok ? jsonTree(parsed.value, 4) : h('pre', { class: 'code' }, shown));
    });
    const flags = [m.truncated ? 'cut at the body cap' : null, m.compressed ? (m.inflated === false ? 'compressed, not inflated' : 'inflated') : null].filter(Boolean);
    return h('tr', { class: 'ws-' + m.direction, dataset: { index: i } },
      h('td', { class: 'num mono' }, i + 1),
      h('td', { class: 'ws-dir', title: m.direction === 'client' ? 'sent by the app' : 'sent by the server' }, m.direction === 'client' ? '↑' : '↓'),
      h('td', { class: 'num mono' }, m.t_ms.toFixed(1)),
      h('td', { class: 'mono' }, m.opcode),
      h('td', { class: 'num mono', title: flags.join(', ') }, fmt.bytes(m.size) + (flags.length ? ' *' : '')),
      data);
  });
  // Filters the rows by their text, as DevTools' Messages filter does (a Realtime session has hundreds).
  const filter = h('input', { class: 'input', type: 'search', id: 'ws-filter', placeholder: 'Filter messages…', autocomplete: 'off', spellcheck: 'false' });
  const count = h('span', { class: 'muted' });
  const apply = () => {
    kept.id = flow.id;
    kept.text = filter.value;
    const needle = filter.value.trim().toLowerCase();
    let shown = 0;
    rows.forEach((tr, i) => {
      const m = messages[i];
      const hit = !needle || (m.text ?? '').toLowerCase().includes(needle) || m.opcode.includes(needle);
      tr.hidden = !hit;
      if (hit) shown += 1;
    });
    count.textContent = needle ? `${shown} of ${messages.length}` : '';
  };
  filter.addEventListener('input', apply);
  if (kept.id === flow.id && kept.text) {
    filter.value = kept.text;
    apply();
  }
  root.append(h('div', { class: 'ws-tools' }, filter, ' ', count));
  root.append(h('table', { class: 'events ws' },
    h('thead', {}, h('tr', {}, h('th', { class: 'num' }, '#'), h('th', {}, ''), h('th', { class: 'num' }, 't (ms)'), h('th', {}, 'type'), h('th', { class: 'num' }, 'size'), h('th', {}, 'data'))),
    h('tbody', {}, rows)));
  return root;
}

function closeText(close) {
  if (!close) return h('span', { class: 'pill warn' }, 'ended without a close frame');
  const code = close.code != null ? `close ${close.code}` : 'close';
  return h('span', { class: 'pill muted' }, `${code}${close.reason ? ' “' + close.reason + '”' : ''} by the ${close.by === 'client' ? 'app' : 'server'}`);
}

/** A close frame as the recorder read it: its code and reason. */
function closePayload(m) {
  if (m.close_code == null) return '(no code)';
  return String(m.close_code) + (m.close_reason ? ` “${m.close_reason}”` : '');
}
