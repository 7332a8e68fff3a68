// #/incidents/ID — one incident: what happened in one line, its timeline drawn as a chart, and
// the evidence (alerts, destinations, secrets read, processes, flows, events).
import { get } from './api.js';
import { incidentTimeline } from './charts.js';
import {
  badge, bytes, empty, errorBox, facts, fmtDuration, fmtTimeFine, h, link, nsToMs, num, section,
  longTable, put, sevBadge, sevClass, timeMs, workloadName, fill,
} from './dom.js';

// Rows shown at first (and added per "show more"): an incident may keep thousands of each.
const STEP = { alerts: 100, evidence: 50, events: 50 };

function peer(addr, port) {
  if (!addr) return '';
  return addr.includes(':') ? '[' + addr + ']:' + port : addr + ':' + port;
}

function code(text) {
  return h('code', null, text === undefined || text === null ? '' : String(text));
}

function maxSeverity(alerts) {
  return alerts.reduce((m, a) => Math.max(m, Number(a.severity || 0)), 0);
}

// How many alerts of each rule, the most frequent first: the shape of an incident at a glance.
function ruleCounts(alerts) {
  const by = new Map();
  for (const a of alerts) {
    const k = a.rule_id || '?';
    const e = by.get(k) || { n: 0, name: a.rule_name || '', sev: 0 };
    e.n++;
    e.sev = Math.max(e.sev, Number(a.severity || 0));
    by.set(k, e);
  }
  return h('div', { class: 'rule-counts' }, [...by.entries()].sort((x, y) => y[1].n - x[1].n).map(([rule, e]) =>
    h('span', { class: 'rule-count', title: e.name }, sevBadge(e.sev), ' ', h('span', { class: 'chip' }, rule), ' ', e.name, ' ',
      h('strong', null, '× ' + num(e.n)))));
}

function alertTable(alerts) {
  const sorted = alerts.slice().sort((a, b) => timeMs(a) - timeMs(b));
  if (!sorted.length) return empty('No alerts in this incident');
  return h('div', null, ruleCounts(sorted), longTable(['time', { label: 'sev', cls: 'narrow' }, 'rule', { label: 'message', cls: 'wide' }, 'process'], sorted.length, (i) => {
    const a = sorted[i];
    return { cls: 'sevrow ' + sevClass(a.severity),
      cells: [fmtTimeFine(timeMs(a)), sevBadge(a.severity),
        h('span', null, link(a.rule_id || '', 'alerts', { rule: a.rule_id }, 'chip'), ' ', a.rule_name || ''),
        h('span', { class: 'msg' }, a.message || ''),
        a.process ? (a.process.comm || '') + ' [' + (a.process.pid || '') + ']' : ''] };
  }, null, 'grid alerts', STEP.alerts));
}

function destinations(r) {
  const list = r.destinations || [];
  return longTable(['destination', 'name', 'protocol', { label: 'conns', cls: 'num' }, 'sent / received', 'interval', 'beacon'],
    list.length, (i) => {
      const d = list[i];
      const score = Number(d.beacon_score || 0);
      const bar = h('span', { class: 'bar' });
      bar.style.width = Math.round(score * 60) + 'px'; // CSSOM, allowed by the CSP
      return [peer(d.addr, d.port) + (d.transport ? '/' + d.transport : ''), d.dns || '', d.protocol || '',
        num(d.connections), bytes(d.bytes_out) + ' / ' + bytes(d.bytes_in),
        d.interval_ns ? (Number(d.interval_ns) / 1e9).toFixed(2) + ' s' : '',
        h('span', { class: score >= 0.8 ? 'beacon hot' : 'beacon' }, bar, score ? score.toFixed(2) + (d.beacon_band ? ' ' + d.beacon_band : '') : '–')];
    }, empty('No network activity recorded'), 'grid destinations', STEP.evidence);
}

function files(r) {
  const list = r.files || [];
  return longTable(['time', 'path', 'bytes', 'sha256 (sample)', 'sent to'], list.length, (i) => {
    const f = list[i];
    return [fmtTimeFine(nsToMs(f.time_ns)), code(f.path), bytes(f.bytes), code((f.sample_sha256 || '').slice(0, 16)),
      (f.sent_to || []).join(', ')];
  }, empty('No secrets or sensitive files read'), 'grid files', STEP.evidence);
}

function processes(r) {
  const list = r.processes || [];
  return longTable(['pid', 'comm', 'exe', 'language', 'evidence'], list.length, (i) => {
    const p = list[i];
    return [String(p.pid || ''), p.comm || '', code(p.exe), (p.language || '') + (p.language_version ? ' ' + p.language_version : ''),
      p.language_evidence || ''];
  }, empty('No processes recorded'), 'grid processes', STEP.evidence);
}

