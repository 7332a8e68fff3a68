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

// Nanosecond times (*_ns) are past 2^53: a JSON number loses their last digits, and a cursor
// built from one would skip or repeat an item. Where the browser gives the number's source
// text, they are kept as exact decimal strings (Number() of one still works for display).
function exactNs(k, v, ctx) {
  return typeof v === 'number' && k.endsWith('_ns') && ctx && typeof ctx.source === 'string' ? ctx.source : v;
}

export async function get(path, params) {
  const headers = token ? { Authorization: 'Bearer ' + token } : {};
  const res = await fetch(path + query(params), { headers, cache: 'no-store' });
  let body = null;
  try {
    body = JSON.parse(await res.text(), exactNs);
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

export const FALLBACK_LIMIT = 1000;
const MAX_LIMIT = 10000;

// One page of a list endpoint, newest first, or null when the cockpit has no such endpoint:
// { items, total, exact, capped, next, more }.
//   spec.filters: query values (empty ones are left out); spec.local: the names among them the
//   cockpit does not filter on, which spec.match(item) applies here; spec.page from 1,
//   spec.size per page; spec.before: the cursor of this page (from the previous page's next);
//   spec.cursorOf(item): an item's time in nanoseconds (a decimal string), the list's order.
// A cockpit that answers "total" is paged with cursors. Items can share a time, so a cursor is
// "NS.K": the last time shown and how many items of that time are shown already. The page
// after asks for the items up to and including NS (`until=` NS+1, which is exclusive) and drops
// the first K; the list's order among equal times is fixed (by id), so nothing is skipped or
// repeated. Without a cursor (page 2 of an older link, a list without total, an item without a
// time) the page asks for page*size+1 items and shows the last size of them (the pager then
// says "of 101+" when there is no total).
// When a filter must be applied here, or the cockpit filters nothing (before v2), its first
// FALLBACK_LIMIT items are fetched, filtered and paged here (capped says so).
export async function listPage(spec) {
  const { path, key, filters, page, size } = spec;
  const local = (spec.local || []).filter((k) => filters[k]);
  const server = { ...filters };
  for (const k of spec.local || []) delete server[k];
  const trusted = await hasFleetApi();
  if (trusted && !local.length) {
    const cur = page > 1 ? parseCursor(spec.before) : null;
    const cursorMode = spec.cursorOf && (page === 1 || cur) && (!cur || cur.skip + size + 1 <= MAX_LIMIT);
    const skip = cursorMode && cur ? cur.skip : 0;
    const q = !cursorMode ? { ...server, limit: Math.min(MAX_LIMIT, page * size + 1) }
      : cur ? { ...server, limit: skip + size + 1, until: (cur.ns + 1n).toString() } : { ...server, limit: size + 1 };
    const r = await optional(path, q);
    if (!r) return null;
    const got = r[key] || [];
    const items = cursorMode ? got.slice(skip, skip + size) : got.slice((page - 1) * size, page * size);
    const more = cursorMode ? got.length > skip + size : got.length > page * size;
    const next = cursorMode && more ? nextCursor(items, spec.cursorOf, cur) : null;
    // On a cursor page the cockpit counts from the cursor on: add the pages before it.
    const total = typeof r.total !== 'number' ? null : cur && cursorMode ? (page - 1) * size - skip + r.total : r.total;
    if (total !== null) return { items, total, exact: true, capped: false, next, more };
    return { items, total: (page - 1) * size + items.length + (more ? 1 : 0), exact: !more, capped: false, next, more };
  }
  const r = await optional(path, { ...(trusted ? server : {}), limit: FALLBACK_LIMIT });
  if (!r) return null;
  const got = r[key] || [];
  const all = got.filter(spec.match);
  return { items: all.slice((page - 1) * size, page * size), total: all.length, exact: true, capped: got.length >= FALLBACK_LIMIT,
    next: null, more: all.length > page * size };
}

function parseCursor(s) {
  const m = /^([0-9]{1,20})\.([0-9]{1,6})$/.exec(s || '');
  return m ? { ns: BigInt(m[1]), skip: parseInt(m[2], 10) } : null;
}

// The cursor after items (shown after the page whose cursor was cur): the last item's time and
// how many shown items have that time (those of earlier pages included, when they had it too).
function nextCursor(items, cursorOf, cur) {
  const times = items.map((i) => nsOf(cursorOf(i)));
  const last = times[times.length - 1];
  if (last === null || last === undefined) return null;
  let k = 0;
  for (let i = times.length - 1; i >= 0 && times[i] === last; i--) k++;
  if (k === times.length && cur && cur.ns === last) k += cur.skip;
  return last.toString() + '.' + k;
}

function nsOf(v) {
  try {
    return typeof v === 'string' && /^[0-9]{1,20}$/.test(v) ? BigInt(v) : null;
  } catch (e) {
    return null;
  }
}

// "2026-12-06T04:00:00.123456789Z" (or with an offset) -> nanoseconds as a decimal string, or
// null. Date keeps milliseconds only: the fraction is read from the text.
export function rfc3339Ns(s) {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(s || '');
  if (!m) return null;
  const ms = Date.parse(m[1] + m[3]);
  if (!Number.isFinite(ms)) return null;
  return (BigInt(ms) * 1000000n + BigInt((m[2] || '').padEnd(9, '0'))).toString();
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
