// #/alerts?rule=&node=&workload=&q=&since=&until=&range=&page= — every alert of the fleet, newest first, with
// their rate over time (a click on a bar lists that interval: since/until).
import { coalesce, listPage, rfc3339Ns } from './api.js';
import {
  dim, empty, errorBox, filterBox, fmtTime, h, heading, link, pageOf, pager, put, section, sevBadge, sevClass, table, timeMs, when,
  workloadName, fill,
} from './dom.js';
import { alertRateBlock, rangeSwitch } from './incidents.js';
import { current, params, replace } from './router.js';

const PAGE = 50;

// A since/until scope reads as a time; others as they are.
function scopeText(k, v) {
  const t = Date.parse(v);
  return (k === 'since' || k === 'until') && Number.isFinite(t) ? fmtTime(t) : v;
}

function matches(a, f) {
  if (f.rule && a.rule_id !== f.rule) return false;
  if (f.node && a.node !== f.node) return false;
  if (f.workload && workloadName(a.workload) !== f.workload) return false;
  return !f.q || JSON.stringify(a).toLowerCase().includes(f.q.toLowerCase());
}

export function alertRows(items) {
  return items.map((a) => ({
    cls: 'sevrow ' + sevClass(a.severity),
    cells: [when(timeMs(a)), sevBadge(a.severity),
      h('span', null, link(a.rule_id || '', 'alerts', { rule: a.rule_id }, 'chip'), ' ', h('span', { class: 'dim' }, a.rule_name || '')),
      a.node ? link(a.node, ['nodes', a.node]) : dim('–'), workloadName(a.workload),
      h('span', { class: 'msg' }, a.message || ''),
      a.process ? (a.process.comm || '') + ' [' + (a.process.pid || '') + ']' : '',
      a.incident_id ? link(String(a.incident_id).slice(0, 8), ['incidents', a.incident_id], null, 'mono') : ''],
  }));
}

export const ALERT_COLS = ['time', { label: 'sev', cls: 'narrow' }, 'rule', 'node', 'workload', { label: 'message', cls: 'wide' },
  'process', 'incident'];

export function render(root, route) {
  const f = params(route);
  delete f.page;
  delete f.before;
  const listBox = h('div');
  let alive = true;
  const input = filterBox('filter: rule, message, process, workload', f.q, (q) => {
    f.q = q;
    replace({ q, page: '', before: '' });
    load();
  });
  const scope = ['incident', 'rule', 'node', 'workload', 'since', 'until'].filter((k) => f[k]);
  const range = ['1h', '24h', '7d'].includes(f.range) ? f.range : '24h';
  const rate = alertRateBlock(range, f.node, f.rule);
  put(root, heading('Alerts', 'every alert of every node, newest first', input),
    scope.length ? h('div', { class: 'scope' }, 'showing only ', scope.map((k) => h('span', { class: 'chip' }, k + ': ' + scopeText(k, f[k]))),
      link('clear', 'alerts', f.q ? { q: f.q } : null)) : null,
    f.since || f.until ? null : section('Alerts over time' + (f.rule ? ' (' + f.rule + ')' : ''), h('div', { class: 'block-tools' }, rangeSwitch(route, range)), rate.node),
    listBox);

  const load = coalesce(loadNow); // one request at a time, however slow the cockpit

  async function loadNow() {
    const here = current();
    const p = pageOf(here);
    try {
      const res = await listPage({ path: '/api/v1/alerts', key: 'alerts', match: (a) => matches(a, f), page: p, size: PAGE,
        filters: { incident: f.incident, rule: f.rule, node: f.node, workload: f.workload, q: f.q, since: f.since, until: f.until },
        before: here.query.get('before'), cursorOf: (a) => rfc3339Ns(a.time) });
      if (!alive) return;
      if (!res) {
        fill(listBox, empty('This cockpit does not list alerts', 'needs GET /api/v1/alerts (cockpit v2); incidents hold them meanwhile'),
          h('p', { class: 'more-link' }, link(f.rule ? 'incidents with ' + f.rule + ' ›' : 'incidents ›', 'incidents', { rule: f.rule })));
        return;
      }
      const none = f.q || scope.length ? empty('No alert matches', 'clear the filter to see every alert')
        : empty('No alerts yet', 'agents send every alert they raise');
      fill(listBox, pager(here, res, p, PAGE),
        table(ALERT_COLS, alertRows(res.items), none, 'grid alerts'));
    } catch (e) {
      if (alive) fill(listBox, errorBox(e));
    }
  }
  load();
  if (!f.since && !f.until) rate.update();
  return {
    refresh() { load(); if (!f.since && !f.until) rate.update(); },
    destroy() { alive = false; rate.destroy(); },
  };
}
