// Building the page from untrusted data: every string becomes a text node, never markup.
// The only HTML that reaches the page is Markdown sanitized by DOMPurify (markdown.js).

/** h('div', {class: 'x', onclick: fn}, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value == null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'dataset') Object.assign(el.dataset, value);
      else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
      else if (key === 'href' || key === 'src') el.setAttribute(key, safeURL(value, key === 'src'));
      else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
      else if (value === true) el.setAttribute(key, '');
      else el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Only http(s), same-page and (for images) data:image URLs; anything else becomes '#'. */
export function safeURL(url, image = false) {
  const s = String(url).trim();
  if (s.startsWith('#') || s.startsWith('/')) return s;
  try {
    const u = new URL(s, location.href);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.href;
    if (image && u.protocol === 'data:' && /^data:image\/(png|jpe?g|gif|webp|avif|bmp);/i.test(s)) return s;
  } catch { /* not a URL */ }
  return '#';
}

export function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }

export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v != null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c != null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

export async function copyText(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = h('textarea', { class: 'copy-fallback' }, text);
    document.body.append(area);
    area.select();
    try { document.execCommand('copy'); } catch { /* ignore */ }
    area.remove();
  }
  if (button) {
    const old = button.textContent;
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = old; }, 1200);
  }
}