function flows(r) {
  const list = r.flows || [];
  return longTable(['time', 'dir', 'peer', 'protocol', 'entropy', 'bytes', 'sample'], list.length, (i) => {
    const f = list[i];
    return [fmtTimeFine(nsToMs(f.time_ns)), f.direction || '', peer(f.addr, f.port), (f.protocol || '') + (f.via_iouring ? ' (io_uring)' : ''),
      f.entropy !== undefined ? Number(f.entropy).toFixed(2) : '', bytes(f.bytes),
      code((f.sample_hex || '').slice(0, 64) + ((f.redactions || []).length ? ' [redacted]' : ''))];
  }, empty('No payload captured'), 'grid flows', STEP.evidence);
}

function eventList(events) {
  return longTable(['time', 'kind', 'pid', 'comm', { label: 'detail', cls: 'wide' }], events.length, (i) => {
    const e = events[i];
    return [fmtTimeFine(nsToMs(e.time_ns)), (e.kind || '') + (e.via_iouring ? ' (io_uring)' : ''), String(e.pid || ''),
      e.comm || '', code(e.detail)];
  }, empty('No events kept'), 'grid events', STEP.events);
}

export function render(root, route) {
  const id = route.path[1] || '';
  let alive = true;
  let chart = null;
  put(root, h('p', { class: 'loading' }, 'Loading incident ' + id + '…'));
  get('/api/v1/incidents/' + encodeURIComponent(id)).then((r) => {
    if (!alive) return;
    const alerts = r.alerts || [];
    const events = r.events || [];
    const sev = maxSeverity(alerts);
    const w = r.workload || {};
    const start = nsToMs(r.start_ns);
    const end = nsToMs(r.end_ns);
    const node = r.node || r.host;
    chart = incidentTimeline(events.map((e) => ({ ms: nsToMs(e.time_ns), kind: e.kind })),
      alerts.map((a) => ({ ms: timeMs(a), severity: a.severity, rule: a.rule_id })), [start, end]);
    chart.node.dataset.events = String(events.length);
    chart.node.dataset.alerts = String(alerts.length);
    fill(root,
      h('div', { class: 'crumbs' }, link('Incidents', 'incidents'), ' / ', node ? [link(node, ['nodes', node]), ' / '] : null,
        h('span', null, workloadName(w))),
      h('div', { class: 'incident-head sevrow ' + sevClass(sev) },
        h('div', null, h('h1', { id: 'd-title' }, workloadName(w) || '(unnamed workload)'),
          h('p', { class: 'sub mono' }, 'incident ' + r.incident_id)),
        h('div', { class: 'tools' }, alerts.length ? sevBadge(sev) : null, badge(r.state))),
      h('p', { id: 'd-summary', class: 'summary' }, r.summary || ''),
      facts([
        ['window', fmtTimeFine(start) + ' → ' + fmtTimeFine(end) + (end > start ? ' (' + fmtDuration((end - start) / 1e3) + ')' : '')],
        ['node', node ? link(node, ['nodes', node]) : ''],
        ['workload', w.id && w.id !== w.name ? code(w.id) : ''],
        ['namespace / pod', w.namespace ? w.namespace + '/' + (w.pod || '') : ''],
        ['cgroup', w.cgroup ? code(w.cgroup) : ''],
        ['container', w.container_id ? code(w.container_id) : ''],
        ['rules', (r.rules || []).length ? h('span', { class: 'chips' }, r.rules.map((x) => link(x, 'incidents', { rule: x }, 'chip'))) : ''],
        ['languages', (r.languages || []).join(', ')],
        ['events kept', num(r.event_count || events.length) + (r.events_dropped ? ' (' + num(r.events_dropped) + ' dropped)' : '')],
      ]),
      section('Timeline', h('p', { class: 'chart-caption' }, events.length + ' events and ' + alerts.length +
        (r.alerts_omitted ? ' (first)' : '') + ' alerts; drag across the chart to zoom in, double-click to zoom out'), chart.node),
      // a huge incident's report holds its first alerts only: the alert list has them all
      section(r.alerts_omitted ? 'Alerts (the first ' + num(alerts.length) + ' of ' + num(alerts.length + r.alerts_omitted) + ')'
        : 'Alerts (' + alerts.length + ')',
      r.alerts_omitted ? h('p', { id: 'd-alerts-omitted', class: 'more-link' },
        link('all ' + num(alerts.length + r.alerts_omitted) + ' alerts of this incident ›', 'alerts', { incident: r.incident_id })) : null,
      alertTable(alerts)),
      section('Destinations', destinations(r)),
      section('Secrets and sensitive files read', files(r)),
      section('Processes', processes(r)),
      section('Flows', flows(r)),
      section('Events (' + num(events.length) + ')', eventList(events)));
  }).catch((e) => {
    if (!alive) return;
    fill(root, h('div', { class: 'crumbs' }, link('Incidents', 'incidents')),
      e.status === 404 ? empty('No incident ' + id, 'it may have been removed by the retention policy') : errorBox(e));
  });
  return { destroy() { alive = false; if (chart) chart.destroy(); } };
}
