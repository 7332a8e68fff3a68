// Building the page from API data. Every value is inserted as a text node or a property, never
// parsed as HTML: a hostile process name, pod name or payload stays text in the analyst's
// browser (tests/e2e/t8001 checks this in Chromium). There is no innerHTML in this page.
import { href } from './router.js';

// h('a', {class: 'x', href: '#/fleet'}, 'text', child, [more children])
export function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k in e && k !== 'list') e[k] = v;
    else e.setAttribute(k, String(v));
  }
  append(e, children);
  return e;
}

function append(e, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(e, c);
    else if (c instanceof Node) e.appendChild(c);
    else e.appendChild(document.createTextNode(String(c)));
  }
}

export function link(text, path, params, cls) {
  return h('a', { href: href(path, params), class: cls }, text);
}

// A table: cols are labels (or {label, cls, title}), rows are arrays of cells (text or nodes)
// or {cells, cls, onclick, title, data}. emptyNode replaces the body when there are no rows.
export function table(cols, rows, emptyNode, cls) {
  const head = h('tr', null, cols.map((c) => (typeof c === 'string'
    ? h('th', null, c) : h('th', { class: c.cls, title: c.title }, c.label))));
  const body = h('tbody');
  for (const r of rows) body.appendChild(rowNode(cols, r));
  if (!rows.length && emptyNode) {
    body.appendChild(h('tr', { class: 'empty-row' }, h('td', { colSpan: cols.length }, emptyNode)));
  }
  return h('table', { class: cls || 'grid' }, h('thead', null, head), body);
}

function rowNode(cols, r) {
  const spec = Array.isArray(r) ? { cells: r } : r;
  const tr = h('tr', { class: spec.cls, title: spec.title, dataset: spec.data });
  spec.cells.forEach((c, i) => {
    const col = cols[i];
    tr.appendChild(h('td', { class: typeof col === 'string' ? undefined : col.cls }, c));
  });
  if (spec.onclick) {
    tr.classList.add('clickable');
    tr.addEventListener('click', (ev) => {
      if (ev.target.closest('a')) return; // a link in the row goes where it says
      spec.onclick(ev);
    });
  }
  return tr;
}

// A table for a list that may be long (an incident's alerts or events): `step` rows, then a
// "show more" button that adds the next `step`. rows may be a function of an index range, so
// rows not shown are never built.
export function longTable(cols, count, rowAt, emptyNode, cls, step) {
  step = step || 100;
  const tbl = table(cols, [], count ? null : emptyNode, cls);
  const body = tbl.tBodies[0];
  const more = h('button', { type: 'button', class: 'more' });
  let shown = 0;
  const next = () => {
    const end = Math.min(count, shown + step);
    for (; shown < end; shown++) body.appendChild(rowNode(cols, rowAt(shown)));
    more.textContent = 'show ' + num(Math.min(step, count - shown)) + ' more of ' + num(count - shown);
    more.hidden = shown >= count;
  };
  more.addEventListener('click', next);
  next();
  return h('div', { class: 'long-table' }, tbl, more);
}

// An empty state: what is missing and what makes it appear.
export function empty(title, hint) {
  return h('div', { class: 'empty' }, h('strong', null, title), hint ? h('span', null, hint) : null);
}

export function errorBox(e) {
  return h('div', { class: 'empty error' }, h('strong', null, 'Could not load this view'),
    h('span', null, String((e && e.message) || e)));
}

// "51–100 of 1 234" with previous/next links; page numbers start at 1.
// "51–100 of 1 234" with links to the newer and older pages; res as listPage returns it (exact
// false: total is a lower bound, "of 101+"). With cursors (res.next) the older link carries the
// next page's cursor (before=) and the newer link of a page past the second goes to the newest.
export function pager(route, res, page, size) {
  const { total, exact, next, more } = res;
  const count = res.items ? res.items.length : Math.max(0, Math.min(size, total - (page - 1) * size));
  if (!total && page === 1) return null; // the table's empty state says it
  const q = Object.fromEntries(route.query.entries());
  delete q.before;
  const to = (p, before) => href(route.path, { ...q, page: p, before });
  const first = count ? (page - 1) * size + 1 : 0;
  const last = (page - 1) * size + count;
  const hasOlder = more !== undefined ? more : exact === false ? total > page * size : page * size < total;
  const newer = page === 2 || !route.query.get('before') ? to(page - 1) : to(1);
  return h('div', { class: 'pager' },
    h('span', { class: 'pager-range' }, num(first) + '–' + num(last) + ' of ' + num(total) + (exact === false ? '+' : '')),
    page > 1 ? h('a', { href: newer, class: 'pager-prev' }, page > 2 && route.query.get('before') ? '« newest' : '‹ newer')
      : h('span', { class: 'dim' }, '‹ newer'),
    h('span', { class: 'dim' }, 'page ' + page + (exact === false ? '' : ' / ' + num(Math.max(1, Math.ceil(total / size))))),
    hasOlder ? h('a', { href: to(page + 1, next || undefined), class: 'pager-next' }, 'older ›') : h('span', { class: 'dim' }, 'older ›'));
}

