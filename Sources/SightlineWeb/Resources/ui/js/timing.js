// The Timing tab: a waterfall from the flow's start (ms since the request arrived at Sightline).
import { h } from './dom.js';
import * as fmt from './format.js';

export function timingTab(flow) {
  const t = flow.timings || {};
  const phases = [];
  let cursor = 0;
  const add = (label, end, cls, note) => {
    if (end == null) return;
    phases.push({ label, start: cursor, end: Math.max(end, cursor), cls, note });
    cursor = Math.max(end, cursor);
  };
  add('Connect', t.upstream_connected_ms, 'connect', 'TCP connection to the upstream');
  add('TLS', t.tls_done_ms, 'tls', 'TLS handshake with the upstream');
  add('Request sent', t.request_sent_ms, 'send', 'Request head and body written upstream');
  add('Waiting (TTFB)', t.first_byte_ms, 'wait', 'Until the first response byte');
  const ttft = flow.ttft_ms;
  if (ttft != null && t.first_byte_ms != null && ttft > t.first_byte_ms) {
    phases.push({ label: 'First token', start: t.first_byte_ms, end: ttft, cls: 'token', note: 'From the first byte to the first generated token' });
  }
  if (t.last_byte_ms != null) {
    phases.push({ label: 'Receiving', start: t.first_byte_ms ?? cursor, end: t.last_byte_ms, cls: 'recv', note: 'First to last response byte' });
  }
  const end = Math.max(t.last_byte_ms ?? 0, flow.duration_ms ?? 0, ...phases.map((p) => p.end), 1);
  const root = h('div', { class: 'timing' });
  root.append(h('div', { class: 'usage' },
    h('span', { class: 'stat' }, h('b', {}, fmt.ms(flow.duration_ms)), ' total'),
    flow.ttfb_ms != null ? h('span', { class: 'stat' }, h('b', {}, fmt.ms(flow.ttfb_ms)), ' to first byte') : null,
    ttft != null ? h('span', { class: 'stat' }, h('b', {}, fmt.ms(ttft)), ' to first token') : null,
    flow.tokens_per_second != null ? h('span', { class: 'stat' }, h('b', {}, flow.tokens_per_second.toFixed(1)), ' tokens/s') : null,
    h('span', { class: 'stat' }, h('b', {}, fmt.bytes(flow.request_bytes)), ' sent'),
    h('span', { class: 'stat' }, h('b', {}, fmt.bytes(flow.response_bytes)), ' received')));
  if (!phases.length) {
    root.append(h('div', { class: 'empty' }, 'No timings were recorded for this flow.'));
    return root;
  }
  const rows = phases.map((p) => h('div', { class: 'wf-row', title: p.note },
    h('div', { class: 'wf-label' }, p.label),
    h('div', { class: 'wf-track' }, h('div', { class: 'wf-bar wf-' + p.cls, style: { left: (p.start / end * 100) + '%', width: Math.max(0.4, (p.end - p.start) / end * 100) + '%' } })),
    h('div', { class: 'wf-value mono' }, fmt.ms(p.end - p.start)),
    h('div', { class: 'wf-at mono muted' }, '@ ' + fmt.ms(p.end))));
  root.append(h('div', { class: 'waterfall' }, rows));
  root.append(h('p', { class: 'muted small' }, `Started ${fmt.dateTime(t.start || flow.started_at)}. Offsets are from the moment Sightline received the request.`));
  return root;
}
