export function time(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return '';
  const now = new Date();
  const t = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  if (d.toDateString() === now.toDateString()) return t + '.' + String(d.getMilliseconds()).padStart(3, '0');
  return d.toLocaleDateString([], { month: 'short', day: 'numeric' }) + ' ' + t;
}

export function dateTime(iso) {
  const d = new Date(iso);
  return isNaN(d) ? '' : d.toLocaleString([], { hour12: false });
}

export function ms(v) {
  if (v == null) return '';
  if (v === 0) return '0 ms';
  if (v < 1) return v.toFixed(2) + ' ms';
  if (v < 1000) return Math.round(v) + ' ms';
  if (v < 60000) return (v / 1000).toFixed(v < 10000 ? 2 : 1) + ' s';
  return Math.floor(v / 60000) + 'm ' + Math.round((v % 60000) / 1000) + 's';
}

export function num(n) {
  if (n == null) return '';
  return Number(n).toLocaleString('en-US');
}

export function compact(n) {
  if (n == null) return '';
  if (n < 1000) return String(n);
  if (n < 1e6) return (n / 1000).toFixed(n < 10000 ? 1 : 0) + 'k';
  return (n / 1e6).toFixed(1) + 'M';
}

export function cost(usd) {
  if (usd == null) return '';
  const v = Number(usd);
  if (v === 0) return '$0';
  if (v < 0.00001) return '<$0.00001';
  if (v < 0.01) return '$' + v.toFixed(5).replace(/0+$/, '').replace(/\.$/, '');
  return '$' + v.toFixed(v < 1 ? 4 : 2);
}

export function bytes(n) {
  if (n == null) return '';
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB';
  return (n / 1024 / 1024).toFixed(1) + ' MB';
}

export function pathOf(url) {
  try { const u = new URL(url); return u.pathname + u.search; } catch { return url; }
}

export function statusClass(flow) {
  if (flow.error) return 'bad';
  if (flow.status == null) return flow.mode === 'tunnel' ? 'muted' : 'pending';
  if (flow.status >= 500) return 'bad';
  if (flow.status >= 400) return 'warn';
  return 'ok';
}
