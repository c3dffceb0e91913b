// Sightline's UI: a hash router over the views, the live feed, and the login form.
import { api, APIError } from './api.js';
import { h, clear } from './dom.js';
import { FlowsView } from './flows.js';
import { sessionsView } from './sessions.js';
import { dashboardView } from './dashboard.js';
import { setupView } from './setup.js';
import { compareView } from './replay.js';

const main = document.getElementById('main');
const liveBadge = document.getElementById('live');

/** One EventSource for the page; views subscribe to new and updated flows. */
class LiveFeed {
  constructor() { this.listeners = new Set(); this.source = null; }
  subscribe(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); }
  start() {
    if (this.source) return;
    this.source = new EventSource('/api/events');
    this.source.addEventListener('open', () => { liveBadge.textContent = 'live'; liveBadge.className = 'live on'; });
    this.source.addEventListener('error', () => { liveBadge.textContent = 'reconnecting…'; liveBadge.className = 'live off'; });
    this.source.addEventListener('flow', (e) => {
      let flow;
      try { flow = JSON.parse(e.data); } catch { return; }
      for (const fn of this.listeners) fn(flow);
    });
  }
  stop() { this.source?.close(); this.source = null; }
}

const live = new LiveFeed();
let flowsView = null;

/** Says in the top bar when the store refuses writes (a PostgreSQL server away): flows wait, and are not lost yet. */
class StoreHealth {
  constructor(badge) { this.badge = badge; this.timer = null; }
  start() {
    if (this.timer) return;
    const check = async () => {
      try { this.show((await api('/api/stats?count=false')).recorder); } catch { /* the API itself is away: the live badge says so */ }
    };
    check();
    this.timer = setInterval(check, 5000);
  }
  show(recorder) {
    const failing = recorder && recorder.store_error;
    this.badge.hidden = !failing;
    if (!failing) return;
    const waiting = (recorder.queued || 0) + (recorder.spooled || 0);
    this.badge.textContent = `store unreachable — ${waiting} flow${waiting === 1 ? '' : 's'} waiting`;
    this.badge.title = `${recorder.store_error}\nsince ${recorder.store_failing_since}; flows are written when the store is back` +
      (recorder.dropped ? `\n${recorder.dropped} did not fit and were dropped` : '');
  }
}
const storeHealth = new StoreHealth(document.getElementById('store-health'));

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, q = ''] = raw.split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(q) };
}

async function route() {
  const { parts, params } = parseHash();
  const view = parts[0] || 'flows';
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.nav === (view === 'compare' ? 'flows' : view));
  document.body.dataset.view = view;
  try {
    switch (view) {
      case 'flows':
        if (!flowsView) flowsView = new FlowsView(live);
        if (main.firstChild !== flowsView.root) clear(main).append(flowsView.root);
        await flowsView.show(params, parts[1] || null);
        break;
      case 'sessions': await sessionsView(main, parts[1] || null); break;
      case 'dashboard': await dashboardView(main, params); break;
      case 'setup': await setupView(main); break;
      case 'compare': await compareView(main, parts[1], parts[2]); break;
      default: location.hash = '#/';
    }
  } catch (e) {
    if (!(e instanceof APIError && e.status === 401)) {
      clear(main).append(h('div', { class: 'detail-error' }, 'Something went wrong: ' + e.message));
    }
  }
}

function showLogin(message) {
  live.stop();
  liveBadge.textContent = 'locked';
  liveBadge.className = 'live off';
  if (document.getElementById('login')) return;
  const password = h('input', { class: 'input', type: 'password', id: 'login-password', autocomplete: 'current-password', placeholder: 'Password or token', required: true });
  const error = h('div', { class: 'flow-error', hidden: !message }, message || '');
  const form = h('form', { class: 'login card', id: 'login', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api('/api/login', { method: 'POST', body: { password: password.value } });
      form.remove();
      flowsView = null;
      await start();
    } catch (err) {
      error.hidden = false;
      error.textContent = err.status === 401 ? 'Wrong password.' : err.message;
      password.select();
    }
  } },
  h('div', { class: 'brand big' }, h('span', { class: 'brand-mark' }), 'Sightline'),
  h('p', { class: 'muted' }, 'This Sightline listens beyond loopback, so its UI needs the password given with --ui-password (or SIGHTLINE_UI_PASSWORD), or the token printed at start.'),
  password, error,
  h('button', { class: 'btn btn-primary', type: 'submit', id: 'login-submit' }, 'Log in'));
  clear(main).append(h('div', { class: 'login-wrap' }, form));
  password.focus();
}

async function start() {
  let info;
  try {
    info = await api('/api/info');
  } catch (e) {
    if (e instanceof APIError && e.status === 401) return showLogin();
    clear(main).append(h('div', { class: 'detail-error' }, 'Could not reach the Sightline API: ' + e.message));
    return;
  }
  const logout = document.getElementById('logout');
  logout.hidden = !info.password_required;
  logout.onclick = async () => { await api('/api/logout', { method: 'POST' }).catch(() => {}); location.reload(); };
  live.start();
  storeHealth.start();
  await route();
}

window.addEventListener('sightline:auth-required', () => showLogin());
window.addEventListener('hashchange', () => { if (!document.getElementById('login')) route(); });
start();
