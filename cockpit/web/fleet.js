// #/fleet?q=&status=&sort=&range=&page= — every node at a glance: online/stale/offline, last
// heartbeat, agent version, sensor and sink health; the fleet's alert rate; latest incidents.
import { coalesce, optional } from './api.js';
import {
  dim, empty, errorBox, filterBox, fmtDuration, h, heading, link, num, pageOf, pager, section, statusDot,
  table, tile, timeMs, when, put, fill,
} from './dom.js';
import { alertRateBlock, fetchIncidents, incidentTable, rangeSwitch } from './incidents.js';
import { href, params, replace } from './router.js';

const PAGE = 50;
const STATUS_RANK = { offline: 0, stale: 1, online: 2 };

const health = (n) => n.health || {};
const troubles = (n) => Number(health(n).drops || 0) + Number(health(n).sink_failures || 0) + Number(health(n).spool_dropped || 0);

// Sort orders a column header can pick; the default puts trouble first.
const SORTS = {
  trouble: (a, b) => (STATUS_RANK[a.status] ?? 0) - (STATUS_RANK[b.status] ?? 0) || troubles(b) - troubles(a) || a.name.localeCompare(b.name),
  name: (a, b) => a.name.localeCompare(b.name),
  seen: (a, b) => timeMs(a) - timeMs(b),
  version: (a, b) => String(a.version || '').localeCompare(String(b.version || '')) || a.name.localeCompare(b.name),
  workloads: (a, b) => Number(b.workloads || 0) - Number(a.workloads || 0),
  alerts: (a, b) => Number(b.alerts_1h || 0) - Number(a.alerts_1h || 0),
  drops: (a, b) => Number(health(b).drops || 0) - Number(health(a).drops || 0),
};

function count(n, cls) {
  n = Number(n || 0);
  return h('span', { class: n > 0 ? cls || 'bad' : 'zero' }, num(n));
}

// The version most nodes run: others are marked, an upgrade left half done shows.
function commonVersion(nodes) {
  const c = new Map();
  for (const n of nodes) c.set(n.version, (c.get(n.version) || 0) + 1);
  let best = '';
  let max = 0;
  for (const [v, k] of c) if (k > max) { best = v; max = k; }
  return best;
}

// The node's clock against the cockpit's at its last heartbeat (a clock set back shows).
function clockCell(n) {
  if (n.clock_offset_ms === undefined || n.clock_offset_ms === null) return dim('–');
  const s = Math.round(Number(n.clock_offset_ms) / 1000);
  const text = s === 0 ? '0 s' : (s > 0 ? '+' : '−') + fmtDuration(Math.abs(s));
  if (Math.abs(s) < 30) return dim(text);
  return h('span', { class: 'warn', title: "this node's clock is " + (s < 0 ? 'behind' : 'ahead of') + " the cockpit's" }, text);
}

// One page of nodes as the cockpit sorted and filtered them; total: how many match.
function nodeTable(route, nodes, total, common, f, sort) {
  const page = pageOf(route);
  const sortHead = (label, key, cls) => ({
    label: h('a', { href: href('fleet', { ...f, sort: key, page: '' }), class: sort === key ? 'sorted' : '' }, label),
    cls,
  });
  const rows = nodes.map((n) => ({
    cls: 'node-row ' + (n.status || ''),
    data: { node: n.name },
    onclick: () => { location.hash = href(['nodes', n.name]); },
    cells: [statusDot(n.status), h('span', null, link(n.name, ['nodes', n.name], null, 'strong'),
      n.credential === 'revoked' ? h('span', { class: 'badge unprotected', title: 'its token is revoked: its posts are refused' }, 'revoked') : null),
      h('span', { class: n.version && n.version !== common ? 'warn' : '', title: n.version !== common ? 'most nodes run ' + common : '' }, n.version || ''),
      dim(n.kernel || ''), when(timeMs(n)), timeMs(n) && n.uptime_s !== undefined ? fmtDuration(n.uptime_s) : dim('–'),
      link(num(n.workloads), 'workloads', { node: n.name }), count(n.alerts_1h, 'alerting'),
      count(health(n).drops), count(health(n).sink_failures), count(health(n).spool_dropped), clockCell(n)],
  }));
  const none = f.q || f.status ? empty('No node matches', 'clear the filter to see every node')
    : empty('No node has reported yet', 'enrol agents with a join token (vigil cockpit join-token) and the cockpit: section of their config; each sends a heartbeat every 10 s (docs/AGENT.md)');
  return [pager(route, { items: nodes, total, exact: true }, page, PAGE),
    table([{ label: 'status', cls: 'narrow' }, sortHead('node', 'name'), sortHead('agent', 'version'), 'kernel',
      sortHead('last heartbeat', 'seen'), 'uptime', sortHead('workloads', 'workloads', 'num'), sortHead('alerts 1 h', 'alerts', 'num'),
      sortHead('drops', 'drops', 'num'), { label: 'sink failures', cls: 'num' }, { label: 'spool dropped', cls: 'num' },
      { label: 'clock', cls: 'num' }],
    rows, none, 'grid nodes')];
}

