/// A minimal live page until the full UI lands: the newest flows, refreshed from `/api/events`.
/// Everything from flows is inserted with `textContent`, never as HTML: prompts are untrusted.
enum IndexPage {
    static let html = """
    <!doctype html>
    <html lang="en"><head><meta charset="utf-8"><title>Sightline</title>
    <style>
    body{font:14px system-ui,sans-serif;margin:1.5rem;color:#1d2330}
    table{border-collapse:collapse;width:100%}td,th{padding:.3rem .5rem;border-bottom:1px solid #e3e6ec;text-align:left;white-space:nowrap}
    td.url{max-width:40rem;overflow:hidden;text-overflow:ellipsis}.err{color:#b42318}code{background:#f3f4f7;padding:0 .25rem}
    </style></head><body>
    <h1>Sightline</h1>
    <p>JSON API: <code>/api/flows</code>, <code>/api/flows/{id}</code>, <code>/api/events</code>, <code>/api/ca.pem</code>.</p>
    <table><thead><tr><th>time</th><th>mode</th><th>method</th><th>url</th><th>status</th><th>provider</th><th>model</th><th>tokens</th><th>cost</th><th>ms</th></tr></thead>
    <tbody id="flows"></tbody></table>
    <script type="module">
    const tbody = document.getElementById('flows');
    function row(f) {
      const tr = document.createElement('tr');
      const cells = [f.started_at, f.mode, f.method, f.url, f.status ?? (f.error ? 'error' : ''), f.provider ?? '', f.model ?? '',
        f.input_tokens != null ? `${f.input_tokens}→${f.output_tokens ?? '?'}` : '', f.cost_usd != null ? '$' + f.cost_usd : '',
        f.duration_ms != null ? Math.round(f.duration_ms) : ''];
      cells.forEach((c, i) => { const td = document.createElement('td'); td.textContent = String(c); if (i === 3) td.className = 'url'; tr.append(td); });
      if (f.error) { tr.className = 'err'; tr.title = f.error; }
      tr.id = 'f-' + f.id;
      return tr;
    }
    const page = await (await fetch('/api/flows?limit=100')).json();
    page.flows.forEach(f => tbody.append(row(f)));
    const events = new EventSource('/api/events');
    events.addEventListener('flow', e => { const f = JSON.parse(e.data); document.getElementById('f-' + f.id)?.remove(); tbody.prepend(row(f)); });
    </script></body></html>
    """
}
