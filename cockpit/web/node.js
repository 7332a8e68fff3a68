// #/nodes/NAME — one node's last heartbeat: agent, kernel, hooks attached, sensor drops by
// cause, sinks and spool, its workloads and its latest incidents.
import { coalesce, get } from './api.js';
import {
  empty, errorBox, facts, fmtDuration, fmtTimeFine, h, link, longTable, num, put, section, statusDot, table, timeMs, when, fill,
} from './dom.js';
import { fetchIncidents, incidentTable } from './incidents.js';
import { workloadCols, workloadRow } from './workloads.js';

function count(n) {
  n = Number(n || 0);
  return h('span', { class: n > 0 ? 'bad' : 'zero' }, num(n));
}

function drops(sensor) {
  const d = (sensor && sensor.drops) || {};
  const rows = Object.entries(d).map(([cause, n]) => [cause, count(n)]);
  return table(['cause', { label: 'dropped', cls: 'num' }], rows, empty('No drop counters reported'), 'grid compact drops');
}

function sinks(list) {
  return table(['sink', { label: 'sent', cls: 'num' }, { label: 'failed', cls: 'num' }, { label: 'queued', cls: 'num' },
    { label: 'dropped', cls: 'num' }], (list || []).map((s) => [s.name || '', num(s.sent), count(s.failed), num(s.queued), count(s.dropped)]),
  empty('No sinks reported'), 'grid compact sinks');
}

function hooks(list) {
  return table(['hook', 'attached', 'flavour'], (list || []).map((k) => ({
    title: k.state || '', // e.g. why a fallback flavour was used
    cells: [h('code', null, k.name || ''), k.attached ? h('span', { class: 'ok-text' }, 'yes') : h('span', { class: 'bad' }, 'no'),
      h('span', { class: /fallback/.test(k.state || '') ? 'warn' : '' }, k.flavour || '')],
  })), empty('No hooks reported'), 'grid compact hooks');
}

export function render(root, route) {
  const name = route.path[1] || '';
  let alive = true;
  const head = h('div');
  const body = h('div');
  const incBox = h('div');
  put(root, h('div', { class: 'crumbs' }, link('Fleet', 'fleet'), ' / ', h('span', null, name)), head, body,
    section('Latest incidents on ' + name, incBox, h('p', { class: 'more-link' }, link('all incidents of this node ›', 'incidents', { node: name }))));

  const load = coalesce(loadNow); // one request at a time, however slow the cockpit

  async function loadNow() {
    try {
      const n = await get('/api/v1/nodes/' + encodeURIComponent(name));
      if (!alive) return;
      const hb = n.heartbeat || n;
      const health = n.health || {};
      const spool = hb.spool || {};
      fill(head, h('div', { class: 'view-head' },
        h('div', null, h('h1', { id: 'node-name' }, n.name || name),
          h('p', { class: 'sub' }, 'last heartbeat ', when(timeMs(n)), ' · ', fmtTimeFine(timeMs(n)))),
        h('div', { class: 'tools' }, statusDot(n.status))));
      const wls = (n.workloads || []).map((w) => ({ node: n.name || name, ...w }));
      fill(body,
        facts('wide', [['agent', n.version || hb.version], ['kernel', n.kernel || hb.kernel],
          ['uptime', (n.uptime_s ?? hb.uptime_s) !== undefined ? fmtDuration(n.uptime_s ?? hb.uptime_s) : ''],
          ['boot id', hb.boot_id ? h('code', null, hb.boot_id) : ''],
          ['events seen', hb.sensor && hb.sensor.events !== undefined ? num(hb.sensor.events) : ''],
          ['drops', count(health.drops)], ['sink failures', count(health.sink_failures)],
          ['spool', h('span', null, spool.items !== undefined ? num(spool.items) + ' items, ' + num(spool.bytes) + ' bytes, ' : '',
            count(spool.dropped ?? health.spool_dropped), ' dropped')]]),
        h('div', { class: 'cols3' },
          section('Sensor drops', drops(hb.sensor)), section('Sinks', sinks(hb.sinks)), section('Hooks', hooks(hb.hooks))),
        section('Workloads (' + num(wls.length) + ')', longTable(workloadCols({ node: true }), wls.length,
          (i) => workloadRow(wls[i], { node: true, filters: { node: name } }),
          empty('No workloads on this node', 'the agent watches containers and the services its config names'), 'grid workloads', 100)));
    } catch (e) {
      if (!alive) return;
      fill(head);
      fill(body, e.status === 404 ? empty('No node named ' + name, 'a node appears after its first heartbeat') : errorBox(e));
    }
  }
  const loadIncidents = coalesce(loadIncidentsNow); // one request at a time, however slow the cockpit
  async function loadIncidentsNow() {
    try {
      const res = await fetchIncidents({ node: name }, 1, 10);
      if (alive) fill(incBox, incidentTable(res.items, empty('No incidents on this node')));
    } catch (e) {
      if (alive) fill(incBox, errorBox(e));
    }
  }
  load();
  loadIncidents();
  return { refresh() { load(); loadIncidents(); }, destroy() { alive = false; } };
}
