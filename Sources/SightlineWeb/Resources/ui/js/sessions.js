// Sessions: calls grouped by session id (Sightline-Session-Id), as a tree by session path, with totals.
import { api, query } from './api.js';
import { h, clear } from './dom.js';
import * as fmt from './format.js';

export async function sessionsView(container, selected) {
  clear(container);
  const list = h('div', { class: 'session-list' });
  const pane = h('div', { class: 'session-pane' });
  container.append(h('section', { class: 'sessions-view' },
    h('div', { class: 'page-head' }, h('h2', {}, 'Sessions'), h('span', { class: 'muted' }, 'Calls sent with Sightline-Session-Id (or Helicone-Session-Id) in the last 7 days')),
    h('div', { class: 'split2' }, list, pane)));
  let data;
  try { data = await api('/api/sessions'); } catch (e) { list.append(h('div', { class: 'detail-error' }, e.message)); return; }
  if (!data.sessions.length) {
    list.append(h('div', { class: 'empty' }, 'No sessions yet.'),
      h('p', { class: 'muted small' }, 'Send these headers with each call of one agent run: Sightline-Session-Id (one id per run), Sightline-Session-Path (/plan/step-1), Sightline-Session-Name.'));
  }
  for (const s of data.sessions) {
    list.append(h('a', { class: 'session-item' + (s.id === selected ? ' selected' : ''), href: '#/sessions/' + encodeURIComponent(s.id) },
      h('div', { class: 'session-name' }, s.name || s.id),
      h('div', { class: 'muted small' }, `${fmt.num(s.calls)} call${s.calls === 1 ? '' : 's'} · ${fmt.compact(s.input_tokens + s.output_tokens)} tokens · ${fmt.cost(s.cost_usd)} · ${fmt.ms(s.duration_ms)}`),
      h('div', { class: 'muted small' }, fmt.dateTime(s.last_started_at), s.errors ? h('span', { class: 'pill bad' }, `${s.errors} errors`) : null)));
  }
  if (!data.complete) list.append(h('p', { class: 'muted small' }, `Scanned the newest ${fmt.num(data.scanned)} flows.`));
  const id = selected || data.sessions[0]?.id;
  if (id) await sessionDetail(pane, id);
}

async function sessionDetail(pane, id) {
  clear(pane).append(h('div', { class: 'muted' }, 'Loading…'));
  const page = await api('/api/flows' + query({ session: id, limit: 1000 }));
  const flows = page.flows.slice().reverse(); // oldest first: the order the agent ran
  clear(pane);
  const totals = flows.reduce((t, f) => ({
    calls: t.calls + 1, input: t.input + (f.input_tokens || 0), output: t.output + (f.output_tokens || 0),
    cost: t.cost + Number(f.cost_usd || 0), errors: t.errors + (f.error || (f.status || 0) >= 400 ? 1 : 0),
  }), { calls: 0, input: 0, output: 0, cost: 0, errors: 0 });
  const first = flows[0], last = flows[flows.length - 1];
  const span = first && last ? (new Date(last.started_at) - new Date(first.started_at)) + (last.duration_ms || 0) : 0;
  pane.append(h('div', { class: 'session-head' },
    h('h3', {}, first?.session_name || id),
    h('div', { class: 'usage' },
      h('span', { class: 'stat' }, h('b', {}, fmt.num(totals.calls)), ' calls'),
      h('span', { class: 'stat' }, h('b', {}, fmt.num(totals.input)), ' input'),
      h('span', { class: 'stat' }, h('b', {}, fmt.num(totals.output)), ' output tokens'),
      h('span', { class: 'stat' }, h('b', {}, fmt.cost(totals.cost)), ' cost'),
      h('span', { class: 'stat' }, h('b', {}, fmt.ms(span)), ' wall time'),
      totals.errors ? h('span', { class: 'pill bad' }, `${totals.errors} errors`) : null),
    h('a', { class: 'link small', href: '#/' + query({ session: id }) }, 'Show in the flow list')));
  pane.append(tree(flows));
  if (page.next) pane.append(h('p', { class: 'muted small' }, 'Only the newest 1000 calls of this session are shown.'));
}

/** Nodes by path segment; each call sits at its session path, in the order it ran. */
function tree(flows) {
  const root = { name: '', children: new Map(), flows: [] };
  for (const f of flows) {
    let node = root;
    for (const seg of (f.session_path || '/').split('/').filter(Boolean)) {
      if (!node.children.has(seg)) node.children.set(seg, { name: seg, children: new Map(), flows: [] });
      node = node.children.get(seg);
    }
    node.flows.push(f);
  }
  const t0 = flows.length ? new Date(flows[0].started_at) : 0;
  return h('div', { class: 'tree' }, renderNode(root, t0, true));
}

function sum(node) {
  let calls = node.flows.length, tokens = node.flows.reduce((n, f) => n + (f.input_tokens || 0) + (f.output_tokens || 0), 0);
  for (const c of node.children.values()) { const s = sum(c); calls += s.calls; tokens += s.tokens; }
  return { calls, tokens };
}

function renderNode(node, t0, isRoot) {
  const items = h('div', { class: 'tree-children' });
  for (const f of node.flows) {
    items.append(h('a', { class: 'tree-flow', href: '#/flows/' + f.id },
      h('span', { class: 'mono muted' }, '+' + fmt.ms(new Date(f.started_at) - t0)),
      h('span', { class: 'pill ' + fmt.statusClass(f) }, f.status ?? 'error'),
      h('span', { class: 'model' }, f.model || f.host),
      h('span', { class: 'muted' }, f.endpoint || fmt.pathOf(f.url)),
      h('span', { class: 'muted' }, `${fmt.compact(f.input_tokens || 0)} → ${fmt.compact(f.output_tokens || 0)}`),
      h('span', { class: 'muted' }, fmt.ms(f.duration_ms)),
      f.tool_call_count ? h('span', { class: 'badge tools' }, `${f.tool_call_count} tool${f.tool_call_count > 1 ? 's' : ''}`) : null));
  }
  for (const c of node.children.values()) items.append(renderNode(c, t0, false));
  if (isRoot) return items;
  const s = sum(node);
  return h('details', { class: 'tree-node', open: true },
    h('summary', {}, h('span', { class: 'seg-name' }, '/' + node.name), h('span', { class: 'muted small' }, ` ${s.calls} call${s.calls === 1 ? '' : 's'} · ${fmt.compact(s.tokens)} tokens`)),
    items);
}
