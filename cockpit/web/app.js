// Vigil cockpit page: lists incidents and shows one incident's evidence. Every value from the
// API is inserted as text (never as HTML), so evidence cannot inject markup into the page.
'use strict';

const state = { incidents: [], selected: null, token: sessionStorage.getItem('vigil-token') || '' };
const $ = (sel) => document.querySelector(sel);

async function api(path) {
  const headers = state.token ? { Authorization: 'Bearer ' + state.token } : {};
  const res = await fetch(path, { headers });
  if (res.status === 401) {
    $('#login').hidden = false;
    throw new Error('token needed');
  }
  if (!res.ok) throw new Error(path + ': HTTP ' + res.status);
  return res.json();
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    if (c instanceof Node) td.appendChild(c); else td.textContent = c === undefined || c === null ? '' : String(c);
    tr.appendChild(td);
  }
  return tr;
}

function fill(tableSel, rows, emptyText) {
  const body = $(tableSel + ' tbody');
  body.replaceChildren();
  if (!rows.length) {
    const tr = row([el('span', emptyText, 'none')]);
    tr.firstChild.colSpan = $(tableSel + ' thead tr').children.length;
    body.appendChild(tr);
    return;
  }
  for (const r of rows) body.appendChild(r);
}

function ts(ns) {
  if (!ns) return '';
  const d = new Date(Number(ns) / 1e6);
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

function bytes(n) {
  n = Number(n || 0);
  if (n < 1024) return n + ' B';
  if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1048576).toFixed(1) + ' MiB';
}

function sevBadge(sev) {
  const s = Number(sev || 0);
  return el('span', s, 'sev ' + (s >= 8 ? 'high' : s >= 4 ? 'mid' : 'low'));
}

function workloadName(w) {
  if (!w) return '';
  return w.name || (w.container_id ? w.container_id.slice(0, 12) : '') || w.cgroup || w.id || '';
}

function peer(addr, port) {
  if (!addr) return '';
  return addr.includes(':') ? '[' + addr + ']:' + port : addr + ':' + port;
}

function renderList() {
  const q = $('#filter').value.trim().toLowerCase();
  const body = $('#incidents tbody');
  body.replaceChildren();
  const shown = state.incidents.filter((i) => !q || JSON.stringify(i).toLowerCase().includes(q));
  for (const inc of shown) {
    const tr = row([ts(inc.opened_ns), workloadName(inc.workload), (inc.rules || []).join(' '),
      inc.alert_count, el('span', inc.state, 'badge ' + inc.state)]);
    tr.dataset.id = inc.incident_id;
    tr.title = inc.summary || '';
    if (inc.incident_id === state.selected) tr.classList.add('selected');
    tr.addEventListener('click', () => select(inc.incident_id));
    body.appendChild(tr);
  }
  $('#empty').hidden = state.incidents.length > 0;
}

async function refreshList() {
  try {
    const [list, health] = await Promise.all([api('/api/v1/incidents?limit=500'), api('/api/v1/health')]);
    state.incidents = list.incidents || [];
    $('#health').textContent = 'store ' + health.store + ' · ' + health.received.alerts +
      ' alerts and ' + health.received.reports + ' reports received · vigil ' + health.version;
    renderList();
  } catch (e) {
    $('#health').textContent = String(e.message || e);
  }
}

function renderDetail(r) {
  $('#detail').hidden = false;
  $('#d-title').textContent = workloadName(r.workload) + ' — incident ' + r.incident_id.slice(0, 12);
  const st = $('#d-state');
  st.textContent = r.state;
  st.className = 'badge ' + r.state;
  $('#d-summary').textContent = r.summary || '';

  const facts = $('#d-facts');
  facts.replaceChildren();
  const w = r.workload || {};
  const add = (k, v) => { if (v !== undefined && v !== null && v !== '') { facts.appendChild(el('dt', k)); facts.appendChild(el('dd', v)); } };
  add('window', ts(r.start_ns) + ' → ' + ts(r.end_ns));
  add('host', r.host);
  add('cgroup', w.cgroup);
  add('container', w.container_id);
  add('rules', (r.rules || []).join(', '));
  add('languages', (r.languages || []).join(', '));
  add('events kept', (r.event_count || 0) + (r.events_dropped ? ' (' + r.events_dropped + ' dropped)' : ''));

  fill('#d-alerts', (r.alerts || []).map((a) => row([a.time || ts(a.time_ns), a.rule_id + ' ' + (a.rule_name || ''),
    sevBadge(a.severity), a.message, a.process ? (a.process.comm + ' [' + a.process.pid + ']') : ''])), 'no alerts');

  fill('#d-destinations', (r.destinations || []).map((d) => {
    const score = Number(d.beacon_score || 0);
    const beacon = el('span');
    const bar = el('span', null, 'bar');
    bar.style.width = Math.round(score * 60) + 'px';
    beacon.append(bar, score ? score.toFixed(2) + (d.beacon_band ? ' ' + d.beacon_band : '') : '–');
    return row([peer(d.addr, d.port) + (d.transport ? '/' + d.transport : ''), d.dns, d.protocol,
      d.connections, bytes(d.bytes_out) + ' / ' + bytes(d.bytes_in),
      d.interval_ns ? (Number(d.interval_ns) / 1e9).toFixed(2) + ' s' : '', beacon]);
  }), 'no network activity recorded');

  fill('#d-files', (r.files || []).map((f) => row([ts(f.time_ns), el('code', f.path), bytes(f.bytes),
    el('code', (f.sample_sha256 || '').slice(0, 16)), (f.sent_to || []).join(', ')])), 'none read');

  fill('#d-processes', (r.processes || []).map((p) => row([p.pid, p.comm, el('code', p.exe),
    (p.language || '') + (p.language_version ? ' ' + p.language_version : ''), p.language_evidence])), 'none');

  fill('#d-flows', (r.flows || []).map((f) => row([ts(f.time_ns), f.direction, peer(f.addr, f.port),
    f.protocol + (f.via_iouring ? ' (io_uring)' : ''), f.entropy !== undefined ? Number(f.entropy).toFixed(2) : '',
    bytes(f.bytes), el('code', (f.sample_hex || '').slice(0, 64) + ((f.redactions || []).length ? ' [redacted]' : ''))])), 'no payload captured');

  const events = r.events || [];
  $('#d-event-count').textContent = events.length;
  fill('#d-events', events.map((e) => row([ts(e.time_ns), e.kind + (e.via_iouring ? ' (io_uring)' : ''), e.pid, e.comm,
    el('code', e.detail)])), 'no events');
}

async function select(id) {
  state.selected = id;
  location.hash = id;
  renderList();
  try {
    renderDetail(await api('/api/v1/incidents/' + encodeURIComponent(id)));
  } catch (e) {
    $('#d-summary').textContent = String(e.message || e);
  }
}

$('#login').addEventListener('submit', (ev) => {
  ev.preventDefault();
  state.token = $('#token').value;
  sessionStorage.setItem('vigil-token', state.token);
  $('#login').hidden = true;
  refreshList();
});
$('#filter').addEventListener('input', renderList);

refreshList().then(() => {
  const id = location.hash.slice(1);
  if (/^[0-9a-f]{1,32}$/.test(id)) select(id);
});
setInterval(refreshList, 5000);
