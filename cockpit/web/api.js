// The cockpit's read API (/work/wt/notes/FLEET-API.md, docs/COCKPIT.md), with the analyst token
// kept for the browser session. An endpoint this cockpit does not serve (an older cockpit)
// answers 404 "no API endpoint": optional() turns that into null so a view can say what is
// missing instead of failing.
'use strict';

const TOKEN_KEY = 'vigil-token';
let token = sessionStorage.getItem(TOKEN_KEY) || '';
let onAuthNeeded = () => {};

export class ApiError extends Error {
  constructor(status, message, missing) {
    super(message);
    this.status = status;
    this.missing = missing; // the endpoint does not exist on this cockpit
  }
}

export function setToken(t) {
  token = t;
  sessionStorage.setItem(TOKEN_KEY, t);
}

export function whenAuthNeeded(fn) {
  onAuthNeeded = fn;
}

// ?a=1&b=2 from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

export async function get(path, params) {
  const headers = token ? { Authorization: 'Bearer ' + token } : {};
  const res = await fetch(path + query(params), { headers, cache: 'no-store' });
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    body = null;
  }
  if (res.status === 401) {
    onAuthNeeded();
    throw new ApiError(401, 'this cockpit needs an analyst token', false);
  }
  if (!res.ok) {
    const msg = body && typeof body.error === 'string' ? body.error : 'HTTP ' + res.status;
    // 405: the path exists only for writes on this cockpit (POST /api/v1/alerts before v2).
    throw new ApiError(res.status, msg, (res.status === 404 && msg.startsWith('no API endpoint')) || res.status === 405);
  }
  return body;
}

// Like get(), but null when the cockpit has no such endpoint.
export async function optional(path, params) {
  try {
    return await get(path, params);
  } catch (e) {
    if (e instanceof ApiError && e.missing) return null;
    throw e;
  }
}

// Whether this cockpit has the fleet API (v2: nodes, and lists that filter on the server);
// an older one ignores filters, so the page filters what it fetched. Probed with the smallest
// v2 answer there is (one bucket of alert counts).
let fleetApi = null;
export async function hasFleetApi() {
  if (fleetApi === null) fleetApi = (await optional('/api/v1/stats/alerts', { since: '1m', bucket: '1m' })) !== null;
  return fleetApi;
}

const paging = new Map(); // path -> true when the cockpit answers "total" (and takes offset)
export const FALLBACK_LIMIT = 1000;
const MAX_LIMIT = 10000;

// One page of a list endpoint, newest first: { items, total, exact, capped }, or null when
// the cockpit has no such endpoint.
//   filters: query values (empty ones are left out); local: the names among them this cockpit
//   does not filter on, which match(item) applies here; page from 1; size per page.
// A cockpit that answers "total" pages on the server (limit + offset). One that does not is
// asked for the first page*size+1 items (enough to know whether there is a next page: the
// pager then says "of 101+"). When a filter must be applied here, or the cockpit filters
// nothing, its first FALLBACK_LIMIT items are fetched, filtered and paged here (capped says so).
export async function listPage(path, key, filters, page, size, match, local) {
  const localKeys = (local || []).filter((k) => filters[k]);
  const server = { ...filters };
  for (const k of local || []) delete server[k];
  const trusted = await hasFleetApi();
  if (trusted && !localKeys.length && paging.get(path) !== false) {
    const r = await optional(path, { ...server, limit: size + 1, offset: (page - 1) * size });
    if (!r) return null;
    if (typeof r.total === 'number') {
      paging.set(path, true);
      return { items: (r[key] || []).slice(0, size), total: r.total, exact: r.total_exact !== false, capped: false };
    }
    paging.set(path, false);
    if (page === 1) return windowOf(r[key] || [], page, size);
  }
  if (trusted && !localKeys.length) {
    const r = await optional(path, { ...server, limit: Math.min(MAX_LIMIT, page * size + 1) });
    return r && windowOf(r[key] || [], page, size);
  }
  const r = await optional(path, { ...(trusted ? server : {}), limit: FALLBACK_LIMIT });
  if (!r) return null;
  const got = r[key] || [];
  const all = got.filter(match);
  return { items: all.slice((page - 1) * size, page * size), total: all.length, exact: true, capped: got.length >= FALLBACK_LIMIT };
}

function windowOf(got, page, size) {
  const items = got.slice((page - 1) * size, page * size);
  const more = got.length > page * size;
  return { items, total: (page - 1) * size + items.length + (more ? 1 : 0), exact: !more, capped: false };
}

// fn, called at most once at a time: a call while one runs makes one more run after it (with
// the latest arguments), so a slow cockpit is not sent a new request every refresh.
export function coalesce(fn) {
  let running = null;
  let again = null;
  const run = async (...args) => {
    if (running) {
      again = args;
      return running;
    }
    running = (async () => {
      try {
        await fn(...args);
      } finally {
        running = null;
      }
    })();
    await running;
    if (again) {
      const next = again;
      again = null;
      await run(...next);
    }
  };
  return run;
}
