// Dashboard: calls, tokens, cost, error rate and latency percentiles, by model and over time.
import { api, query } from './api.js';
import { h, clear } from './dom.js';
import * as fmt from './format.js';
import { barChart, lineChart } from './charts.js';

const RANGES = [['1h', 'Last hour', 36e5], ['24h', 'Last 24 hours', 864e5], ['7d', 'Last 7 days', 6048e5], ['30d', 'Last 30 days', 2592e6]];

export async function dashboardView(container, params) {
  const range = RANGES.find((r) => r[0] === params.get('range')) || RANGES[1];
  clear(container);
  const select = h('select', { class: 'input', onchange: (e) => { location.hash = '#/dashboard?range=' + e.target.value; } },
    RANGES.map(([v, t]) => h('option', { value: v, selected: v === range[0] }, t)));
  const body = h('div', { class: 'dash-body' }, h('div', { class: 'muted' }, 'Loading…'));
  container.append(h('section', { class: 'dashboard-view' }, h('div', { class: 'page-head' }, h('h2', {}, 'Dashboard'), select), body));
  let d;
  try {
    d = await api('/api/dashboard' + query({ since: new Date(Date.now() - range[2]).toISOString() }));
  } catch (e) { clear(body).append(h('div', { class: 'detail-error' }, e.message)); return; }
  clear(body);
  const t = d.totals;
  const kpi = (label, value, sub) => h('div', { class: 'kpi' }, h('div', { class: 'kpi-label' }, label), h('div', { class: 'kpi-value' }, value), sub ? h('div', { class: 'kpi-sub muted' }, sub) : null);
  body.append(h('div', { class: 'kpis' },
    kpi('Calls', fmt.num(t.calls), `${fmt.num(t.errors)} errors`),
    kpi('Tokens', fmt.compact(t.input_tokens + t.output_tokens), `${fmt.compact(t.input_tokens)} in · ${fmt.compact(t.output_tokens)} out`),
    kpi('Cost', fmt.cost(t.cost_usd) || '$0', t.unpriced_calls ? `${t.unpriced_calls} calls without a price` : 'estimated from the price table'),
    kpi('Error rate', (t.error_rate * 100).toFixed(1) + '%', 'status ≥ 400 or no response'),
    kpi('Latency p50', fmt.ms(t.p50_ms) || '—', 'p95 ' + (fmt.ms(t.p95_ms) || '—')),
    kpi('TTFT p50', fmt.ms(t.p50_ttft_ms) || '—', 'streamed calls')));
  const g = d.gateway;
  const clearCache = h('button', { class: 'btn small', id: 'clear-cache', onclick: async () => {
    clearCache.disabled = true;
    try { await api('/api/cache', { method: 'DELETE', text: true }); clearCache.textContent = 'Cache cleared'; }
    catch (e) { clearCache.textContent = 'Clear failed: ' + e.message; clearCache.disabled = false; }
  } }, 'Clear response cache');
  body.append(h('div', { class: 'kpis gateway-kpis' },
    kpi('Cache hits', fmt.num(g.cache_hits), `${fmt.num(g.cache_misses)} misses · saved ${fmt.cost(g.saved_cost_usd) || '$0'}`),
    kpi('Rate-limited', fmt.num(g.rate_limited), 'answered 429 by Sightline'),
    kpi('Retried calls', fmt.num(g.retried_calls), `${fmt.num(g.retries)} retries · ${fmt.num(g.fallbacks_used)} by a fallback`),
    h('div', { class: 'kpi' }, h('div', { class: 'kpi-label' }, 'Gateway cache'), clearCache)));
  const labels = d.over_time.map((g) => bucketLabel(g.key, d.bucket_seconds));
  body.append(h('div', { class: 'charts' },
    barChart('Calls', labels, [
      { name: 'ok', cls: 's-ok', values: d.over_time.map((g) => g.calls - g.errors) },
      { name: 'errors', cls: 's-err', values: d.over_time.map((g) => g.errors) }], count),
    lineChart('Latency', labels, [
      { name: 'p50', cls: 's-a', values: d.over_time.map((g) => g.p50_ms) },
      { name: 'p95', cls: 's-b', values: d.over_time.map((g) => g.p95_ms) }], (v) => fmt.ms(v)),
    barChart('Tokens', labels, [
      { name: 'input', cls: 's-a', values: d.over_time.map((g) => g.input_tokens) },
      { name: 'output', cls: 's-c', values: d.over_time.map((g) => g.output_tokens) }], count),
    barChart('Cost', labels, [{ name: 'USD', cls: 's-c', values: d.over_time.map((g) => Number(g.cost_usd)) }], (v) => fmt.cost(v))));
  body.append(h('h3', {}, 'By model'));
  body.append(h('table', { class: 'by-model' },
    h('thead', {}, h('tr', {}, ['Model', 'Provider', 'Calls', 'Errors', 'Input', 'Output', 'Cost', 'p50', 'p95', 'TTFT p50'].map((c, i) => h('th', { class: i > 1 ? 'num' : '' }, c)))),
    h('tbody', {}, d.by_model.map((g) => h('tr', {},
      h('td', { class: 'model' }, h('a', { class: 'link', href: '#/' + query({ model: g.key.startsWith('(') ? '' : g.key }) }, g.key)),
      h('td', {}, g.provider || ''),
      h('td', { class: 'num' }, fmt.num(g.calls)),
      h('td', { class: 'num' + (g.errors ? ' bad-text' : '') }, g.errors ? `${fmt.num(g.errors)} (${(g.error_rate * 100).toFixed(0)}%)` : '0'),
      h('td', { class: 'num' }, fmt.num(g.input_tokens)),
      h('td', { class: 'num' }, fmt.num(g.output_tokens)),
      h('td', { class: 'num' }, fmt.cost(g.cost_usd)),
      h('td', { class: 'num' }, fmt.ms(g.p50_ms)),
      h('td', { class: 'num' }, fmt.ms(g.p95_ms)),
      h('td', { class: 'num' }, fmt.ms(g.p50_ttft_ms)))))));
  if (!d.by_model.length) body.append(h('div', { class: 'empty' }, 'No calls in this time range.'));
  body.append(h('p', { class: 'muted small' }, `${fmt.num(d.scanned)} flows${d.complete ? '' : ' (the newest only: the range holds more)'} · buckets of ${fmt.ms(d.bucket_seconds * 1000)} · Prometheus metrics at /metrics`));
}

const count = (v) => (Number.isInteger(v) ? fmt.compact(v) : v.toFixed(1));

function bucketLabel(iso, seconds) {
  const d = new Date(iso);
  if (seconds >= 86400) return d.toLocaleDateString([], { month: 'short', day: 'numeric' });
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
}
