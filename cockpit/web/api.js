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

// Which list endpoints page on the server (they answer "total"); unknown until one answers.
const paging = new Map();
const FALLBACK_LIMIT = 1000;

// One page of a list endpoint: { items, total, exact, capped } or null when the endpoint is
// missing. A cockpit that does not page (no "total" in its answer) is asked for its first
// FALLBACK_LIMIT items, which match() filters and this function pages.
export async function listPage(path, key, filters, page, size, match) {
  if (paging.get(path) !== false) {
    const r = await optional(path, { ...filters, limit: size, offset: (page - 1) * size });
    if (!r) return null;
    if (typeof r.total === 'number') {
      paging.set(path, true);
      return { items: r[key] || [], total: r.total, exact: r.total_exact !== false, capped: false };
    }
    paging.set(path, false);
    if ((r[key] || []).length < size && page === 1) {
      const all = (r[key] || []).filter(match);
      return { items: all, total: all.length, exact: true, capped: false };
    }
  }
  const r = await optional(path, { ...filters, limit: FALLBACK_LIMIT });
  if (!r) return null;
  const got = r[key] || [];
  const all = got.filter(match);
  return { items: all.slice((page - 1) * size, page * size), total: all.length, exact: true,
    capped: got.length >= FALLBACK_LIMIT };
}

export { FALLBACK_LIMIT };
