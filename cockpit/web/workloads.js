// #/workloads?node=&namespace=&state=&q=&w=&page= — every workload of the fleet: its state
// (learning, detecting, unprotected), the profile in force, who signed it, how complete it is,
// and its alerts in the last hour. w=NODE/ID opens one workload's profiles and the diff
// between the learned profile and the one in force.
import { coalesce, FALLBACK_LIMIT, get, listPage, optional } from './api.js';
import {
  badge, dim, empty, errorBox, facts, filterBox, h, heading, link, longTable, num, pageOf, pager, shortDigest,
  table, when, workloadPlace, put, fill,
} from './dom.js';
import { current, href, params, replace } from './router.js';

const PAGE = 50;
const STATES = ['learning', 'detecting', 'unprotected'];

function matches(w, f) {
  if (f.node && w.node !== f.node) return false;
  if (f.namespace && w.namespace !== f.namespace) return false;
  if (f.state && w.state !== f.state) return false;
  return !f.q || JSON.stringify(w).toLowerCase().includes(f.q.toLowerCase());
}

export function workloadKey(w) {
  return (w.node || '') + '/' + (w.id || w.name || '');
}

// The digest a link should open: the one in force, else the learned one.
function profileCell(w) {
  const p = w.in_force || w.profile || {};
  if (!p.digest && !(w.learned || {}).digest) return p.name ? p.name : dim('none');
  const d = p.digest || w.learned.digest;
  return link(p.name || (w.learned || {}).name || shortDigest(d), ['profiles', d], null, 'mono');
}

function signerCell(w) {
  const p = w.in_force || w.profile || {};
  if (!p.name && !p.digest) return dim('–');
  return p.signer ? h('span', { class: 'signer' }, p.signer) : h('span', { class: 'warn' }, 'unsigned');
}

function completion(p) {
  if (!p || !p.completion) return dim('–');
  return badge(p.completion, p.completion === 'complete' ? 'ok' : 'partial');
}

// Rows for a workload table (also on a node's page). opts.node: leave out the node column.
export function workloadRows(list, opts) {
  return list.map((w) => workloadRow(w, opts));
}

export function workloadRow(w, opts) {
  const selected = (opts && opts.selected) || '';
  const key = workloadKey(w);
  const diff = w.learned && w.in_force && w.learned.digest && w.in_force.digest && w.learned.digest !== w.in_force.digest;
  const cells = [badge(w.state || 'unknown'),
    h('span', null, link(w.name || w.id || '(unnamed)', 'workloads', { node: w.node, w: key }, 'strong'),
      workloadPlace(w) ? h('span', { class: 'subline' }, workloadPlace(w)) : null)];
  if (!(opts && opts.node)) cells.push(w.node ? link(w.node, ['nodes', w.node]) : dim('–'));
  cells.push(h('span', { class: 'ellipsis dim', title: w.image || '' }, w.image || w.runtime || ''),
    profileCell(w), signerCell(w), completion(w.in_force || w.profile),
    h('span', { class: Number(w.alerts_1h || 0) > 0 ? 'alerting' : 'zero' }, num(w.alerts_1h)),
    diff ? link('diff', ['diff', w.in_force.digest, w.learned.digest], null, 'chip') : '');
  return {
    cls: 'wl-row' + (key === selected ? ' selected' : ''),
    data: { workload: key },
    onclick: () => { location.hash = href('workloads', { ...(opts && opts.filters), w: key }); },
    cells,
  };
}

export function workloadCols(opts) {
  const cols = [{ label: 'state', cls: 'narrow' }, 'workload'];
  if (!(opts && opts.node)) cols.push('node');
  return cols.concat(['image', 'profile in force', 'signer', 'completion', { label: 'alerts 1 h', cls: 'num' }, '']);
}

