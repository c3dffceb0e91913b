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
  // The tree and its totals come from the API (GET /api/sessions/{id}); each call's row from the flow list.
  const [session, page] = await Promise.all([
    api('/api/sessions/' + encodeURIComponent(id)),
    api('/api/flows' + query({ session: id, limit: 1000 })),
  ]);
  const byID = new Map(page.flows.map((f) => [f.id, f]));
  clear(pane);
  const errors = page.flows.filter((f) => f.error || (f.status || 0) >= 400).length;
  pane.append(h('div', { class: 'session-head' },
    h('h3', {}, session.name || id),
    h('div', { class: 'usage' },
      h('span', { class: 'stat' }, h('b', {}, fmt.num(session.calls)), ' calls'),
      h('span', { class: 'stat' }, h('b', {}, fmt.num(session.input_tokens)), ' input'),
      h('span', { class: 'stat' }, h('b', {}, fmt.num(session.output_tokens)), ' output tokens'),
      h('span', { class: 'stat' }, h('b', {}, fmt.cost(session.cost_usd)), ' cost'),
      h('span', { class: 'stat' }, h('b', {}, fmt.ms(session.duration_ms)), ' wall time'),
      errors ? h('span', { class: 'pill bad' }, `${errors} errors`) : null),
    h('a', { class: 'link small', href: '#/' + query({ session: id }) }, 'Show in the flow list')));
  const starts = page.flows.map((f) => new Date(f.started_at).getTime());
  const t0 = starts.length ? Math.min(...starts) : 0;
  const span = Math.max(1, session.duration_ms || 0);
  const items = h('div', { class: 'tree-children' });
  for (const node of session.tree) items.append(renderNode(node, byID, t0, span));
  pane.append(h('div', { class: 'tree waterfall' }, items));
  if (page.next) pane.append(h('p', { class: 'muted small' }, 'Only the newest 1000 calls of this session are shown.'));
}

/** A node of the session tree: its own calls (each a bar at its start offset, as long as it took), then its children. */
function renderNode(node, byID, t0, span) {
  const items = h('div', { class: 'tree-children' });
  const own = node.flows.map((fid) => byID.get(fid)).filter(Boolean)
    .sort((a, b) => new Date(a.started_at) - new Date(b.started_at));
  for (const f of own) items.append(flowRow(f, t0, span));
  for (const child of node.children) items.append(renderNode(child, byID, t0, span));
  return h('details', { class: 'tree-node', open: true, 'data-path': node.path },
    h('summary', {}, h('span', { class: 'seg-name' }, node.path),
      h('span', { class: 'muted small node-totals' },
        ` ${node.calls} call${node.calls === 1 ? '' : 's'} · ${fmt.compact(node.input_tokens + node.output_tokens)} tokens · ${fmt.cost(node.cost_usd)} · ${fmt.ms(node.duration_ms)}`)),
    items);
}

function flowRow(f, t0, span) {
  const offset = new Date(f.started_at).getTime() - t0;
  const left = Math.min(100, (offset / span) * 100);
  const width = Math.max(0.5, Math.min(100 - left, ((f.duration_ms || 0) / span) * 100));
  return h('a', { class: 'tree-flow', href: '#/flows/' + f.id },
    h('span', { class: 'mono muted' }, '+' + fmt.ms(offset)),
    h('span', { class: 'pill ' + fmt.statusClass(f) }, f.status ?? 'error'),
    h('span', { class: 'model' }, f.model || f.host),
    h('span', { class: 'muted' }, `${fmt.compact(f.input_tokens || 0)} → ${fmt.compact(f.output_tokens || 0)}`),
    f.tool_call_count ? h('span', { class: 'badge tools' }, `${f.tool_call_count} tool${f.tool_call_count > 1 ? 's' : ''}`) : null,
    h('span', { class: 'wf-track', title: `${fmt.ms(offset)} after the session's first call, took ${fmt.ms(f.duration_ms)}` },
      // Through the CSSOM (an object): the page's CSP refuses style attributes.
      h('span', { class: 'wf-bar ' + fmt.statusClass(f), style: { left: `${left.toFixed(2)}%`, width: `${width.toFixed(2)}%` } })),
    h('span', { class: 'muted wf-ms' }, fmt.ms(f.duration_ms)));
}
