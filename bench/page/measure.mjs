// Loads the cockpit's views in Chromium and prints, per view, the time from navigation until
// what a user came for is on screen (median and worst of RUNS loads), the page's DOM size and
// the bytes it fetched. Usage: node measure.mjs BASE_URL INCIDENT_ID [RUNS]
import { open } from '../../tests/e2e/web/lib.mjs';

const [base, incident, runsArg] = process.argv.slice(2);
const RUNS = Number(runsArg || 10);
const VIEWS = [
  ['fleet', '#/fleet', 'table.nodes tbody tr:nth-child(50)', '.chart.alert-rate canvas'],
  ['incidents', '#/incidents', 'table.incidents tbody tr:nth-child(50)', '.chart.alert-rate canvas'],
  ['incidents, page 20', '#/incidents?page=20', 'table.incidents tbody tr:nth-child(50)'],
  ['incidents, filtered', '#/incidents?q=payments', 'table.incidents tbody tr'],
  ['one incident', '#/incidents/' + incident, '.chart.timeline canvas', 'table.events tbody tr'],
  ['workloads', '#/workloads', 'table.workloads tbody tr:nth-child(50)'],
  ['alerts', '#/alerts', 'table.alerts tbody tr:nth-child(50)'],
  ['search', '#/search?q=payments', '[data-kind=alerts] table', '[data-kind=incidents] table', '[data-kind=workloads] table'],
];

const t = await open(base);
const { page } = t;
const rows = [];
for (const [name, hash, ...ready] of VIEWS) {
  const ms = [];
  let dom = 0;
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    await page.goto('about:blank');
    const t0 = Date.now();
    await page.goto(base + '/' + hash);
    for (const sel of ready) await page.waitForSelector('#view ' + sel, { timeout: 60000 });
    ms.push(Date.now() - t0);
    dom = await page.evaluate(() => document.getElementsByTagName('*').length);
    bytes = await page.evaluate(() => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
      .reduce((a, e) => a + (e.encodedBodySize || 0), 0));
  }
  ms.sort((a, b) => a - b);
  rows.push(`| ${name} | ${ms[Math.floor(ms.length / 2)]} | ${ms[ms.length - 1]} | ${dom} | ${(bytes / 1024).toFixed(0)} |`);
}
await t.browser.close();
console.log('| view | load to ready, median (ms) | worst of ' + RUNS + ' (ms) | DOM elements | bytes fetched (KiB) |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(r);
