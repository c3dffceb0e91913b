// Pretty JSON with folding, built from DOM nodes (values are text, never markup).
import { h } from './dom.js';

export function tryParse(text) {
  if (typeof text !== 'string') return { ok: false };
  const t = text.trim();
  if (!t || (t[0] !== '{' && t[0] !== '[')) return { ok: false };
  try { return { ok: true, value: JSON.parse(t) }; } catch { return { ok: false }; }
}

export function pretty(value) {
  try { return JSON.stringify(value, null, 2); } catch { return String(value); }
}

/** A foldable tree; objects/arrays deeper than `openDepth` start folded. */
export function jsonTree(value, openDepth = 3) {
  return h('div', { class: 'json' }, node(value, 0, openDepth, null, true));
}

function scalar(v) {
  if (v === null) return h('span', { class: 'j-null' }, 'null');
  switch (typeof v) {
    case 'string': return h('span', { class: 'j-str' }, JSON.stringify(v));
    case 'number': return h('span', { class: 'j-num' }, String(v));
    case 'boolean': return h('span', { class: 'j-bool' }, String(v));
    default: return h('span', {}, String(v));
  }
}

function node(v, depth, openDepth, key, last) {
  const keyEl = key == null ? null : [h('span', { class: 'j-key' }, JSON.stringify(key)), ': '];
  const comma = last ? '' : ',';
  if (v === null || typeof v !== 'object') return h('div', { class: 'j-line' }, keyEl, scalar(v), comma);
  const isArray = Array.isArray(v);
  const entries = isArray ? v.map((x, i) => [i, x]) : Object.entries(v);
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return h('div', { class: 'j-line' }, keyEl, open + close, comma);
  const details = h('details', { class: 'j-fold', open: depth < openDepth });
  details.append(h('summary', {}, keyEl, open, h('span', { class: 'j-count' }, ` ${entries.length} ${isArray ? 'items' : 'keys'} `), h('span', { class: 'j-close-inline' }, close + comma)));
  const body = h('div', { class: 'j-body' });
  entries.forEach(([k, x], i) => body.append(node(x, depth + 1, openDepth, isArray ? null : k, i === entries.length - 1)));
  details.append(body, h('div', { class: 'j-line' }, close + comma));
  return details;
}
