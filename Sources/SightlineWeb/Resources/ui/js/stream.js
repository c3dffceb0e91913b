// The Stream tab: each server-sent event (or AWS event stream frame, as Bedrock streams) with its time offset,
// and a timeline of their arrival.
import { h, svg } from './dom.js';
import * as fmt from './format.js';
import { tryParse, jsonTree } from './json.js';

export function streamTab(flow) {
  const events = flow.events || [];
  const root = h('div', { class: 'stream' });
  const t0 = flow.timings?.request_sent_ms ?? 0;
  const first = events[0]?.t_ms ?? 0;
  const last = events[events.length - 1]?.t_ms ?? 0;
  root.append(h('div', { class: 'usage' },
    h('span', { class: 'stat' }, h('b', {}, fmt.num(events.length)), ' events'),
    h('span', { class: 'stat' }, h('b', {}, fmt.ms(first)), ' first event'),
    flow.ttft_ms != null ? h('span', { class: 'stat' }, h('b', {}, fmt.ms(flow.ttft_ms)), ' first token') : null,
    h('span', { class: 'stat' }, h('b', {}, fmt.ms(last - first)), ' streaming'),
    flow.tokens_per_second != null ? h('span', { class: 'stat' }, h('b', {}, flow.tokens_per_second.toFixed(1)), ' tokens/s') : null,
    flow.truncated ? h('span', { class: 'pill warn' }, 'ended without the final event') : null));
  root.append(timeline(events, flow, t0));
  const rows = events.map((e, i) => {
    const parsed = tryParse(e.data);
    const gap = i === 0 ? e.t_ms - t0 : e.t_ms - events[i - 1].t_ms;
    const data = h('td', { class: 'ev-data' });
    const summary = h('div', { class: 'ev-line mono', title: 'Click to expand' }, e.data.length > 240 ? e.data.slice(0, 240) + '…' : e.data);
    data.append(summary);
    summary.addEventListener('click', () => {
      if (data.children.length > 1) { data.lastChild.remove(); return; }
      data.append(parsed.ok ? jsonTree(parsed.value, 4) : h('pre', { class: 'code' }, e.data));
    });
    return h('tr', { dataset: { index: i } },
      h('td', { class: 'num mono' }, i + 1),
      h('td', { class: 'num mono' }, e.t_ms.toFixed(1)),
      h('td', { class: 'num mono muted' }, '+' + gap.toFixed(1)),
      h('td', { class: 'mono' }, e.event || 'message'),
      data);
  });
  root.append(h('table', { class: 'events' },
    h('thead', {}, h('tr', {}, h('th', { class: 'num' }, '#'), h('th', { class: 'num' }, 't (ms)'), h('th', { class: 'num' }, 'Δ'), h('th', {}, 'event'), h('th', {}, 'data'))),
    h('tbody', {}, rows)));
  return root;
}

function timeline(events, flow, t0) {
  const W = 800, H = 64, pad = 8;
  const end = Math.max(flow.timings?.last_byte_ms ?? 0, events[events.length - 1]?.t_ms ?? 0, 1);
  const x = (t) => pad + (t / end) * (W - 2 * pad);
  const g = svg('svg', { class: 'timeline', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'Arrival of events over time' });
  g.append(svg('rect', { x: pad, y: 28, width: W - 2 * pad, height: 6, rx: 3, class: 'tl-track' }));
  if (t0) g.append(svg('rect', { x: pad, y: 28, width: Math.max(1, x(t0) - pad), height: 6, rx: 3, class: 'tl-sent' }));
  for (const e of events) g.append(svg('rect', { x: x(e.t_ms) - 0.75, y: 18, width: 1.5, height: 26, class: 'tl-event' }, svg('title', {}, `${e.t_ms.toFixed(1)} ms ${e.event || ''}`)));
  if (flow.ttft_ms != null) {
    g.append(svg('line', { x1: x(flow.ttft_ms), x2: x(flow.ttft_ms), y1: 8, y2: 54, class: 'tl-ttft' }));
    g.append(svg('text', { x: Math.min(x(flow.ttft_ms) + 4, W - 90), y: 14, class: 'tl-label' }, 'first token ' + fmt.ms(flow.ttft_ms)));
  }
  g.append(svg('text', { x: pad, y: 60, class: 'tl-label' }, '0'));
  g.append(svg('text', { x: W - pad, y: 60, class: 'tl-label', 'text-anchor': 'end' }, fmt.ms(end)));
  return h('div', { class: 'timeline-wrap' }, g);
}
