// The Conversation tab: what was asked and answered, as chat bubbles.
import { api } from './api.js';
import { h } from './dom.js';
import * as fmt from './format.js';
import { markdown, plain } from './markdown.js';
import { tryParse, jsonTree, pretty } from './json.js';

export function conversationTab(flow) {
  const c = flow.conversation;
  const root = h('div', { class: 'conversation' });
  // An MCP call has no tokens or cost to show.
  if (flow.provider !== 'mcp') {
    root.append(usageLine(flow));
    root.append(contextBreakdown(flow));
  }
  if (c.error) root.append(h('div', { class: 'flow-error' }, c.error));
  if (c.system) {
    root.append(h('details', { class: 'system-prompt', open: c.system.length < 400 },
      h('summary', {}, 'System prompt ', h('span', { class: 'muted' }, `${fmt.num(c.system.length)} chars`)),
      plain(c.system)));
  }
  if (c.tools && c.tools.length) {
    root.append(h('details', { class: 'tools-def' },
      h('summary', {}, `Tools (${c.tools.length}) `, h('span', { class: 'muted' }, c.tools.map((t) => t.name).join(', '))),
      c.tools.map((t) => h('div', { class: 'tool-def' },
        h('div', { class: 'tool-name' }, t.name),
        t.description ? h('div', { class: 'muted' }, t.description) : null,
        t.schema ? jsonTree(t.schema, 1) : null))));
  }
  const params = Object.entries(c.parameters || {});
  if (params.length) {
    root.append(h('div', { class: 'params' }, params.map(([k, v]) => h('span', { class: 'param' }, h('span', { class: 'muted' }, k + ' '), typeof v === 'object' ? JSON.stringify(v) : String(v)))));
  }
  const thread = h('div', { class: 'thread' });
  const links = new Links(flow.id);
  const inputs = (c.messages || []).map((m) => bubble(m, links, false));
  thread.append(...inputs);
  if (flow.parent_id) markNewSinceParent(flow, thread, inputs);
  if ((c.output || []).length) {
    thread.append(h('div', { class: 'divider' }, h('span', {}, 'Response' + (c.finish_reason ? ' · ' + c.finish_reason : ''))));
    for (const m of c.output) thread.append(bubble(m, links, true));
  } else if (!c.error && flow.status != null) {
    thread.append(h('div', { class: 'divider' }, h('span', {}, 'No output decoded')));
  }
  root.append(thread);
  links.finish();
  return root;
}

/** Marks the messages this call added to its parent's conversation (a tool loop's tool call and result, the
 *  user's next message), when it only added: anything removed or changed is for the diff to show. */
function markNewSinceParent(flow, thread, inputs) {
  api(`/api/flows/${encodeURIComponent(flow.id)}/diff`).then((d) => {
    const added = (d.added_messages || []).length;
    if (!added || (d.removed_messages || []).length || (d.changed_messages || []).length || added > inputs.length) return;
    const first = inputs[inputs.length - added];
    for (const el of inputs.slice(inputs.length - added)) el.classList.add('new-turn');
    thread.insertBefore(h('div', { class: 'divider new-since', id: 'new-since-parent' },
      h('a', { href: `#/compare/${flow.parent_id}/${flow.id}` }, `New since the previous turn (${added})`)), first);
  }).catch(() => {});
}

function usageLine(flow) {
  const u = flow.conversation.usage || {};
  const items = [
    ['input', u.input_tokens ?? flow.input_tokens], ['output', u.output_tokens ?? flow.output_tokens],
    ['cached', u.cached_input_tokens ?? flow.cached_input_tokens], ['cache write', u.cache_write_tokens],
    ['reasoning', u.reasoning_tokens ?? flow.reasoning_tokens],
  ].filter(([, v]) => v != null);
  return h('div', { class: 'usage' },
    items.map(([k, v]) => h('span', { class: 'stat' }, h('b', {}, fmt.num(v)), ' ' + k)),
    h('span', { class: 'stat' }, h('b', {}, flow.cost_usd != null ? fmt.cost(flow.cost_usd) : '—'), flow.cost_usd != null ? ' cost' : ' cost unknown'),
    flow.ttft_ms != null ? h('span', { class: 'stat' }, h('b', {}, fmt.ms(flow.ttft_ms)), ' to first token') : null,
    flow.tokens_per_second != null ? h('span', { class: 'stat' }, h('b', {}, flow.tokens_per_second.toFixed(1)), ' tokens/s') : null);
}

