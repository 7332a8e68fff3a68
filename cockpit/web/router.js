// Hash routes that name what is shown (#/incidents/ID, #/workloads?node=n1&q=web), so a link
// can be shared and back/forward work. Following a link pushes a history entry; typing in a
// filter replaces the current one (replace()), so back does not step through keystrokes.

// The route in the address bar: { path: ['incidents', 'ID'], query: URLSearchParams }.
export function current() {
  let h = location.hash.replace(/^#/, '');
  // Links from older cockpits named an incident as #ID.
  if (/^[0-9a-f]{1,32}$/.test(h)) h = '/incidents/' + h;
  if (!h.startsWith('/')) h = '/fleet';
  const qi = h.indexOf('?');
  const pathPart = qi < 0 ? h : h.slice(0, qi);
  const query = new URLSearchParams(qi < 0 ? '' : h.slice(qi + 1));
  const path = pathPart.split('/').filter((s) => s !== '').map((s) => {
    try {
      return decodeURIComponent(s);
    } catch (e) {
      return s;
    }
  });
  if (!path.length) path.push('fleet');
  return { path, query };
}

// '#/a/b?x=1' from path segments (encoded, so any node name is safe) and query values.
export function href(path, params) {
  const segs = (Array.isArray(path) ? path : [path]).map((s) => encodeURIComponent(String(s)));
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '' && !(k === 'page' && Number(v) <= 1)) q.set(k, String(v));
  }
  const qs = q.toString();
  return '#/' + segs.join('/') + (qs ? '?' + qs : '');
}

export function go(path, params) {
  const h = href(path, params);
  if (location.hash !== h) location.hash = h;
}

// Rewrites the current URL's query without a history entry or a hashchange.
export function replace(params) {
  const r = current();
  const merged = Object.fromEntries(r.query.entries());
  Object.assign(merged, params);
  history.replaceState(history.state, '', href(r.path, merged));
}

// The query as a plain object (for views to read their filters).
export function params(route) {
  return Object.fromEntries(route.query.entries());
}
