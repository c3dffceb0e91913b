// The flow list: newest first, live from /api/events, keyset pagination ("Load more"), filters and
// full-text search; the selected flow opens in the detail pane beside the list.
import { api, query } from './api.js';
import { h, clear } from './dom.js';
import * as fmt from './format.js';
import { renderDetail } from './detail.js';

const PROVIDERS = ['openai', 'azure-openai', 'anthropic', 'gemini', 'vertex', 'mistral', 'groq', 'together', 'openrouter',
  'deepseek', 'xai', 'fireworks', 'cohere', 'bedrock', 'ollama', 'openai-compatible', 'mcp'];
const RANGES = [['', 'Any time'], ['15m', 'Last 15 min'], ['1h', 'Last hour'], ['6h', 'Last 6 hours'], ['24h', 'Last 24 hours'], ['7d', 'Last 7 days']];
const RANGE_MS = { '15m': 9e5, '1h': 36e5, '6h': 216e5, '24h': 864e5, '7d': 6048e5 };
const FILTER_KEYS = ['q', 'host', 'provider', 'model', 'status', 'session', 'thread', 'user', 'property', 'range', 'tunnels'];
const PAGE = 100;

export class FlowsView {
  constructor(live) {
    this.filters = {};
    this.flows = new Map();
    this.next = null;
    this.selected = null;
    this.pendingNew = 0;
    this.root = h('section', { class: 'flows-view' });
    this.buildFilters();
    this.table = h('tbody', { id: 'flow-rows' });
    this.empty = h('div', { class: 'empty', hidden: true });
    this.more = h('button', { class: 'btn', id: 'load-more', onclick: () => this.loadMore() }, 'Load more');
    this.count = h('span', { class: 'muted' });
    this.banner = h('button', { class: 'new-banner', hidden: true, onclick: () => this.reload() });
    this.listPane = h('div', { class: 'list-pane' },
      this.banner,
      h('table', { class: 'flows' },
        h('thead', {}, h('tr', {}, ['Time', 'Request', 'Provider', 'Model', 'Status', 'Tokens', 'Cost', 'Latency', 'TTFT', ''].map((t, i) =>
          h('th', { class: ['', '', '', '', 'num', 'num', 'num', 'num', 'num', ''][i] }, t)))),
        this.table),
      this.empty,
      h('div', { class: 'list-foot' }, this.more, this.count));
    this.detailPane = h('aside', { class: 'detail-pane', hidden: true });
    this.root.append(this.filterBar, h('div', { class: 'split' }, this.listPane, this.detailPane));
    live.subscribe((flow) => this.onLive(flow));
  }