const size = (v) => (v == null ? 0 : typeof v === 'string' ? v.length : JSON.stringify(v).length);
const partSize = (p) => size(p.text) + size(p.arguments) + size(p.name) + (p.type === 'image' ? 1000 : 0);
const messageSize = (m) => (m.parts || []).reduce((n, p) => n + partSize(p), 0);

/** How the input divides between system prompt, tool definitions, earlier turns and the new message,
 *  from text sizes (no tokenizer here), scaled to the reported input tokens when known. */
function contextBreakdown(flow) {
  const c = flow.conversation;
  const messages = c.messages || [];
  let lastAssistant = -1;
  messages.forEach((m, i) => { if (m.role === 'assistant') lastAssistant = i; });
  const newStart = lastAssistant + 1 < messages.length ? lastAssistant + 1 : Math.max(0, messages.length - 1);
  const parts = [
    ['System prompt', size(c.system) + messages.filter((m) => m.role === 'system' || m.role === 'developer').reduce((n, m) => n + messageSize(m), 0), 'sys'],
    ['Tool definitions', (c.tools || []).reduce((n, t) => n + size(t.name) + size(t.description) + size(t.schema), 0), 'tools'],
    ['Earlier turns', messages.slice(0, newStart).filter((m) => m.role !== 'system' && m.role !== 'developer').reduce((n, m) => n + messageSize(m), 0), 'earlier'],
    ['New message', messages.slice(newStart).filter((m) => m.role !== 'system' && m.role !== 'developer').reduce((n, m) => n + messageSize(m), 0), 'new'],
  ];
  const total = parts.reduce((n, p) => n + p[1], 0);
  if (!total) return h('div');
  const tokens = c.usage?.input_tokens ?? flow.input_tokens;
  const bar = h('div', { class: 'ctx-bar' });
  const legend = h('div', { class: 'ctx-legend' });
  for (const [label, n, cls] of parts) {
    if (!n) continue;
    const share = n / total;
    bar.append(h('span', { class: 'ctx-' + cls, style: { width: (share * 100).toFixed(2) + '%' }, title: `${label}: ${(share * 100).toFixed(0)}%` }));
    legend.append(h('span', { class: 'ctx-item' }, h('i', { class: 'ctx-' + cls }), `${label} ${(share * 100).toFixed(0)}%`,
      tokens ? h('span', { class: 'muted' }, ` ≈${fmt.compact(Math.round(share * tokens))} tok`) : h('span', { class: 'muted' }, ` ${fmt.compact(n)} chars`)));
  }
  return h('div', { class: 'ctx' },
    h('div', { class: 'ctx-title' }, 'Context', h('span', { class: 'muted' }, ' — estimated from text sizes, not a tokenizer')),
    bar, legend);
}

/** Links tool calls to their results (by id; Gemini's by name) in both directions. */
class Links {
  constructor(flowId) { this.prefix = 'f' + flowId.slice(0, 8); this.calls = new Map(); this.results = new Map(); this.n = 0; }
  key(p) { return p.id ? 'id:' + p.id : 'name:' + (p.name || ''); }
  anchor(kind) { this.n += 1; return `${this.prefix}-${kind}-${this.n}`; }
  call(p, el) { const k = this.key(p); if (!this.calls.has(k)) this.calls.set(k, el); }
  result(p, el) { const k = this.key(p); if (!this.results.has(k)) this.results.set(k, el); }
  finish() {
    for (const [k, call] of this.calls) {
      const result = this.results.get(k);
      const slot = call.querySelector('.tc-link');
      if (result) {
        slot.append(jump('↓ result', result));
        result.querySelector('.tc-link').append(jump('↑ call', call));
      } else {
        slot.append(h('span', { class: 'muted' }, 'result not in this request'));
      }
    }
    for (const [k, result] of this.results) {
      if (!this.calls.has(k)) result.querySelector('.tc-link').append(h('span', { class: 'muted' }, 'call from an earlier turn'));
    }
  }
}

