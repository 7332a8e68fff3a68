// Seeds a fleet into a cockpit through its real write API, as agents do: nodes enrol with a
// join token, send heartbeats (hooks, drops, sinks, spool, workloads), profiles (learned and in
// force, digests computed by `vigil profile canon`), alerts spread over the last day, and
// incident reports.
//   VIGIL=build/vigil node seed-fleet.mjs BASE JOIN_TOKEN [NODES]
// NODES (default 12) nodes: one stale (heartbeat period 1 s, so it is stale 2 s later), one
// offline (enrolled, never reported), the rest online (period 600 s). Prints one JSON line
// with what the browser test looks for.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const [base, joinToken, nArg] = process.argv.slice(2);
const N = Number(nArg || 12);
const NS = 1000000000;
const ROOT = new URL('../../..', import.meta.url).pathname;
const VIGIL = process.env.VIGIL || ROOT + 'build/vigil';
export const HOSTILE_POD = '<img src=x onerror=alert(3)>';

async function post(path, body, tok) {
  const res = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + tok },
    body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error('POST ' + path + ': HTTP ' + res.status + ' ' + text.slice(0, 300));
  return JSON.parse(text);
}

// Runs fn over items, at most `width` at a time.
async function pool(items, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

// The agent's digest of a profile: sha256 of its canonical form (one document).
function digestOf(yaml) {
  const dir = mkdtempSync((process.env.TEST_TMP || tmpdir()) + '/seed-');
  try {
    writeFileSync(dir + '/p.yaml', yaml);
    const canon = execFileSync(VIGIL, ['profile', 'canon', dir + '/p.yaml']);
    return 'sha256:' + createHash('sha256').update(canon).digest('hex');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const nodeName = (i) => {
  const region = ['eu-west', 'eu-central', 'us-east'][i % 3];
  return `prod-${region}-${String(i + 1).padStart(4, '0')}`;
};

const WORKLOADS = [
  { name: 'web', namespace: 'shop', container: 'nginx', image: 'docker.io/library/nginx:1.27', runtime: 'containerd' },
  { name: 'payments', namespace: 'shop', container: 'payments', image: 'registry.example.com/shop/payments:4.2.0', runtime: 'containerd' },
  { name: 'redis', namespace: 'redis', container: 'redis', image: 'docker.io/library/redis:7.2', runtime: 'containerd' },
  { name: 'coredns', namespace: 'kube-system', container: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.1', runtime: 'containerd' },
  { name: 'batch-report', namespace: 'jobs', container: 'report', image: 'registry.example.com/jobs/report:2024.11', runtime: 'containerd' },
];

function heartbeat(i, interval) {
  const inForce = (w) => (w.name === 'web' ? { name: 'replicaset-web-7d9f8c6b5', digest: profiles.inForce.digest, signer: 'sec-team@shop.example', completion: 'complete' }
    : w.name === 'redis' ? { name: 'redis', digest: profiles.redis.digest, signer: '', completion: 'partial' } : null);
  const wls = WORKLOADS.map((w, k) => ({
    id: `${nodeName(i)}-${w.name}-${k}`, name: w.name, namespace: w.namespace,
    pod: `${w.name}-${(0x5f3a + i * 7 + k).toString(16)}-x${k}`, pod_uid: `uid-${i}-${k}`, container: w.container, image: w.image,
    runtime: w.runtime,
    state: w.name === 'batch-report' ? 'learning' : w.name === 'coredns' && i % 4 === 1 ? 'unprotected' : 'detecting',
    profile: inForce(w) || { name: w.name, digest: '', signer: '', completion: 'partial' },
    alerts_total: w.name === 'payments' ? 5 : 0,
  }));
  if (i === 0) {
    wls.push({ id: 'evil-0', name: 'debug-shell', namespace: 'shop', pod: HOSTILE_POD, container: 'sh', image: HOSTILE_POD,
      runtime: 'podman', state: 'unprotected', profile: { name: '', digest: '', signer: '', completion: '' }, alerts_total: 1 });
  }
  const drops = { ringbuf: i === 2 ? 1523 : 0, rate: 0, path: i === 2 ? 12 : 0 };
  return {
    time: new Date().toISOString(), seq: 100 + i, interval_s: interval, version: i % 5 === 4 ? '0.9.1' : '0.9.2',
    kernel: i % 3 === 0 ? '6.8.0-45-generic' : '6.1.0-26-amd64', uptime_s: 3600 * (20 + i * 7), boot_id: 'boot-' + i,
    hooks: [{ name: 'sched_process_exec', attached: true, flavour: 'tp_btf' }, { name: 'sys_enter', attached: true, flavour: 'raw_tp' },
      { name: 'tcp_connect', attached: i !== 3, flavour: 'tp_btf' }, { name: 'io_uring_submit_req', attached: true, flavour: 'tp' }],
    sensor: { events: 1000000 + i * 12345, drops },
    sinks: [{ name: 'cockpit', sent: 5000 + i, failed: i === 5 ? 17 : 0, queued: 0, dropped: 0 },
      { name: 'file:/var/lib/vigil/alerts.jsonl', sent: 5000 + i, failed: 0, queued: 0, dropped: 0 }],
    spool: { bytes: i === 5 ? 65536 : 0, items: i === 5 ? 40 : 0, dropped: i === 5 ? 3 : 0 },
    workloads: wls,
  };
}

// The profile in force for web (a reviewed, signed SBoB) and what web learned since: a curl
// and a read of /etc/shadow it never did before, and one config file it no longer reads.
const webYaml = readFileSync(ROOT + 'tests/data/profiles/web-ap.yaml', 'utf8');
const learnedYaml = webYaml
  .replace('        - path: /usr/sbin/nginx\n', '        - path: /usr/bin/curl\n          args: [curl, -s, "⋯⋯"]\n        - path: /usr/sbin/nginx\n')
  .replace('        - path: /etc/nginx/nginx.conf\n          flags: [O_RDONLY]\n', '        - path: /etc/shadow\n          flags: [O_RDONLY]\n');
const redisYaml = readFileSync(ROOT + 'tests/data/profiles/redis-cp.yaml', 'utf8');
const profiles = {
  inForce: { yaml: webYaml, digest: digestOf(webYaml) },
  learned: { yaml: learnedYaml, digest: digestOf(learnedYaml) },
  redis: { yaml: redisYaml, digest: digestOf(redisYaml) },
};

const alertId = (node, k) => createHash('sha256').update(node + '/' + k).digest('hex').slice(0, 32);
const RULES = [['R0001', 'Unexpected process launched', 2], ['R0002', 'Unexpected file access', 5], ['R0005', 'Unexpected domain request', 6],
  ['R1009', 'Crypto mining related port', 9], ['R0006', 'Unexpected service account token access', 8]];

// Alerts over the last 24 h: a quiet background and a burst on the first nodes 3 h ago.
function alertsFor(i, now) {
  const out = [];
  const node = nodeName(i);
  const n = i < 3 ? 30 : 4;
  for (let k = 0; k < n; k++) {
    const [rule, name, sev] = RULES[(i + k) % RULES.length];
    const ago = i < 3 && k < 20 ? 3 * 3600 + k * 40 : (k * 5297 + i * 911) % 86000;
    const w = WORKLOADS[(i + k) % WORKLOADS.length];
    out.push({ alert_id: alertId(node, k), time: new Date(now - ago * 1000).toISOString(), rule_id: rule, rule_name: name, severity: sev,
      message: `${name.toLowerCase()} in ${w.name}`, workload: { id: `${node}-${w.name}`, name: w.name, namespace: w.namespace },
      process: { pid: 100 + k, comm: w.container } });
  }
  return out;
}

const now = Date.now();
const names = Array.from({ length: N }, (_, i) => nodeName(i));
const tokens = {};
// A join token the CLI just made reaches every cockpit within about a second: retry a 401.
async function enrol(name) {
  for (let tries = 0; ; tries++) {
    try {
      return (await post('/api/v1/enroll', { node: name }, joinToken)).token;
    } catch (e) {
      if (tries > 50 || !/HTTP 401/.test(e.message)) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
await pool(names, 8, async (name) => { tokens[name] = await enrol(name); });
const stale = names[1];
const offline = names[N - 1];
let alerts = 0;
await pool(names.slice(0, N - 1), 8, async (name) => {
  const i = names.indexOf(name);
  await post('/api/v1/heartbeat', heartbeat(i, name === stale ? 1 : 600), tokens[name]);
  const a = alertsFor(i, now);
  const r = await post('/api/v1/alerts', a, tokens[name]);
  alerts += r.accepted; // after the await: `alerts += await ...` would read alerts before it
});
// web on the first node: the profile in force and the one it learned; redis in force.
const first = names[0];
const prof = (kind, p, name, signer, wl) => ({ workload: wl, kind, name, digest: p.digest, signer, completion: kind === 'learned' ? 'partial' : 'complete', yaml: p.yaml });
const web = { name: 'web', namespace: 'shop' };
await post('/api/v1/profiles', [prof('in_force', profiles.inForce, 'replicaset-web-7d9f8c6b5', 'sec-team@shop.example', web),
  prof('learned', profiles.learned, 'replicaset-web-7d9f8c6b5', '', web),
  prof('in_force', profiles.redis, 'redis', '', { name: 'redis', namespace: 'redis' })], tokens[first]);
const unprotected = names.slice(0, N - 1).reduce((a, _, i) => a + heartbeat(i, 600).workloads.filter((w) => w.state === 'unprotected').length, 0);
console.log(JSON.stringify({ nodes: N, workloads: (N - 1) * WORKLOADS.length + 1, unprotected, learned_lines: learnedYaml.replace(/\n$/, '').split('\n').length, online: N - 2, stale, offline, first, alerts, drops_node: names[2], sink_node: names[5],
  old_version_node: names[4], in_force: profiles.inForce.digest, learned: profiles.learned.digest, hostile: HOSTILE_POD }));