export function pageOf(route) {
  const p = parseInt(route.query.get('page') || '1', 10);
  return Number.isFinite(p) && p >= 1 ? p : 1;
}

// ---- formatting ----------------------------------------------------------------------------

export function num(n) {
  n = Number(n || 0);
  return n.toLocaleString('en-US').replace(/,/g, '\u202f');
}

export function nsToMs(ns) {
  return Number(ns || 0) / 1e6;
}

// A record's time in ms: time_ns, or an RFC 3339 time.
export function timeMs(rec) {
  if (rec.time_ns) return nsToMs(rec.time_ns);
  if (rec.last_seen_ns) return nsToMs(rec.last_seen_ns);
  const t = Date.parse(rec.time || rec.last_seen || '');
  return Number.isFinite(t) ? t : 0;
}

export function fmtTime(ms) {
  if (!ms) return '';
  const d = new Date(ms);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function fmtTimeFine(ms) {
  if (!ms) return '';
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export function fmtDuration(s) {
  s = Math.max(0, Math.round(Number(s || 0)));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min';
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
}

export function ago(ms) {
  if (!ms) return 'never';
  const s = (Date.now() - ms) / 1000;
  if (s < 0) return 'just now';
  return fmtDuration(s) + ' ago';
}

// A time cell: relative, with the exact time on hover.
export function when(ms) {
  return h('time', { title: fmtTimeFine(ms), dateTime: ms ? new Date(ms).toISOString() : '' }, ago(ms));
}

export function bytes(n) {
  n = Number(n || 0);
  if (n < 1024) return n + ' B';
  if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1048576).toFixed(1) + ' MiB';
}

export function shortDigest(d) {
  d = String(d || '');
  const hex = d.replace(/^sha256:/, '');
  return hex ? hex.slice(0, 12) : '';
}

// ---- badges ----------------------------------------------------------------------------------

export function sevClass(sev) {
  const s = Number(sev || 0);
  return s >= 8 ? 'high' : s >= 4 ? 'mid' : 'low';
}

export function sevBadge(sev) {
  return h('span', { class: 'sev ' + sevClass(sev), title: 'severity ' + Number(sev || 0) + ' of 10' },
    String(Number(sev || 0)));
}

export function badge(text, kind) {
  return h('span', { class: 'badge ' + (kind || String(text || '').toLowerCase().replace(/[^a-z_]/g, '')) }, text);
}

export function statusDot(status) {
  const s = String(status || 'offline');
  return h('span', { class: 'status ' + s.replace(/[^a-z]/g, '') }, h('i'), s);
}

export function dim(text) {
  return h('span', { class: 'dim' }, text);
}

export function workloadName(w) {
  if (!w) return '';
  return w.name || (w.container_id ? w.container_id.slice(0, 12) : '') || w.pod || w.cgroup || w.id || '';
}

// Where a workload lives: namespace/pod (container), for Kubernetes workloads.
export function workloadPlace(w) {
  if (!w) return '';
  const parts = [];
  if (w.namespace) parts.push(w.namespace + '/' + (w.pod || ''));
  else if (w.pod) parts.push(w.pod);
  if (w.container && w.container !== w.name) parts.push(w.container);
  return parts.join(' · ');
}

// Calls fn after the user stopped typing for ms.
export function debounce(fn, ms) {
  let t = 0;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

// A view's heading line: title, optional subtitle and tools on the right.
export function heading(title, sub, ...tools) {
  return h('div', { class: 'view-head' },
    h('div', null, h('h1', null, title), sub ? h('p', { class: 'sub' }, sub) : null),
    h('div', { class: 'tools' }, tools));
}

// A filter box bound to a query key of the route (replaces the URL as you type).
export function filterBox(placeholder, value, onchange) {
  const input = h('input', { type: 'search', class: 'filter', placeholder, value: value || '', autocomplete: 'off' });
  input.addEventListener('input', debounce(() => onchange(input.value.trim()), 200));
  return input;
}

// A key/value list: [[label, value], ...]; empty values are left out.
export function facts(cls, pairs) {
  if (pairs === undefined) [cls, pairs] = ['', cls];
  const dl = h('dl', { class: 'facts' + (cls ? ' ' + cls : '') });
  for (const [k, v] of pairs) {
    if (v === undefined || v === null || v === '') continue;
    dl.appendChild(h('dt', null, k));
    dl.appendChild(h('dd', null, v));
  }
  return dl;
}

export function tile(label, value, note, cls) {
  return h('div', { class: 'tile' + (cls ? ' tile-' + cls : '') }, h('span', { class: 'tile-label' }, label),
    h('strong', { class: 'tile-value' }, value), note ? h('span', { class: 'tile-note' }, note) : null);
}

export function section(title, ...body) {
  return h('section', { class: 'block' }, h('h2', null, title), body);
}

// Appends children to a node as h() does (null and false are left out, strings become text).
export function put(parent, ...children) {
  append(parent, children);
  return parent;
}

// Replaces a node's children as h() builds them (null and false are left out: the DOM's own
// replaceChildren would insert the text "null").
export function fill(parent, ...children) {
  parent.replaceChildren();
  append(parent, children);
  return parent;
}
