// #/search?q=TEXT — one box over everything: nodes, workloads, incidents and alerts matching
// the text, ten of each, with a link to the full filtered list.
import { listPage, optional } from './api.js';
import { dim, empty, errorBox, h, heading, link, num, statusDot, table, timeMs, when, put } from './dom.js';
import { ALERT_COLS, alertRows } from './alerts.js';
import { fetchIncidents, incidentTable } from './incidents.js';
import { workloadCols, workloadRows } from './workloads.js';

const TOP = 10;

const allText = (res, what) => (res.exact ? 'all ' + num(res.total) + ' ' + what + ' matching ›' : 'all ' + what + ' matching ›');

function block(title, total, exact, allLink, content) {
  return h('section', { class: 'block result', dataset: { kind: title.toLowerCase() } },
    h('h2', null, title, ' ', h('span', { class: 'count' }, total === null ? '' : num(total) + (exact === false ? '+' : ''))),
    content, total > TOP && allLink ? h('p', { class: 'more-link' }, allLink) : null);
}

// Nodes from /api/v1/search (at most SEARCH_MAX of each kind), not the whole node list.
const SEARCH_MAX = 20;
async function nodes(q) {
  const res = await optional('/api/v1/search', { q });
  if (!res) return block('Nodes', null, true, null, dim('this cockpit does not list nodes'));
  const hits = res.nodes || [];
  const exact = hits.length < SEARCH_MAX;
  return block('Nodes', hits.length, exact, link(exact ? 'all ' + num(hits.length) + ' nodes matching ›' : 'all nodes matching ›', 'fleet', { q }),
    table(['status', 'node', 'agent', 'last heartbeat'], hits.slice(0, TOP).map((n) => [statusDot(n.status),
      link(n.name, ['nodes', n.name], null, 'strong'), n.version || '', when(timeMs(n))]), empty('No node matches')));
}

async function workloads(q) {
  const res = await listPage({ path: '/api/v1/workloads', key: 'workloads', filters: { q }, page: 1, size: TOP,
    match: (w) => JSON.stringify(w).toLowerCase().includes(q.toLowerCase()) });
  if (!res) return block('Workloads', null, true, null, dim('this cockpit does not list workloads'));
  return block('Workloads', res.total, res.exact, link(allText(res, 'workloads'), 'workloads', { q }),
    table(workloadCols(), workloadRows(res.items, {}), empty('No workload matches')));
}

async function incidents(q) {
  const res = await fetchIncidents({ q }, 1, TOP);
  return block('Incidents', res.total, res.exact, link(allText(res, 'incidents'), 'incidents', { q }),
    incidentTable(res.items, empty('No incident matches')));
}

async function alerts(q) {
  const res = await listPage({ path: '/api/v1/alerts', key: 'alerts', filters: { q }, page: 1, size: TOP,
    match: (a) => JSON.stringify(a).toLowerCase().includes(q.toLowerCase()) });
  if (!res) return block('Alerts', null, true, null, dim('this cockpit does not list alerts'));
  return block('Alerts', res.total, res.exact, link(allText(res, 'alerts'), 'alerts', { q }),
    table(ALERT_COLS, alertRows(res.items), empty('No alert matches'), 'grid alerts'));
}

export function render(root, route) {
  const q = (route.query.get('q') || '').trim();
  let alive = true;
  put(root, heading('Search', q ? 'everything matching “' + q + '”' : 'type in the box above'));
  if (!q) return { destroy() { alive = false; } };
  const slots = [nodes, workloads, incidents, alerts].map(() => h('div', { class: 'slot' }, h('p', { class: 'loading' }, 'searching…')));
  put(root, ...slots);
  [nodes, workloads, incidents, alerts].forEach((fn, i) => {
    fn(q).then((node) => { if (alive) slots[i].replaceChildren(node); })
      .catch((e) => { if (alive) slots[i].replaceChildren(errorBox(e)); });
  });
  return { destroy() { alive = false; } };
}
