// Seeds a cockpit through its real write API, as agents would.
//   node seed.mjs BASE incidents [TOKEN]   one rich incident (payments), hostile loose alerts,
//                                          and N_BULK (default 1200) small incidents in batches
// TOKEN is the write credential: a node's token (vgn_...) on a cockpit with node credentials,
// the one shared token on an older one. Prints what it wrote as one JSON line (ids and counts
// the browser test then looks for).
const [base, what, token] = process.argv.slice(2);
const NS = 1000000000;

async function post(path, body, tok) {
  const headers = { 'Content-Type': 'application/json' };
  if (tok) headers.Authorization = 'Bearer ' + tok;
  const res = await fetch(base + path, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error('POST ' + path + ': HTTP ' + res.status + ' ' + text.slice(0, 300));
  return JSON.parse(text);
}

const iso = (ns) => new Date(Number(ns / 1000000n)).toISOString();

// Every alert has its own id (the cockpit de-duplicates by it): 32 hex from a tag and a number.
const alertId = (tag, i) => (tag + i.toString(16)).padStart(32, '0').slice(-32);

// A deterministic pseudo-random sequence, so a failure can be reproduced.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export const PAYMENTS = '00112233445566778899aabbccddeeff';
export const HOSTILE = '<img src=x onerror=alert(1)>';
const TIED = 130;

// The incident an analyst opens: a Go service that reads its token and beacons it out.
function payments(now) {
  const r = rng(7);
  const start = now - 900n * BigInt(NS);
  const events = [];
  const kinds = ['exec', 'open', 'connect', 'sendto', 'recvfrom', 'io_uring'];
  for (let i = 0; i < 400; i++) {
    // background activity over 3 minutes, and a burst around the exfiltration at +60 s
    const off = i < 300 ? r() * 180 : 58 + r() * 8;
    events.push({ time_ns: Number(start + BigInt(Math.round(off * NS))), kind: kinds[Math.floor(r() * kinds.length)],
      pid: 7, comm: 'payments', detail: i % 50 === 0 ? HOSTILE : 'fd=3 127.0.0.1:8888' });
  }
  events.sort((a, b) => a.time_ns - b.time_ns);
  const spec = [[20, 'R0001', 1, 'Unexpected process launched', 'payments started /bin/sh'],
    [61, 'R1030', 5, 'Unexpected io_uring operation', HOSTILE],
    [62, 'R0005', 9, 'Unexpected domain request', 'payments resolved c2.example.net'],
    [95, 'R1009', 8, 'Crypto mining related port', 'payments connected to 127.0.0.1:3333'],
    [150, 'R0006', 4, 'Unexpected service account token access', 'payments read /var/run/secrets/token']];
  const alerts = spec.map(([off, rule, sev, name, msg], i) => ({
    alert_id: alertId('a1', i), time: iso(start + BigInt(off) * BigInt(NS)), rule_id: rule, rule_name: name, severity: sev, message: msg,
    incident_id: PAYMENTS, process: { pid: 7, comm: 'payments' } }));
  const s = Number(start);
  return {
    incident_id: PAYMENTS, state: 'open', host: 'node-a', workload: { id: 'w-1', name: 'payments' },
    opened_ns: s, start_ns: s, end_ns: s + 180 * NS, alert_count: alerts.length, rules: spec.map((x) => x[1]),
    summary: 'payments (Go) sent a token to 127.0.0.1:8888 every 1.0 s',
    destinations: [{ addr: '127.0.0.1', port: 8888, transport: 'tcp', protocol: 'unknown', connections: 5,
      first_ns: s + 60 * NS, last_ns: s + 64 * NS, bytes_out: 500, beacon_score: 0.95, interval_ns: NS }],
    files: [{ time_ns: s + 61 * NS, path: '/var/run/secrets/token', pid: 7, bytes: 32, sent_to: ['127.0.0.1:8888'] }],
    processes: [{ pid: 7, comm: 'payments', exe: '/app/payments', language: 'go', language_version: '1.22' }],
    events, event_count: events.length, alerts,
  };
}

// Many small incidents, older than the rich one, to fill pages.
function bulk(now, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const id = (0xb0000000 + i).toString(16).padStart(8, '0') + '0'.repeat(24);
    const t = Number(now - BigInt(3600 + i * 60) * BigInt(NS));
    out.push({ incident_id: id, state: i % 7 ? 'closed' : 'open', workload: { id: 'batch-' + i, name: 'batch-' + (i % 97) },
      opened_ns: t, start_ns: t, end_ns: t + 30 * NS, alert_count: 1, rules: ['R000' + (i % 8)], summary: 'batch job ' + i + ' ran a shell',
      alerts: [{ alert_id: alertId('b2', i), time: iso(BigInt(t)), rule_id: 'R000' + (i % 8), severity: i % 10, message: 'exec /bin/sh', incident_id: id }] });
  }
  return out;
}

if (what === 'incidents') {
  const now = BigInt(Date.now()) * 1000000n;
  const nBulk = Number(process.env.N_BULK || 1200);
  const b = bulk(now, nBulk);
  let accepted = 0;
  for (let i = 0; i < b.length; i += 500) accepted += (await post('/api/v1/reports', b.slice(i, i + 500), token)).accepted;
  accepted += (await post('/api/v1/reports', payments(now), token)).accepted;
  // Alerts without an incident (an agent without zoom), one with a hostile workload name.
  const loose = [{ alert_id: alertId('c3', 1), rule_id: 'R0001', severity: 1, message: 'exec', workload: { id: 'web-1', name: 'web' } },
    { alert_id: alertId('c3', 2), rule_id: 'R0002', severity: 6, message: HOSTILE, workload: { id: 'evil-1', name: HOSTILE } }];
  const la = await post('/api/v1/alerts', loose, token);
  // A burst: TIED alerts of one workload in the same nanosecond, more than two pages of them
  // (paging by time must neither skip nor repeat alerts that share one).
  const tiedAt = iso(now - 7200n * BigInt(NS));
  const tied = Array.from({ length: TIED }, (_, i) => ({ alert_id: alertId('d4', i), time: tiedAt, rule_id: 'R0006', severity: 5,
    message: 'burst ' + i, workload: { id: 'burst-1', name: 'burst' } }));
  const ta = await post('/api/v1/alerts', tied, token);
  console.log(JSON.stringify({ reports: accepted, alerts: la.accepted + ta.accepted, incidents: accepted + loose.length + 1,
    payments: PAYMENTS, tied: TIED }));
} else {
  console.error('usage: node seed.mjs BASE incidents [TOKEN]');
  process.exit(2);
}