  buildFilters() {
    const input = (key, placeholder, attrs = {}) => h('input', { class: 'input', name: key, placeholder, autocomplete: 'off', spellcheck: 'false', ...attrs });
    this.inputs = {
      q: input('q', 'Search prompts and outputs (word* for a prefix)…', { type: 'search', id: 'search', class: 'input search', title: 'Every word must appear; end a word with * to match words starting with it' }),
      provider: h('select', { class: 'input', name: 'provider' }, h('option', { value: '' }, 'All providers'), PROVIDERS.map((p) => h('option', { value: p }, p))),
      model: input('model', 'Model', { list: 'model-list' }),
      host: input('host', 'Host'),
      status: input('status', 'Status', { size: 6, inputmode: 'numeric' }),
      session: input('session', 'Session id'),
      thread: input('thread', 'Thread id', { title: 'The calls of one conversation: its first call\'s id' }),
      user: input('user', 'User id'),
      property: input('property', 'property=value'),
      range: h('select', { class: 'input', name: 'range' }, RANGES.map(([v, t]) => h('option', { value: v }, t))),
      tunnels: h('input', { type: 'checkbox', name: 'tunnels', id: 'show-tunnels' }),
    };
    this.modelList = h('datalist', { id: 'model-list' });
    let timer;
    const changed = () => { clearTimeout(timer); timer = setTimeout(() => this.applyFromInputs(), 250); };
    for (const [key, el] of Object.entries(this.inputs)) {
      el.addEventListener(el.tagName === 'SELECT' || el.type === 'checkbox' ? 'change' : 'input', changed);
      if (key === 'q') el.addEventListener('keydown', (e) => { if (e.key === 'Enter') { clearTimeout(timer); this.applyFromInputs(); } });
    }
    this.filterBar = h('form', { class: 'filters', onsubmit: (e) => { e.preventDefault(); this.applyFromInputs(); } },
      this.inputs.q, this.inputs.provider, this.inputs.model, this.modelList, this.inputs.host, this.inputs.status,
      this.inputs.session, this.inputs.thread, this.inputs.user, this.inputs.property, this.inputs.range,
      h('label', { class: 'check' }, this.inputs.tunnels, 'Tunnels'),
      h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => this.clearFilters() }, 'Clear'));
  }

  /** Called by the router with the hash's parameters and the selected flow id (or null). */
  async show(params, selected) {
    const filters = {};
    for (const k of FILTER_KEYS) if (params.get(k)) filters[k] = params.get(k);
    const same = JSON.stringify(filters) === JSON.stringify(this.filters) && this.loaded;
    this.filters = filters;
    for (const k of FILTER_KEYS) {
      const el = this.inputs[k];
      if (el.type === 'checkbox') el.checked = filters[k] === 'show'; else if (document.activeElement !== el) el.value = filters[k] || '';
    }
    if (!same) await this.reload();
    this.select(selected);
  }

  applyFromInputs() {
    const f = {};
    for (const k of FILTER_KEYS) {
      const el = this.inputs[k];
      const v = el.type === 'checkbox' ? (el.checked ? 'show' : '') : el.value.trim();
      if (v) f[k] = v;
    }
    location.hash = '#/' + (this.selected ? 'flows/' + this.selected : '') + query(f);
  }

  clearFilters() {
    location.hash = '#/' + (this.selected ? 'flows/' + this.selected : '');
  }

  hashFor(id) { return '#/flows/' + id + query(this.filters); }

  apiParams(before) {
    const f = this.filters;
    const p = { limit: PAGE, before, q: f.q, host: f.host, provider: f.provider, model: f.model, status: f.status, session: f.session, thread: f.thread, user: f.user };
    if (f.property && f.property.includes('=')) {
      const i = f.property.indexOf('=');
      p['property.' + f.property.slice(0, i).trim()] = f.property.slice(i + 1).trim();
    }
    if (f.range && RANGE_MS[f.range]) p.since = new Date(Date.now() - RANGE_MS[f.range]).toISOString();
    if (f.tunnels !== 'show') p.tunnels = 'hide';
    return p;
  }

  async reload() {
    this.loaded = true;
    this.flows.clear();
    clear(this.table);
    this.next = null;
    this.pendingNew = 0;
    this.banner.hidden = true;
    this.listPane.classList.add('loading');
    try {
      const page = await api('/api/flows' + query(this.apiParams()));
      this.addPage(page);
    } catch (e) {
      this.showEmpty('Could not load flows: ' + e.message);
    } finally {
      this.listPane.classList.remove('loading');
    }
  }

  async loadMore() {
    if (!this.next) return;
    this.more.disabled = true;
    try { this.addPage(await api('/api/flows' + query(this.apiParams(this.next)))); } finally { this.more.disabled = false; }
  }

  addPage(page) {
    for (const flow of page.flows) {
      if (this.flows.has(flow.id)) continue;
      this.flows.set(flow.id, flow);
      this.table.append(this.row(flow));
      this.noteModel(flow.model);
    }
    this.next = page.next;
    this.more.hidden = !this.next;
    this.updateFoot();
  }

  updateFoot() {
    const n = this.flows.size;
    this.count.textContent = n ? `${fmt.num(n)} flow${n === 1 ? '' : 's'} shown${this.next ? '' : ' · end of list'}` : '';
    if (n === 0) {
      const filtered = Object.keys(this.filters).some((k) => k !== 'tunnels');
      this.showEmpty(filtered ? 'No flows match these filters.' : 'No flows yet. Point a program at the proxy (see Setup) and its calls appear here as they happen.');
    } else this.empty.hidden = true;
  }

  showEmpty(text) { this.empty.hidden = false; this.empty.textContent = text; }

  noteModel(model) {
    if (!model || [...this.modelList.children].some((o) => o.value === model)) return;
    this.modelList.append(h('option', { value: model }));
  }

  /** Whether a live flow belongs in the list as filtered (full-text search cannot be checked here). */
  matches(flow) {
    const f = this.filters;
    if (f.tunnels !== 'show' && flow.mode === 'tunnel') return false;
    if (f.host && flow.host !== f.host.toLowerCase()) return false;
    if (f.provider && flow.provider !== f.provider) return false;
    if (f.model && flow.model !== f.model) return false;
    if (f.status && String(flow.status) !== f.status) return false;
    if (f.session && flow.session_id !== f.session) return false;
    if (f.thread && flow.thread_id !== f.thread) return false;
    if (f.user && flow.user_id !== f.user) return false;
    if (f.property && f.property.includes('=')) {
      const i = f.property.indexOf('=');
      if ((flow.properties || {})[f.property.slice(0, i).trim()] !== f.property.slice(i + 1).trim()) return false;
    }
    return true;
  }

  onLive(flow) {
    if (!this.loaded) return;
    const existing = this.flows.get(flow.id);
    if (existing) {
      this.flows.set(flow.id, flow);
      const old = this.table.querySelector(`tr[data-id="${CSS.escape(flow.id)}"]`);
      if (old) old.replaceWith(this.row(flow));
      // An open WebSocket session grows while it is looked at: its detail follows, on the same tab.
      if (flow.id === this.selected && flow.websocket) {
        renderDetail(flow.id, this.detailPane, { onClose: () => { location.hash = '#/' + query(this.filters); }, tab: this.detailPane.querySelector('.tab-body')?.dataset.tab });
      }
      return;
    }
    if (!this.matches(flow)) return;
    if (this.filters.q) {
      this.pendingNew += 1;
      this.banner.hidden = false;
      this.banner.textContent = `${this.pendingNew} new flow${this.pendingNew === 1 ? '' : 's'} — refresh the search`;
      return;
    }
    this.flows.set(flow.id, flow);
    this.noteModel(flow.model);
    const tr = this.row(flow);
    tr.classList.add('fresh');
    this.table.prepend(tr);
    this.updateFoot();
  }

  row(f) {
    const tokens = f.input_tokens != null || f.output_tokens != null
      ? h('span', { title: `input ${fmt.num(f.input_tokens)} · output ${fmt.num(f.output_tokens)}${f.cached_input_tokens ? ' · cached ' + fmt.num(f.cached_input_tokens) : ''}${f.reasoning_tokens ? ' · reasoning ' + fmt.num(f.reasoning_tokens) : ''}` },
        fmt.compact(f.input_tokens ?? 0), h('span', { class: 'arrow' }, ' → '), fmt.compact(f.output_tokens ?? 0))
      : '';
    const status = f.error
      ? h('span', { class: 'pill bad', title: f.error }, f.status ?? 'error')
      : h('span', { class: 'pill ' + fmt.statusClass(f) }, f.status ?? (f.mode === 'tunnel' ? 'tunnel' : '—'));
    const badges = h('span', { class: 'badges' },
      f.stream ? h('span', { class: 'badge stream', title: 'Streamed (SSE)' }, 'stream') : null,
      f.tool_call_count ? h('span', { class: 'badge tools', title: 'Tool calls in the response' }, `${f.tool_call_count} tool${f.tool_call_count > 1 ? 's' : ''}`) : null,
      f.truncated ? h('span', { class: 'badge warn', title: 'The stream ended without its final event' }, 'cut') : null,
      f.websocket ? h('span', { class: 'badge ws' + (f.websocket.open ? ' open' : ''), title: `WebSocket session: ${fmt.num(f.websocket.messages)} messages${f.websocket.open ? ', still open' : ''}` }, f.websocket.open ? 'ws open' : 'ws') : null,
      f.mode === 'gateway' ? h('span', { class: 'badge', title: 'Gateway (base-URL) request' }, 'gw') : null,
      f.properties && f.properties['Replay-Of'] ? h('span', { class: 'badge', title: 'Replay of ' + f.properties['Replay-Of'] }, 'replay') : null);
    const tr = h('tr', {
      class: 'flow-row' + (f.id === this.selected ? ' selected' : '') + (f.error ? ' has-error' : ''),
      dataset: { id: f.id },
      onclick: (e) => { if (!e.target.closest('a')) location.hash = this.hashFor(f.id); },
    },
    h('td', { class: 'time', title: fmt.dateTime(f.started_at) }, fmt.time(f.started_at)),
    h('td', { class: 'req' },
      h('span', { class: 'method' }, f.method), ' ',
      h('span', { class: 'host' }, f.host),
      f.mode === 'tunnel' ? null : h('span', { class: 'path' }, fmt.pathOf(f.url))),
    h('td', {}, f.provider ? h('span', { class: 'prov prov-' + f.provider.replace(/[^a-z0-9-]/g, '') }, f.provider) : ''),
    // An MCP call has no model: its method (`tools/call`, `initialize`…) says what it was.
    f.provider === 'mcp'
      ? h('td', { class: 'model mcp-method', title: f.endpoint || '' }, f.endpoint || '')
      : h('td', { class: 'model', title: f.model || '' }, f.model || ''),
    h('td', { class: 'num' }, status),
    h('td', { class: 'num' }, tokens),
    h('td', { class: 'num' }, fmt.cost(f.cost_usd)),
    h('td', { class: 'num' }, fmt.ms(f.duration_ms)),
    h('td', { class: 'num' }, fmt.ms(f.ttft_ms)),
    h('td', {}, badges));
    return tr;
  }

  select(id) {
    this.selected = id;
    for (const tr of this.table.querySelectorAll('tr.selected')) tr.classList.remove('selected');
    if (!id) {
      this.detailPane.hidden = true;
      this.root.classList.remove('with-detail');
      clear(this.detailPane);
      return;
    }
    this.table.querySelector(`tr[data-id="${CSS.escape(id)}"]`)?.classList.add('selected');
    this.detailPane.hidden = false;
    this.root.classList.add('with-detail');
    if (this.detailPane.dataset.id !== id) {
      this.detailPane.dataset.id = id;
      renderDetail(id, this.detailPane, { onClose: () => { location.hash = '#/' + query(this.filters); } });
    }
  }
}