// The fleet's totals from a node list (a cockpit that answers no summary: every node).
function summaryOf(all) {
  const by = (s) => all.filter((n) => n.status === s).length;
  const sum = (fn) => all.reduce((a, n) => a + Number(fn(n) || 0), 0);
  return {
    nodes: all.length, online: by('online'), stale: by('stale'), offline: by('offline'),
    workloads: sum((n) => n.workloads), alerts_1h: sum((n) => n.alerts_1h),
    unhealthy: all.filter((n) => troubles(n) > 0).length, version: commonVersion(all),
  };
}

function statusFilter(f, sum) {
  const n = (s) => (s ? Number(sum[s] || 0) : Number(sum.nodes || 0));
  return h('span', { class: 'seg' }, [['', 'all'], ['online', 'online'], ['stale', 'stale'], ['offline', 'offline']].map(([s, label]) =>
    h('a', { href: href('fleet', { ...f, status: s, page: '' }), class: (f.status || '') === s ? 'on' : '' }, label + ' ' + num(n(s)))));
}

function tiles(sum) {
  const v = (k) => Number(sum[k] || 0);
  return h('div', { class: 'tiles' },
    tile('nodes online', num(v('online')), 'of ' + num(v('nodes')), 'ok'),
    tile('stale', num(v('stale')), 'no heartbeat for 20 s', v('stale') ? 'warn' : ''),
    tile('offline', num(v('offline')), 'no heartbeat for 5 min', v('offline') ? 'bad' : ''),
    tile('workloads', num(v('workloads')), 'watched on these nodes'),
    tile('alerts, last hour', num(v('alerts_1h')), 'from every node', v('alerts_1h') ? 'bad' : ''),
    tile('nodes losing data', num(v('unhealthy')), 'sensor drops, sink failures, spool', v('unhealthy') ? 'warn' : ''));
}

export function render(root, route) {
  const f = params(route);
  delete f.page;
  const sort = SORTS[f.sort] ? f.sort : 'trouble';
  const range = ['1h', '24h', '7d'].includes(f.range) ? f.range : '24h';
  const tileBox = h('div');
  const nodeBox = h('div');
  const incBox = h('div');
  const rate = alertRateBlock(range);
  let alive = true;
  const input = filterBox('filter nodes: name, version, kernel', f.q, (q) => {
    f.q = q;
    replace({ q, page: '' });
    load();
  });
  put(root, heading('Fleet', 'every node reporting to this cockpit', input), tileBox,
    section('Alerts over time', h('div', { class: 'block-tools' }, rangeSwitch(route, range)), rate.node),
    h('section', { class: 'block' }, h('h2', null, 'Nodes'), h('div', { class: 'block-tools', id: 'status-filter' }), nodeBox),
    section('Latest incidents', incBox, h('p', { class: 'more-link' }, link('all incidents ›', 'incidents'))));

  const load = coalesce(loadNow); // one request at a time, however slow the cockpit

  async function loadNow() {
    try {
      // one page, sorted and filtered by the cockpit, and the fleet's totals for the tiles
      const route = { path: ['fleet'], query: new URLSearchParams(location.hash.split('?')[1] || '') };
      const page = pageOf(route);
      const res = await optional('/api/v1/nodes', { limit: PAGE, offset: (page - 1) * PAGE, sort, status: f.status, q: f.q });
      if (!alive) return;
      if (!res) {
        fill(tileBox);
        fill(nodeBox, empty('This cockpit does not list nodes', 'needs GET /api/v1/nodes (cockpit v2)'));
        return;
      }
      let nodes = res.nodes || [];
      let sum = res.summary;
      let total = res.total;
      if (!sum) { // an older cockpit: every node, filtered, sorted and paged here
        const q = (f.q || '').toLowerCase();
        sum = summaryOf(nodes);
        nodes = nodes.filter((n) => (!f.status || n.status === f.status) &&
          (!q || [n.name, n.version, n.kernel, n.status].join(' ').toLowerCase().includes(q))).sort(SORTS[sort]);
        total = nodes.length;
        nodes = nodes.slice((page - 1) * PAGE, page * PAGE);
      }
      fill(tileBox, tiles(sum));
      fill(root.querySelector('#status-filter'), statusFilter(f, sum));
      fill(nodeBox, ...nodeTable(route, nodes, total, sum.version, f, sort));
    } catch (e) {
      if (alive) fill(nodeBox, errorBox(e));
    }
  }
  const loadIncidents = coalesce(loadIncidentsNow); // one request at a time, however slow the cockpit
  async function loadIncidentsNow() {
    try {
      const res = await fetchIncidents({}, 1, 10);
      if (alive) fill(incBox, incidentTable(res.items, empty('No incidents yet', 'alerts from agents appear here')));
    } catch (e) {
      if (alive) fill(incBox, errorBox(e));
    }
  }
  load();
  loadIncidents();
  rate.update();
  // Nodes report every 10 s: the node list is fetched every third refresh, not every 5 s.
  let ticks = 0;
  return {
    refresh() { if (++ticks % 3 === 0) load(); loadIncidents(); rate.update(); },
    destroy() { alive = false; rate.destroy(); },
  };
}
