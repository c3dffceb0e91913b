// Small SVG charts for the dashboard (no library): bars and lines over time buckets.
import { h, svg } from './dom.js';

const W = 560, H = 180, L = 44, R = 10, T = 12, B = 24;

function frame(maxY, labels, fmtY) {
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img' });
  for (let i = 0; i <= 4; i++) {
    const y = T + (H - T - B) * (1 - i / 4);
    g.append(svg('line', { x1: L, x2: W - R, y1: y, y2: y, class: 'grid' }));
    g.append(svg('text', { x: L - 6, y: y + 3, class: 'axis', 'text-anchor': 'end' }, fmtY((maxY * i) / 4)));
  }
  const n = labels.length;
  const step = Math.max(1, Math.ceil(n / 6));
  labels.forEach((label, i) => {
    if (i % step) return;
    const x = L + ((i + 0.5) / n) * (W - L - R);
    g.append(svg('text', { x, y: H - 6, class: 'axis', 'text-anchor': 'middle' }, label));
  });
  return g;
}

const yOf = (v, maxY) => T + (H - T - B) * (1 - (maxY ? v / maxY : 0));

/** series: [{name, values, cls}] stacked. */
export function barChart(title, labels, series, fmtY = String) {
  const totals = labels.map((_, i) => series.reduce((n, s) => n + (s.values[i] || 0), 0));
  const maxY = niceMax(Math.max(0, ...totals));
  const g = frame(maxY, labels, fmtY);
  const bw = (W - L - R) / Math.max(1, labels.length);
  labels.forEach((label, i) => {
    let acc = 0;
    for (const s of series) {
      const v = s.values[i] || 0;
      if (!v) continue;
      const y0 = yOf(acc, maxY), y1 = yOf(acc + v, maxY);
      g.append(svg('rect', { x: L + i * bw + bw * 0.15, y: y1, width: Math.max(1, bw * 0.7), height: Math.max(0.5, y0 - y1), class: 'bar ' + s.cls }, svg('title', {}, `${label} ${s.name}: ${fmtY(v)}`)));
      acc += v;
    }
  });
  return card(title, g, series);
}

export function lineChart(title, labels, series, fmtY = String) {
  const maxY = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v) => v != null))));
  const g = frame(maxY, labels, fmtY);
  const n = labels.length;
  for (const s of series) {
    let d = '';
    s.values.forEach((v, i) => {
      if (v == null) return;
      const x = L + ((i + 0.5) / n) * (W - L - R);
      d += (d && s.values[i - 1] != null ? 'L' : 'M') + x.toFixed(1) + ' ' + yOf(v, maxY).toFixed(1);
      g.append(svg('circle', { cx: x, cy: yOf(v, maxY), r: 2.2, class: 'dot ' + s.cls }, svg('title', {}, `${labels[i]} ${s.name}: ${fmtY(v)}`)));
    });
    if (d) g.append(svg('path', { d, class: 'line ' + s.cls }));
  }
  return card(title, g, series);
}

function card(title, chart, series) {
  return h('div', { class: 'chart-card' },
    h('div', { class: 'chart-title' }, title,
      h('span', { class: 'chart-legend' }, series.map((s) => h('span', {}, h('i', { class: 'sw ' + s.cls }), s.name)))),
    chart);
}

function niceMax(v) {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 4, 8, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}
