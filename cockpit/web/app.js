// The cockpit page: a console over the fleet's nodes, workloads, profiles, incidents and
// alerts. app.js routes the URL's hash to a view (one module each), keeps the header's health
// line, asks for the analyst token when the API wants one, and refreshes the view every 5 s.
import { coalesce, get, setToken, whenAuthNeeded } from './api.js';
import { h, num, put, fill } from './dom.js';
import { current, go } from './router.js';
import * as alerts from './alerts.js';
import * as fleet from './fleet.js';
import * as incident from './incident.js';
import * as incidents from './incidents.js';
import * as node from './node.js';
import * as profile from './profile.js';
import * as search from './search.js';
import * as workloads from './workloads.js';

const REFRESH_MS = 5000;
const $ = (sel) => document.querySelector(sel);

// path[0] -> [view, nav tab, title]
function viewFor(path) {
  switch (path[0]) {
    case 'fleet': return [fleet, 'fleet', 'Fleet'];
    case 'nodes': return path[1] ? [node, 'fleet', 'Node ' + path[1]] : [fleet, 'fleet', 'Fleet'];
    case 'workloads': return [workloads, 'workloads', 'Workloads'];
    case 'profiles': return [profile, 'workloads', 'Profile'];
    case 'diff': return [profile, 'workloads', 'Profile diff'];
    case 'incidents': return path[1] ? [incident, 'incidents', 'Incident ' + path[1].slice(0, 12)] : [incidents, 'incidents', 'Incidents'];
    case 'alerts': return [alerts, 'alerts', 'Alerts'];
    case 'search': return [search, '', 'Search'];
    default: return [null, '', 'Not found'];
  }
}

let active = null; // { inst: what the view's render() returned }

function show() {
  // Links from older cockpits named an incident as #ID.
  if (/^#[0-9a-f]{1,32}$/.test(location.hash)) history.replaceState(null, '', '#/incidents/' + location.hash.slice(1));
  const route = current();
  if (active && active.inst && active.inst.destroy) active.inst.destroy();
  const [view, tab, title] = viewFor(route.path);
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('on', a.dataset.view === tab);
  document.title = title + ' · Vigil cockpit';
  const root = $('#view');
  fill(root);
  root.dataset.view = route.path[0];
  const q = route.path[0] === 'search' ? route.query.get('q') || '' : null;
  if (q !== null) $('#search-q').value = q;
  let inst = null;
  if (view) inst = view.render(root, route);
  else put(root, h('div', { class: 'empty' }, h('strong', null, 'Nothing here'), h('a', { href: '#/fleet' }, 'go to the fleet')));
  active = { inst };
}

const refreshHealth = coalesce(refreshHealthNow);
async function refreshHealthNow() {
  try {
    const hl = await get('/api/v1/health');
    const parts = [];
    if (hl.nodes) { // counted by the cockpit: no node list is fetched for the header
      const on = Number(hl.nodes.online || 0);
      const all = on + Number(hl.nodes.stale || 0) + Number(hl.nodes.offline || 0);
      parts.push(h('span', { class: 'status ' + (on ? 'online' : 'offline') }, h('i'), num(on) + ' / ' + num(all) + ' nodes online'));
    }
    const rx = hl.received || {};
    parts.push(h('span', null, 'store ' + (hl.store || '?')), h('span', null, num(rx.alerts) + ' alerts received'),
      h('span', null, 'vigil ' + (hl.version || '?')));
    $('#health').replaceChildren(...parts);
  } catch (e) {
    $('#health').replaceChildren(h('span', { class: 'error' }, String(e.message || e)));
  }
}

function refresh() {
  if (document.hidden) return;
  refreshHealth();
  if (active && active.inst && active.inst.refresh && !$('#login:not([hidden])')) active.inst.refresh();
}

whenAuthNeeded(() => {
  $('#login').hidden = false;
  $('#token').focus();
});

$('#login').addEventListener('submit', (ev) => {
  ev.preventDefault();
  setToken($('#token').value);
  $('#login').hidden = true;
  active = null;
  show();
  refreshHealth();
});

$('#search').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const q = $('#search-q').value.trim();
  if (q) go('search', { q });
});

// "/" focuses the search box, as in most consoles.
document.addEventListener('keydown', (ev) => {
  if (ev.key === '/' && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
    ev.preventDefault();
    $('#search-q').focus();
  }
});

window.addEventListener('hashchange', show);
if (!location.hash || location.hash === '#' || location.hash === '#/') history.replaceState(null, '', '#/fleet');
show();
refreshHealth();
setInterval(refresh, REFRESH_MS);
