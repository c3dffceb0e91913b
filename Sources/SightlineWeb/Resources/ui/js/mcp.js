// The MCP tab: one Model Context Protocol call as JSON-RPC (method, id, params, and the result or error),
// its session, the server that answered `initialize`, and what the server sent besides its answer.
import { h } from './dom.js';
import { jsonTree } from './json.js';

export function mcpTab(flow) {
  const m = flow.mcp;
  const root = h('div', { class: 'mcp' });
  const facts = [
    ['method', m.method ?? flow.endpoint],
    ['id', m.id != null ? JSON.stringify(m.id) : null],
    ['session', m.session_id],
    ['protocol', m.protocol_version],
    ['server', m.server ? [m.server.name, m.server.version].filter(Boolean).join(' ') : null],
  ].filter(([, v]) => v != null && v !== '');
  root.append(h('table', { class: 'kv mcp-facts' }, facts.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', { class: 'mono' }, v)))));
  const calls = m.batch || [m];
  calls.forEach((call, i) => {
    if (m.batch) root.append(h('h4', {}, `${i + 1}. ${call.method ?? 'response'}` + (call.id != null ? ` · id ${JSON.stringify(call.id)}` : '')));
    if (call.params != null) root.append(section('Params', call.params));
    if (call.error != null) root.append(section('Error', call.error, 'is-error'));
    else if (call.result !== undefined && call.result !== null) root.append(section('Result', call.result));
  });
  if (m.notifications && m.notifications.length) {
    root.append(h('h4', {}, `From the server (${m.notifications.length})`));
    for (const n of m.notifications) {
      root.append(h('div', { class: 'mcp-note' }, h('span', { class: 'tool-name' }, n.method ?? 'message'),
        n.params != null ? jsonTree(n.params, 1) : null));
    }
  }
  return root;
}

function section(title, value, cls = '') {
  return h('div', { class: 'mcp-section ' + cls }, h('h4', {}, title), jsonTree(value, 3));
}
