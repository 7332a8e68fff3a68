// The cockpit page on data from real agents (t8011): what an analyst sees of two nodes whose
// agents run on this machine.
//   node agents.mjs BASE_URL FACTS_JSON live       nodes online, a node's hooks and workload,
//                                                   its learned profile, its alerts
//   node agents.mjs BASE_URL FACTS_JSON incident   after node-a's agent stopped: its incident
//                                                   report with the timeline chart
// FACTS_JSON: {nodes, version, kernel, svc}. SHOTS=DIR writes screenshots.
import { chartPixels, check, clean, cssVar, finish, open, rows, shot, texts, until } from './lib.mjs';

const [base, factsJson, phase] = process.argv.slice(2);
const f = JSON.parse(factsJson);
const t = await open(base);
const { page } = t;
const v = (sel) => '#view ' + sel;

async function live() {
  // Both nodes online, with this agent's version and this machine's kernel.
  await page.goto(base + '/#/fleet');
  await until(t, async () => (await rows(t, v('table.nodes'))) === 2, 'the fleet does not list 2 nodes');
  for (const n of f.nodes) {
    const row = v(`table.nodes tr[data-node="${n}"]`);
    await until(t, async () => (await page.textContent(row + ' td:nth-child(1)')).trim() === 'online', n + ' is not online');
    await check(t, (await page.textContent(row + ' td:nth-child(3)')).trim() === f.version, n + ': agent version');
    await check(t, (await page.textContent(row + ' td:nth-child(4)')).trim() === f.kernel, n + ': kernel');
  }
  const alerting = await page.textContent(v('table.nodes tr[data-node="node-a"] td:nth-child(8)'));
  await check(t, parseInt(alerting, 10) >= 5, 'node-a: alerts in the last hour: ' + alerting);
  await clean(t, 'the fleet');
  await shot(t, 'agent-fleet');

  // node-a: the hooks its sensor attached here, and its workload.
  await page.click(v('table.nodes a:text-is("node-a")'));
  await until(t, async () => (await page.textContent('#node-name').catch(() => '')) === 'node-a', 'node-a did not open');
  await until(t, async () => (await rows(t, v('table.hooks'))) >= 3, 'node-a: no hooks listed');
  const hooks = await texts(t, v('table.hooks tbody td:nth-child(1)'));
  await check(t, hooks.includes('sched_process_exec'), 'node-a: hooks ' + hooks);
  // (other containers on a shared machine may be listed too: find ours by name)
  const wl = v('table.workloads tr:has(td:nth-child(2) a.strong:text-is("svc-node-a"))');
  await until(t, () => page.$(wl), 'node-a: its workload is not listed');
  await check(t, (await page.textContent(wl + ' td:nth-child(1)')) === 'detecting', 'node-a: workload state');
  await clean(t, 'node-a');
  await shot(t, 'agent-node');

  // Its profile: learned and in force, the YAML names the workload's program.
  await page.click(wl + ' td:nth-child(2) a.strong');
  await until(t, () => page.$(v('#workload-detail tbody tr')), 'the workload did not open');
  const kinds = await texts(t, v('#workload-detail tbody td:nth-child(1)'));
  await check(t, kinds.sort().join(',') === 'in force,learned', 'svc-node-a profiles: ' + kinds);
  await check(t, (await page.textContent(v('#workload-detail .panel-head'))).includes('the learned profile is the one in force'),
    'the panel does not say the learned profile is in force');
  await shot(t, 'agent-workload');
  await page.click(v('#workload-detail tbody tr:first-child a.mono'));
  await until(t, () => page.$(v('pre.yaml')), 'the profile did not open');
  const yaml = await page.textContent(v('pre.yaml'));
  await check(t, yaml.includes(f.svc), 'the learned profile does not name ' + f.svc);
  await clean(t, 'the profile');
  await shot(t, 'agent-profile');

  // Its alerts: the program it never ran while learning.
  await page.goto(base + '/#/alerts?node=node-a');
  await until(t, async () => (await rows(t, v('table.alerts'))) >= 5, 'node-a: alerts');
  const procs = await texts(t, v('table.alerts tbody td:nth-child(7)'));
  await check(t, procs.some((p) => p.startsWith('id [')), 'no alert names the process id: ' + procs.slice(0, 5));
  await clean(t, 'the alerts');
  await shot(t, 'agent-alerts');
}

async function incident() {
  await page.goto(base + '/#/incidents?node=node-a');
  await until(t, async () => (await rows(t, v('table.incidents'))) >= 1, 'node-a: no incident');
  await page.click(v('table.incidents tbody tr:first-child td.c-workload a'));
  await until(t, () => page.$('#d-summary'), 'the incident did not open');
  await check(t, !(await page.textContent('#d-summary')).includes('has not arrived'), 'the report did not replace the placeholder');
  const chart = v('.chart.timeline');
  await until(t, () => page.$(chart + ' canvas'), 'no timeline');
  const events = Number(await page.getAttribute(chart, 'data-events'));
  const alerts = Number(await page.getAttribute(chart, 'data-alerts'));
  await check(t, events > 0 && alerts >= 5, 'timeline: ' + events + ' events, ' + alerts + ' alerts');
  const px = await chartPixels(t, chart, await cssVar(t, '--accent'));
  await check(t, px > 50, 'the timeline bars are not drawn (' + px + ' px)');
  await check(t, (await rows(t, v('table.events'))) > 0, 'no events listed');
  await clean(t, 'the incident');
  await shot(t, 'agent-incident');
}

try {
  if (phase === 'live') await live();
  else await incident();
} catch (e) {
  console.error('FAIL: ' + (e && e.stack ? e.stack : e));
  await t.browser.close();
  process.exit(1);
}
await finish(t, 'real agents in chromium (' + phase + ')');
