// Every call the UI makes goes through /api/. The X-Sightline-UI header marks them as the UI's own
// (the server then answers 401 without a browser password prompt, and it doubles as a CSRF token).

export class APIError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

export async function api(path, { method = 'GET', body, text = false } = {}) {
  const headers = { 'X-Sightline-UI': '1' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    window.dispatchEvent(new CustomEvent('sightline:auth-required'));
  }
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).error || message; } catch { /* not JSON */ }
    throw new APIError(response.status, message);
  }
  return text ? response.text() : response.json();
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}
