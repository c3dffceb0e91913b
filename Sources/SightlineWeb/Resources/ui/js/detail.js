// One flow in full: a header with its facts and actions, then tabs.
import { api } from './api.js';
import { h, clear, copyText } from './dom.js';
import * as fmt from './format.js';
import { conversationTab } from './conversation.js';
import { messageTab } from './http.js';
import { streamTab } from './stream.js';
import { messagesTab } from './websocket.js';
import { mcpTab } from './mcp.js';
import { timingTab } from './timing.js';
import { openReplayEditor } from './replay.js';

/** `tab` keeps a tab open across a refresh (an open WebSocket session updating). */
export async function renderDetail(id, container, { onClose, compact = false, tab = null } = {}) {
  if (!tab) {
    clear(container);
    container.append(h('div', { class: 'detail-loading muted' }, 'Loading…'));
  }
  let flow;
  try {
    flow = await api('/api/flows/' + encodeURIComponent(id));
  } catch (e) {
    clear(container).append(h('div', { class: 'detail-error' }, 'Could not load the flow: ' + e.message));
    return null;
  }
  if (container.dataset.id && container.dataset.id !== id) return null; // another flow was selected meanwhile
  clear(container).append(detailView(flow, { onClose, compact, tab }));
  return flow;
}

export function detailView(flow, { onClose, compact = false, tab = null } = {}) {
  const tabs = [];
  if (flow.conversation) tabs.push(['conversation', 'Conversation', () => conversationTab(flow)]);
  if (flow.mcp) tabs.push(['mcp', 'MCP', () => mcpTab(flow)]);
  if (flow.websocket) tabs.push(['messages', `Messages (${flow.websocket.messages.length})`, () => messagesTab(flow)]);
  tabs.push(['request', 'Request', () => messageTab(flow, 'request')]);
  tabs.push(['response', 'Response', () => messageTab(flow, 'response')]);
  if (flow.events && flow.events.length) tabs.push(['stream', `Stream (${flow.events.length})`, () => streamTab(flow)]);
  tabs.push(['timing', 'Timing', () => timingTab(flow)]);

  const body = h('div', { class: 'tab-body' });
  const bar = h('div', { class: 'tabs', role: 'tablist' });
  const select = (key) => {
    for (const b of bar.children) b.classList.toggle('active', b.dataset.tab === key);
    clear(body).append(tabs.find((t) => t[0] === key)[2]());
    body.dataset.tab = key;
  };
  for (const [key, label] of tabs) bar.append(h('button', { class: 'tab', role: 'tab', dataset: { tab: key }, onclick: () => select(key) }, label));

  const actions = h('div', { class: 'actions' },
    flow.mode !== 'tunnel' ? h('button', { class: 'btn', id: 'replay-button', onclick: () => openReplayEditor(flow) }, 'Replay…') : null,
    flow.mode !== 'tunnel' ? h('button', { class: 'btn', onclick: async (e) => copyText(await api(`/api/flows/${flow.id}/curl`, { text: true }), e.target) }, 'Copy as curl') : null,
    h('a', { class: 'btn', href: `/api/flows/${flow.id}/har`, download: `sightline-${flow.id}.har` }, 'HAR'),
    h('button', { class: 'btn', id: 'compare-button', title: 'Side by side with any other flow', onclick: () => {
      const other = prompt('Compare with which flow? (its id)', flow.parent_id || '');
      if (other && other.trim()) location.hash = `#/compare/${encodeURIComponent(other.trim())}/${flow.id}`;
    } }, 'Compare…'),
    onClose ? h('button', { class: 'btn btn-ghost close', title: 'Close', onclick: onClose }, '✕') : null);

  const facts = [
    flow.provider && h('span', { class: 'prov prov-' + flow.provider.replace(/[^a-z0-9-]/g, '') }, flow.provider),
    flow.endpoint && h('span', { class: 'fact' }, flow.endpoint),
    flow.model && h('span', { class: 'fact strong' }, flow.model),
    h('span', { class: 'fact' }, fmt.dateTime(flow.started_at)),
    flow.duration_ms != null && h('span', { class: 'fact' }, fmt.ms(flow.duration_ms)),
    flow.mcp?.session_id && h('span', { class: 'fact mono', title: 'MCP session ' + flow.mcp.session_id }, 'mcp session ' + flow.mcp.session_id.slice(0, 8) + '…'),
    flow.session_id && h('a', { class: 'fact link', href: '#/sessions/' + encodeURIComponent(flow.session_id) }, 'session ' + (flow.session_name || flow.session_id)),
    flow.thread_id && h('a', { class: 'fact link', id: 'thread-link', href: '#/?thread=' + encodeURIComponent(flow.thread_id), title: 'Every call of this conversation' }, 'thread'),
    flow.parent_id && h('a', { class: 'fact link', id: 'previous-turn-link', href: `#/compare/${flow.parent_id}/${flow.id}` }, 'compare with previous turn'),
    flow.properties && flow.properties['Replay-Of'] && h('a', { class: 'fact link', href: `#/compare/${flow.properties['Replay-Of']}/${flow.id}` }, 'compare with original'),
  ];
  const status = flow.error
    ? h('span', { class: 'pill bad' }, flow.status ?? 'error')
    : h('span', { class: 'pill ' + fmt.statusClass(flow) }, flow.status ?? '—');

  const header = h('div', { class: 'detail-head' },
    h('div', { class: 'detail-title' }, status, ' ', h('span', { class: 'method' }, flow.method), ' ', h('span', { class: 'url', title: flow.url }, flow.url)),
    actions,
    h('div', { class: 'facts' }, facts),
    flow.error ? h('div', { class: 'flow-error' }, flow.error) : null);

  const view = h('div', { class: 'detail' + (compact ? ' compact' : ''), dataset: { flow: flow.id } }, header, bar, body);
  select(tabs.some((t) => t[0] === tab) ? tab : tabs[0][0]);
  return view;
}
