// #/profiles/DIGEST — one profile (SBoB) as its YAML, highlighted, with who signed it and how
// complete it is; #/diff/A/B — what differs between two profiles, as `vigil profile diff`
// prints it. The page links A = the profile in force, B = the one the workload learned, so a
// "+" line is behaviour learned beyond what is enforced.
import { get, optional } from './api.js';
import { badge, dim, empty, errorBox, facts, h, link, num, section, shortDigest, when, put, fill } from './dom.js';
import { yamlBlock } from './yaml.js';

function kindBadge(kind) {
  return badge(kind === 'in_force' ? 'in force' : kind || 'profile', kind || '');
}

function workloadOf(p) {
  const w = p.workload;
  if (!w) return '';
  if (typeof w === 'string') return w;
  return (w.namespace ? w.namespace + '/' : '') + (w.name || '');
}

function workloadName(p) {
  const w = p.workload;
  return typeof w === 'string' ? w : (w && w.name) || '';
}

function meta(p) {
  return facts([['node', p.node ? link(p.node, ['nodes', p.node]) : ''],
    ['workload', workloadOf(p) ? link(workloadOf(p), 'workloads', { node: p.node, w: (p.node || '') + '/' + workloadName(p) }) : ''],
    ['digest', h('code', null, p.digest || '')],
    ['signer', p.signer ? p.signer : h('span', { class: 'warn' }, 'unsigned')],
    ['completion', p.completion ? badge(p.completion, p.completion === 'complete' ? 'ok' : 'partial') : ''],
    ['received', p.received ? h('span', null, when(Date.parse(p.received)), dim(' · ' + p.received)) : '']]);
}

// The newest profile of the other kind for the same workload: what a diff compares against.
async function counterpart(p) {
  const res = await optional('/api/v1/profiles', { node: p.node, workload: workloadName(p) });
  const other = p.kind === 'learned' ? 'in_force' : 'learned';
  return ((res && res.profiles) || []).filter((x) => x.kind === other)
    .sort((a, b) => String(b.received).localeCompare(String(a.received)))[0];
}

function renderProfile(root, digest, alive) {
  put(root, h('p', { class: 'loading' }, 'Loading profile ' + shortDigest(digest) + '…'));
  get('/api/v1/profiles/' + encodeURIComponent(digest)).then(async (p) => {
    if (!alive()) return;
    const other = await counterpart(p).catch(() => null);
    const lines = String(p.yaml || '').split('\n').length;
    const diffLink = other && other.digest !== p.digest
      ? link(p.kind === 'learned' ? 'diff with the profile in force' : 'diff with the learned profile',
        p.kind === 'learned' ? ['diff', other.digest, p.digest] : ['diff', p.digest, other.digest], null, 'button') : null;
    fill(root,
      h('div', { class: 'crumbs' }, link('Workloads', 'workloads'), ' / ', p.node ? [link(p.node, ['nodes', p.node]), ' / '] : null,
        h('span', null, workloadOf(p))),
      h('div', { class: 'view-head' }, h('div', null, h('h1', { id: 'profile-name' }, p.name || shortDigest(p.digest)),
        h('p', { class: 'sub' }, 'profile of ', workloadOf(p) || 'a workload', p.node ? ' on ' + p.node : '')),
      h('div', { class: 'tools' }, kindBadge(p.kind), diffLink)),
      meta(p),
      section('YAML (' + num(lines) + ' lines)', yamlBlock(p.yaml)));
  }).catch((e) => {
    if (!alive()) return;
    fill(root, e.status === 404 ? empty('No profile ' + shortDigest(digest), 'the cockpit keeps the profiles agents send') : errorBox(e));
  });
}

// Diff text: "Kind name:" headers, then "+ section: item" and "- section: item" lines.
const DIFF_LINES = 5000; // shown; a diff of two 4 MiB profiles can be long

function diffBlock(text) {
  const lines = String(text || '').replace(/\n$/, '').split('\n').filter((l) => l !== '');
  const code = h('code');
  for (const l of lines.slice(0, DIFF_LINES)) {
    const cls = l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'hdr';
    code.appendChild(h('span', { class: 'dline ' + cls }, l));
  }
  return h('div', null, h('pre', { class: 'diff' }, code), lines.length > DIFF_LINES
    ? h('p', { class: 'note' }, (lines.length - DIFF_LINES) + ' more lines: `vigil profile diff` on the two files shows them all') : null);
}

function side(label, p) {
  if (!p) return h('div', { class: 'diff-side' }, h('h3', null, label), dim('unknown'));
  return h('div', { class: 'diff-side' }, h('h3', null, label, ' ', kindBadge(p.kind)),
    link(p.name || shortDigest(p.digest), ['profiles', p.digest], null, 'strong'), ' ', h('code', null, shortDigest(p.digest)),
    h('div', { class: 'subline' }, p.signer ? 'signed by ' + p.signer : 'unsigned', p.received ? ' · received ' + p.received : ''));
}

function renderDiff(root, a, b, alive) {
  put(root, h('p', { class: 'loading' }, 'Comparing ' + shortDigest(a) + ' with ' + shortDigest(b) + '…'));
  const meta = (digest) => get('/api/v1/profiles/' + encodeURIComponent(digest)).catch(() => null);
  Promise.all([get('/api/v1/profiles/diff', { a, b }), meta(a), meta(b)]).then(([d, ma, mb]) => {
    if (!alive()) return;
    const text = String(d.diff || '');
    const lines = text.split('\n');
    const added = lines.filter((l) => l.startsWith('+')).length;
    const removed = lines.filter((l) => l.startsWith('-')).length;
    const pa = ma || (typeof d.a === 'object' ? d.a : null);
    const pb = mb || (typeof d.b === 'object' ? d.b : null);
    const p = pb || pa || {};
    fill(root,
      h('div', { class: 'crumbs' }, link('Workloads', 'workloads'), ' / ', p.node ? [link(p.node, ['nodes', p.node]), ' / '] : null,
        h('span', null, workloadOf(p) || 'profiles')),
      h('div', { class: 'view-head' }, h('div', null, h('h1', null, 'Profile diff'),
        h('p', { class: 'sub' }, pa && pb && pa.kind === 'in_force' && pb.kind === 'learned'
          ? 'what the workload learned against the profile in force' : 'what the second profile allows against the first')),
      h('div', { class: 'tools' }, h('span', { class: 'diffstat' }, h('span', { class: 'add' }, '+' + added), ' ',
        h('span', { class: 'del' }, '−' + removed)))),
      h('div', { class: 'diff-sides' }, side('from', pa), h('span', { class: 'arrow' }, '→'), side('to', pb)),
      section('Differences', added + removed ? diffBlock(text) : empty('No differences', 'both profiles allow the same behaviour'),
        h('p', { class: 'note' }, '+ allowed only by the second profile (“to”), − only by the first (“from”); annotations are not compared')));
  }).catch((e) => {
    if (alive()) fill(root, errorBox(e));
  });
}

export function render(root, route) {
  let live = true;
  const alive = () => live;
  if (route.path[0] === 'diff') renderDiff(root, route.path[1] || '', route.path[2] || '', alive);
  else renderProfile(root, route.path[1] || '', alive);
  return { destroy() { live = false; } };
}
