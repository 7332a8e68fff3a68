// #/incidents?q=&node=&rule=&state=&range=&page= — the fleet's alert rate over time and its
// incidents, newest first, one page at a time.
import { coalesce, FALLBACK_LIMIT, listPage, optional } from './api.js';
import { alertRate } from './charts.js';
import {
  badge, dim, empty, errorBox, filterBox, h, heading, link, nsToMs, num, pageOf, pager, section,
  sevBadge, sevClass, table, when, workloadName, put, fill,
} from './dom.js';
import { current, href, params, replace } from './router.js';

export const PAGE = 50;
const RANGES = { '1h': ['1h', '1m'], '24h': ['24h', '15m'], '7d': ['7d', '2h'] };

function matches(inc, f) {
  if (f.node && inc.node !== f.node && inc.host !== f.node) return false;
  if (f.rule && !(inc.rules || []).includes(f.rule)) return false;
  if (f.state && inc.state !== f.state) return false;
  if (f.workload && workloadName(inc.workload) !== f.workload && (inc.workload || {}).id !== f.workload) return false;
  return !f.q || JSON.stringify(inc).toLowerCase().includes(f.q.toLowerCase());
}

// One page of incidents (listPage's answer); before: the page's cursor (an opened_ns).
export async function fetchIncidents(f, page, size, before) {
  const filters = { q: f.q, node: f.node, rule: f.rule, state: f.state, workload: f.workload };
  const res = await listPage({ path: '/api/v1/incidents', key: 'incidents', filters, local: ['state'], match: (i) => matches(i, f),
    page, size, before, cursorOf: (i) => i.opened_ns });
  return res || { items: [], total: 0, exact: true, capped: false };
}

const COLS = [{ label: 'sev', cls: 'narrow c-sev' }, { label: 'opened', cls: 'c-opened' }, { label: 'node', cls: 'c-node' },
  { label: 'workload', cls: 'c-workload' }, { label: 'rules', cls: 'c-rules' }, { label: 'alerts', cls: 'num c-alerts' },
  { label: 'state', cls: 'c-state' }, { label: 'summary', cls: 'wide c-summary' }];

// A table of incidents. The severity column shows only when the cockpit gives severities.
export function incidentTable(items, emptyNode) {
  const sevs = items.some((i) => i.severity !== undefined);
  const rows = items.map((inc) => {
    const sev = inc.severity;
    const cells = [
      when(nsToMs(inc.opened_ns)),
      inc.node || inc.host ? link(inc.node || inc.host, ['nodes', inc.node || inc.host]) : dim('–'),
      link(workloadName(inc.workload) || '(unnamed)', ['incidents', inc.incident_id], null, 'strong'),
      h('span', { class: 'chips' }, (inc.rules || []).map((r) => link(r, 'incidents', { rule: r }, 'chip'))),
      num(inc.alert_count),
      badge(inc.state),
      h('span', { class: 'ellipsis' }, inc.summary || ''),
    ];
    if (sevs) cells.unshift(sev !== undefined ? sevBadge(sev) : dim('–'));
    return {
      cls: 'sevrow ' + (sev !== undefined ? sevClass(sev) : 'unknown'),
      data: { id: inc.incident_id },
      title: inc.summary || '',
      onclick: () => { location.hash = '#/incidents/' + encodeURIComponent(inc.incident_id); },
      cells,
    };
  });
  return table(sevs ? COLS : COLS.slice(1), rows, emptyNode, 'grid incidents');
}

// The fleet's alerts over time (/api/v1/stats/alerts), redrawn only when the counts change.
// Returns { node, update(), destroy() }.
export function alertRateBlock(range, node, rule) {
  const [since, bucket] = RANGES[range] || RANGES['24h'];
  const box = h('div', { class: 'chart-slot' });
  let chart = null;
  let last = '';
  const show = (n) => {
    if (chart) chart.destroy();
    chart = null;
    fill(box, n);
  };
  return {
    node: box,
    update: coalesce(async () => {
      let st;
      try {
        st = await optional('/api/v1/stats/alerts', { since, bucket, node, rule });
      } catch (e) {
        last = '';
        return show(errorBox(e));
      }
      const key = JSON.stringify(st);
      if (key === last) return;
      last = key;
      if (!st) return show(empty('No alert statistics on this cockpit', 'needs GET /api/v1/stats/alerts (cockpit v2)'));
      const pts = (st.series || []).map((p) => ({ ...p, t: Date.parse(p.t) }));
      const total = pts.reduce((a, p) => a + Number(p.count || 0), 0);
      if (!pts.length || !total) return show(empty('No alerts in the last ' + since, 'alerts from every node are counted here'));
      // A click on a bar lists that interval's alerts.
      const c = alertRate(pts, st.bucket_s || 60, (from, to) => {
        location.hash = href('alerts', { node, rule, since: new Date(from).toISOString(), until: new Date(to).toISOString() });
      });
      c.node.dataset.total = String(total);
      show(h('div', null, h('p', { class: 'chart-caption' }, num(total) + ' alerts in the last ' + since + '; click a bar for its alerts'), c.node));
      chart = c;
    }),
    destroy() { if (chart) chart.destroy(); chart = null; },
  };
}

export function rangeSwitch(route, current) {
  return h('span', { class: 'seg' }, Object.keys(RANGES).map((r) => h('a', {
    href: '#/' + route.path.join('/') + '?' + new URLSearchParams({ ...params(route), range: r }).toString(),
    class: r === current ? 'on' : '',
  }, r)));
}

export function render(root, route) {
  const f = params(route);
  const range = RANGES[f.range] ? f.range : '24h';
  const rate = alertRateBlock(range, f.node);
  const listBox = h('div', { class: 'list-slot' });
  let alive = true;

  const input = filterBox('filter: workload, rule, node, text', f.q, (q) => {
    f.q = q;
    replace({ q, page: '', before: '' });
    load();
  });
  const scope = [f.node ? ['node', f.node] : null, f.rule ? ['rule', f.rule] : null, f.state ? ['state', f.state] : null,
    f.workload ? ['workload', f.workload] : null].filter(Boolean);
  put(root, 
    heading('Incidents', 'every node’s alerts, grouped by workload and incident', input),
    scope.length ? h('div', { class: 'scope' }, 'showing only ', scope.map(([k, v]) => h('span', { class: 'chip' }, k + ': ' + v)),
      link('clear', 'incidents', f.q ? { q: f.q } : null)) : null,
    section('Alerts over time', h('div', { class: 'block-tools' }, rangeSwitch(route, range)), rate.node),
    section('Incidents', listBox));

  const load = coalesce(loadNow); // one request at a time, however slow the cockpit

  async function loadNow() {
    const here = current();
    const p = pageOf(here);
    try {
      const res = await fetchIncidents(f, p, PAGE, here.query.get('before'));
      if (!alive) return;
      const none = f.q || scope.length ? empty('No incident matches', 'clear the filter to see every incident')
        : empty('No incidents yet', 'alerts from agents appear here, grouped into incidents');
      fill(listBox,
        pager(here, res, p, PAGE),
        incidentTable(res.items, none),
        res.capped ? h('p', { class: 'note' }, 'Only the newest ' + num(FALLBACK_LIMIT) + ' incidents are searched for this filter.') : null);
    } catch (e) {
      if (alive) fill(listBox, errorBox(e));
    }
  }
  load();
  rate.update();
  return {
    refresh() { load(); rate.update(); },
    destroy() { alive = false; rate.destroy(); },
  };
}