// One workload's profiles (GET /api/v1/profiles?node=&workload=) and the diff link.
async function detail(w, f) {
  const res = await get('/api/v1/profiles', { node: w.node, workload: w.name });
  const profiles = res.profiles || [];
  // The current profile of each kind (the cockpit marks it), else the newest received.
  const newest = (kind) => profiles.find((p) => p.kind === kind && p.current) ||
    profiles.filter((p) => p.kind === kind).sort((a, b) => Number(b.received_ns || 0) - Number(a.received_ns || 0))[0];
  const learned = newest('learned');
  const inForce = newest('in_force');
  const byTime = profiles.slice().sort((a, b) => Number(b.received_ns || 0) - Number(a.received_ns || 0));
  const row = (i) => {
    const p = byTime[i];
    return { cls: p.current ? 'current' : '', cells: [badge(p.kind === 'in_force' ? 'in force' : p.kind, p.kind),
      link(p.name || shortDigest(p.digest), ['profiles', p.digest], null, 'mono'), h('code', null, shortDigest(p.digest)),
      p.signer ? p.signer : h('span', { class: 'warn' }, 'unsigned'), completion(p), p.received ? when(Date.parse(p.received)) : '',
      p.current ? badge('current', 'ok') : dim('older')] };
  };
  return h('div', { class: 'panel', id: 'workload-detail' },
    h('div', { class: 'panel-head' }, h('h2', null, w.name || w.id), badge(w.state || 'unknown'),
      learned && inForce && learned.digest !== inForce.digest
        ? link('diff in force → learned', ['diff', inForce.digest, learned.digest], null, 'button')
        : learned && inForce ? dim('the learned profile is the one in force') : null,
      h('a', { class: 'close', href: href('workloads', f), title: 'close' }, '×')),
    facts([['node', w.node ? link(w.node, ['nodes', w.node]) : ''], ['namespace / pod', workloadPlace(w)],
      ['id', h('code', null, w.id || '')], ['image', w.image], ['runtime', w.runtime],
      ['incidents', link('incidents of this workload', 'incidents', { node: w.node, workload: w.name })]]),
    longTable(['kind', 'profile', 'digest', 'signer', 'completion', 'received', ''], byTime.length, row,
      empty('No profile received for this workload', 'agents send every profile they learn or enforce'), 'grid', 20));
}

export function render(root, route) {
  const f = params(route);
  const sel = f.w || '';
  delete f.w;
  delete f.page;
  const listBox = h('div');
  const detailBox = h('div');
  let alive = true;
  const input = filterBox('filter: name, namespace, pod, image, profile, signer', f.q, (q) => {
    f.q = q;
    replace({ q, page: '' });
    load();
  });
  const states = h('span', { class: 'seg' }, [''].concat(STATES).map((s) =>
    h('a', { href: href('workloads', { ...f, state: s }), class: (f.state || '') === s ? 'on' : '' }, s || 'all')));
  put(root, heading('Workloads', f.node ? 'on node ' + f.node : 'on every node', input),
    h('div', { class: 'block-tools' }, states, f.node ? h('span', { class: 'chip' }, 'node: ' + f.node) : null,
      f.node ? link('all nodes', 'workloads', { q: f.q, state: f.state }) : null),
    detailBox, listBox);

  const load = coalesce(loadNow); // one request at a time, however slow the cockpit

  async function loadNow() {
    const here = current();
    const p = pageOf(here);
    try {
      const res = await listPage({ path: '/api/v1/workloads', key: 'workloads', filters: { node: f.node, namespace: f.namespace, q: f.q, state: f.state },
        local: ['state'], match: (w) => matches(w, f), page: p, size: PAGE });
      if (!alive) return;
      if (!res) {
        fill(listBox, empty('This cockpit does not list workloads', 'needs GET /api/v1/workloads (cockpit v2)'));
        return;
      }
      const none = f.q || f.state || f.node ? empty('No workload matches', 'clear the filter to see every workload')
        : empty('No workloads reported yet', 'each agent’s heartbeat lists the workloads it watches');
      fill(listBox, pager(here, res, p, PAGE),
        table(workloadCols(), workloadRows(res.items, { selected: sel, filters: f }), none, 'grid workloads'),
        res.capped ? h('p', { class: 'note' }, 'Only the first ' + num(FALLBACK_LIMIT) + ' workloads are searched for this filter.') : null);
    } catch (e) {
      if (alive) fill(listBox, errorBox(e));
    }
  }
  // The selected workload, looked up among its node's workloads (it may be on another page).
  async function loadDetail() {
    if (!sel) return;
    const slash = sel.indexOf('/');
    const node = slash < 0 ? '' : sel.slice(0, slash);
    const id = sel.slice(slash + 1);
    try {
      const res = await optional('/api/v1/workloads', { node });
      const w = ((res && res.workloads) || []).find((x) => (x.id || x.name) === id && (x.node || '') === node);
      const box = w ? await detail(w, f) : empty('No workload ' + id + (node ? ' on ' + node : ''), 'it may have stopped');
      if (alive) fill(detailBox, box);
    } catch (e) {
      if (alive) fill(detailBox, errorBox(e));
    }
  }
  load();
  loadDetail();
  return { refresh() { load(); }, destroy() { alive = false; } };
}