function jump(label, target) {
  return h('a', { href: '#', class: 'link', onclick: (e) => { e.preventDefault(); target.scrollIntoView({ behavior: 'smooth', block: 'center' }); target.classList.add('flash'); setTimeout(() => target.classList.remove('flash'), 1200); } }, label);
}

function bubble(m, links, isOutput) {
  const role = m.role || 'unknown';
  const el = h('div', { class: `msg role-${role.replace(/[^a-z]/g, '')}${isOutput ? ' output' : ''}` });
  el.append(h('div', { class: 'msg-role' }, role));
  const body = h('div', { class: 'msg-body' });
  for (const p of m.parts || []) body.append(part(p, role, links));
  el.append(body);
  return el;
}

function part(p, role, links) {
  switch (p.type) {
    case 'text':
      // Model output is Markdown (sanitized); what people and programs sent is shown as written.
      return role === 'assistant' ? markdown(p.text ?? '') : plain(p.text ?? '');
    case 'refusal':
      return h('div', { class: 'refusal' }, h('b', {}, 'Refusal: '), p.text ?? '');
    case 'reasoning':
      return h('details', { class: 'reasoning' }, h('summary', {}, p.text ? `Reasoning (${fmt.num(p.text.length)} chars)` : 'Reasoning (encrypted by the provider)'), p.text ? plain(p.text) : null);
    case 'image': {
      const src = p.url || '';
      if (/^(https?:|data:image\/)/i.test(src)) {
        return h('figure', { class: 'image' }, h('img', { src, alt: 'image from the conversation', loading: 'lazy', referrerpolicy: 'no-referrer' }),
          h('figcaption', { class: 'muted' }, p.media_type || (src.startsWith('data:') ? 'inline image' : src)));
      }
      return h('div', { class: 'attachment' }, `[image${p.media_type ? ' ' + p.media_type : ''}]`);
    }
    case 'audio':
      // Realtime sessions carry the transcript of what was said.
      return h('div', { class: 'attachment' }, `[audio${p.media_type ? ' ' + p.media_type : ''}${p.duration_ms != null ? ' ' + fmt.ms(p.duration_ms) : ''}]`,
        p.text ? h('span', { class: 'transcript' }, ' ' + p.text) : null);
    case 'file':
      return h('div', { class: 'attachment' }, `[file ${p.name || ''}${p.media_type ? ' ' + p.media_type : ''}]`);
    case 'tool_call': {
      const parsed = tryParse(p.arguments);
      const el = h('div', { class: 'tool-call' },
        h('div', { class: 'tc-head' }, h('span', { class: 'tc-icon' }, 'ƒ'), h('span', { class: 'tool-name' }, p.name || 'tool'),
          p.id ? h('span', { class: 'muted mono' }, ' ' + p.id) : null, h('span', { class: 'tc-link' })),
        parsed.ok ? jsonTree(parsed.value, 4) : h('pre', { class: 'code' }, p.arguments ?? ''));
      links.call(p, el);
      return el;
    }
    case 'tool_result': {
      const parsed = tryParse(p.text);
      const el = h('div', { class: 'tool-result' + (p.is_error ? ' is-error' : '') },
        h('div', { class: 'tc-head' }, h('span', { class: 'tc-icon' }, '↩'), 'Result', p.name ? [' of ', h('span', { class: 'tool-name' }, p.name)] : null,
          p.id ? h('span', { class: 'muted mono' }, ' ' + p.id) : null, p.is_error ? h('span', { class: 'pill bad' }, 'error') : null, h('span', { class: 'tc-link' })),
        parsed.ok ? jsonTree(parsed.value, 2) : plain(p.text ?? ''));
      links.result(p, el);
      return el;
    }
    default:
      return h('pre', { class: 'code' }, pretty(p));
  }
}
