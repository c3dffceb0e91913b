// Markdown from model output, rendered and sanitized. Two layers: marked is told to print any raw
// HTML in the text as text (so "<script>" in a reply shows as written), and the HTML marked produces
// still goes through DOMPurify (links, images and formatting only). The page's CSP forbids inline
// scripts besides. Without the vendored libraries, text is shown as plain text.
import { h } from './dom.js';

const escapeHTML = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

let configured = false;
function configure() {
  if (configured) return true;
  if (!window.marked || !window.DOMPurify) return false;
  window.marked.use({ gfm: true, breaks: false, headerIds: false, mangle: false, renderer: { html: (html) => escapeHTML(html) } });
  window.DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A') { node.setAttribute('target', '_blank'); node.setAttribute('rel', 'noopener noreferrer nofollow'); }
    if (node.tagName === 'IMG') { node.setAttribute('loading', 'lazy'); node.setAttribute('referrerpolicy', 'no-referrer'); }
  });
  configured = true;
  return true;
}

const PURIFY = {
  RETURN_DOM_FRAGMENT: true,
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'option', 'iframe', 'frame', 'object', 'embed', 'svg', 'math', 'video', 'audio', 'source', 'link', 'meta', 'base'],
  FORBID_ATTR: ['style', 'id', 'name', 'class', 'srcset', 'formaction', 'action'],
};

/** A div holding `text` rendered as sanitized Markdown. */
export function markdown(text) {
  const box = h('div', { class: 'md' });
  if (!configure()) { box.classList.add('plain'); box.textContent = text; return box; }
  try {
    const html = window.marked.parse(String(text));
    box.append(window.DOMPurify.sanitize(html, PURIFY));
  } catch {
    box.classList.add('plain');
    box.textContent = text;
  }
  return box;
}

export function plain(text) {
  return h('div', { class: 'md plain' }, String(text));
}
