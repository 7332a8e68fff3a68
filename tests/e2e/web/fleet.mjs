// An analyst in the cockpit's fleet console (Chromium), on a fleet seeded by seed-fleet.mjs
// through the real write API: the fleet page (tiles, alert chart, node table with problems
// marked), a node, its workloads, the learned profile against the one in force (diff), the
// profile's YAML, the workloads list, search, alerts and incidents by node. Every view is
// checked after a reload (the URL names it) and back/forward.
// Usage: node fleet.mjs BASE_URL SEED_JSON [TOKEN]   (SHOTS=DIR writes screenshots)
import { chartPixels, check, clean, cssVar, finish, open, rows, shot, texts, until } from './lib.mjs';

const [base, seedJson, token] = process.argv.slice(2);
const s = JSON.parse(seedJson);
const t = await open(base);
const { page } = t;
const v = (sel) => '#view ' + sel;
const tileValue = (label) => page.$eval(v(`.tile:has(.tile-label:text-is("${label}")) .tile-value`), (e) => e.textContent.trim());
const cell = (rowSel, n) => page.textContent(v(`${rowSel} td:nth-child(${n})`));
const nodeRow = (name) => `table.nodes tr[data-node="${name}"]`;

try {
  await page.goto(base + '/#/fleet');
  if (token) {
    await until(t, () => page.$('#login:not([hidden])'), 'the page did not ask for the token');
    await page.fill('#token', token);
    await page.click('#login button');
  }

  // ---- fleet: tiles, problems first, health marked, the alert chart ----
  await until(t, async () => (await rows(t, v('table.nodes'))) === s.nodes, 'the fleet did not list ' + s.nodes + ' nodes');
  // the stale node is stale 2 s after its last heartbeat, and the page fetches the node list
  // every third refresh (15 s): a fast seeding leaves it online at the first load
  await until(t, async () => (await tileValue('stale')) === '1' && (await tileValue('offline')) === '1' &&
    (await tileValue('nodes online')) === String(s.online), 'tiles: online/stale/offline', 20000);
  const first3 = await texts(t, v('table.nodes tbody tr td:nth-child(2)'));
  await check(t, first3[0].startsWith(s.offline) && first3[1].startsWith(s.stale), 'offline and stale nodes are not listed first: ' + first3.slice(0, 3));
  await check(t, (await cell(nodeRow(s.stale), 1)).trim() === 'stale', 'stale node status');
  await check(t, (await cell(nodeRow(s.offline), 5)).trim() === 'never', 'offline node heartbeat');
  await check(t, (await page.textContent(v(nodeRow(s.drops_node) + ' td:nth-child(9) .bad'))).replace(/\s/g, '') === '1535', 'drops of ' + s.drops_node);
  await check(t, (await page.textContent(v(nodeRow(s.sink_node) + ' td:nth-child(10) .bad'))) === '17', 'sink failures of ' + s.sink_node);
  await check(t, await page.$(v(nodeRow(s.old_version_node) + ' td:nth-child(3) .warn')), 'an older agent version is not marked');
  const rate = v('.chart.alert-rate');
  await until(t, () => page.$(rate + ' canvas'), 'no fleet alert chart');
  await check(t, (await page.getAttribute(rate, 'data-total')) === String(s.alerts), 'the chart does not count ' + s.alerts + ' alerts');
  const barPx = await chartPixels(t, rate, await cssVar(t, '--sev-high'));
  await check(t, barPx > 300, 'the fleet alert chart is not drawn (' + barPx + ' px)');
  await clean(t, 'the fleet view');
  await shot(t, 'fleet');

  // A click on the chart's tallest bar lists the alerts of that interval. The legend follows
  // the cursor on the next frame (late on a loaded machine): scan, then settle on the peak and
  // read it again before the click.
  const over = await page.$eval(rate + ' .u-over', (e) => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; });
  const frames = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const legendAt = async (x, settle) => {
    await page.mouse.move(over[0] + x, over[1] + over[3] - 4);
    await frames(); // the legend is redrawn on the next frame
    if (settle) await page.waitForTimeout(100);
    // the time's legend entry reads "2026-12-06 00:00Z · 55 alerts"
    return parseInt((await page.textContent(rate + ' .u-legend .u-series:nth-child(1) .u-value')).split('·')[1] || '0', 10);
  };
  let peak = [0, 0];
  for (let x = 1; x < over[2]; x += 6) {
    const val = await legendAt(x, false);
    if (val > peak[0]) peak = [val, x];
  }
  let best = [0, peak[1]];
  for (let x = peak[1] - 12; x <= peak[1] + 12; x += 4) {
    const val = await legendAt(x, true);
    if (val > best[0]) best = [val, x];
  }
  const want = await legendAt(best[1], true);
  await check(t, want >= 20, 'no burst found under the cursor (peak ' + want + ')');
  await page.mouse.click(over[0] + best[1], over[1] + over[3] - 4);
  await until(t, () => page.url().includes('#/alerts?') && page.url().includes('since='), 'a click on a bar did not list its alerts');
  await until(t, async () => (await rows(t, v('table.alerts'))) === Math.min(50, want), 'the interval shows ' + Math.min(50, want) + ' alerts');
  const q = new URL(page.url().replace('#/alerts', '')).searchParams;
  const [from, to] = [Date.parse(q.get('since')), Date.parse(q.get('until'))];
  const times = await page.$$eval(v('table.alerts tbody time'), (ts) => ts.map((e) => Date.parse(e.dateTime)));
  await check(t, times.every((x) => x >= from && x < to), 'alerts outside the picked interval');
  await page.goBack();
  await until(t, () => page.$(v('table.nodes')), 'back to the fleet');

  // Filter by status: in the URL, restored by a reload, undone by back.
  await page.click(v('#status-filter a:has-text("stale")'));
  await until(t, async () => page.url().includes('status=stale') && (await rows(t, v('table.nodes'))) === 1, 'status filter');
  await page.reload();
  await until(t, async () => (await rows(t, v('table.nodes'))) === 1 && (await page.textContent(v('#status-filter a.on'))).startsWith('stale'),
    'reload did not restore the status filter');
  await page.goBack();
  await until(t, async () => (await rows(t, v('table.nodes'))) === s.nodes, 'back did not restore the whole fleet');
  await page.click(v('table.nodes th a:text-is("drops")'));
  await until(t, async () => (await texts(t, v('table.nodes tbody tr td:nth-child(2)')))[0] === s.drops_node, 'sorting by drops');

  // ---- a node ----
  await page.click(v(`table.nodes a:text-is("${s.first}")`));
  await until(t, async () => (await page.textContent('#node-name').catch(() => '')) === s.first, 'the node page did not open');
  await check(t, page.url().endsWith('#/nodes/' + s.first), 'node URL: ' + page.url());
  await until(t, async () => (await rows(t, v('table.workloads'))) === 6, 'the node lists 6 workloads');
  const places = await texts(t, v('table.workloads .subline'));
  await check(t, places.some((p) => p.includes(s.hostile)), 'a hostile pod name is not shown as text: ' + places);
  await check(t, !(await page.$('#view img')), 'a pod name became markup');
  await clean(t, 'the node view');
  await shot(t, 'node');

  // ---- a workload: its profiles, and the diff of what it learned against what is in force ----
  await page.click(v('table.workloads a.strong:text-is("web")'));
  await until(t, () => page.$(v('#workload-detail')), 'the workload did not open');
  await check(t, page.url().includes('w=' + encodeURIComponent(s.first + '/')), 'workload URL: ' + page.url());
  const kinds = await texts(t, v('#workload-detail tbody td:nth-child(1)'));
  await check(t, kinds.sort().join(',') === 'in force,learned', 'profiles of web: ' + kinds);
  await page.reload();
  await until(t, () => page.$(v('#workload-detail')), 'reload did not reopen the workload');
  await page.click(v('#workload-detail a:has-text("diff in force")'));
  await until(t, () => page.url().endsWith(`#/diff/${encodeURIComponent(s.in_force)}/${encodeURIComponent(s.learned)}`), 'diff URL: ' + page.url());
  await until(t, () => page.$(v('pre.diff')), 'no diff shown');
  const added = await texts(t, v('pre.diff .add'));
  const removed = await texts(t, v('pre.diff .del'));
  await check(t, added.length === 2 && added.some((l) => l.startsWith('+ execs: /usr/bin/curl')) && added.includes('+ opens: /etc/shadow [O_RDONLY]'),
    'added lines: ' + JSON.stringify(added));
  await check(t, removed.length === 1 && removed[0] === '- opens: /etc/nginx/nginx.conf [O_RDONLY]', 'removed lines: ' + JSON.stringify(removed));
  await check(t, (await page.textContent(v('.diffstat'))).replace(/\s/g, '') === '+2−1', 'diff stat');
  await until(t, async () => (await page.textContent(v('.diff-sides'))).includes('sec-team@shop.example'), 'the diff does not say who signed the profile in force');
  await clean(t, 'the diff view');
  await shot(t, 'diff');

  // ---- the learned profile's YAML ----
  await page.click(v('.diff-side:last-child a.strong'));
  await until(t, () => page.url().endsWith('#/profiles/' + encodeURIComponent(s.learned)), 'profile URL: ' + page.url());
  await until(t, () => page.$(v('pre.yaml')), 'no YAML shown');
  await check(t, (await page.textContent('#profile-name')) === 'replicaset-web-7d9f8c6b5', 'profile name');
  const lines = await page.$$eval(v('pre.yaml .line'), (ls) => ls.length);
  await check(t, lines === s.learned_lines, 'YAML lines: ' + lines + ', want ' + s.learned_lines);
  await check(t, (await page.textContent(v('pre.yaml'))).includes('- path: /etc/shadow'), 'the YAML lacks the learned open');
  const keys = await page.$$eval(v('pre.yaml .y-key'), (ks) => ks.length);
  await check(t, keys > 40, 'the YAML is not highlighted (' + keys + ' keys)');
  await clean(t, 'the profile view');
  await shot(t, 'profile');
  await page.goBack();
  await until(t, () => page.$(v('pre.diff')), 'back did not return to the diff');

  // ---- every workload, paged; filtered by state ----
  await page.click('#nav a[data-view=workloads]');
  await until(t, async () => (await rows(t, v('table.workloads'))) === Math.min(50, s.workloads), 'workloads page');
  const range = await page.textContent(v('.pager-range'));
  await check(t, range === `1–50 of ${s.workloads}` || range === '1–50 of 51+', 'workloads pager: ' + range);
  await clean(t, 'the workloads view');
  await shot(t, 'workloads');
  await page.click(v('.seg a:text-is("unprotected")'));
  await until(t, async () => (await rows(t, v('table.workloads'))) === s.unprotected, 'unprotected workloads: want ' + s.unprotected);
  const states = await texts(t, v('table.workloads tbody td:nth-child(1)'));
  await check(t, states.every((x) => x === 'unprotected'), 'state filter: ' + states);

  // ---- search across everything ----
  await page.fill('#search-q', 'payments');
  await page.press('#search-q', 'Enter');
  // ten of each kind, and a link to the whole filtered list
  await until(t, async () => ['11+', String(s.nodes - 1)].includes(await page.textContent(v('[data-kind=workloads] .count')).catch(() => '')),
    'search: payments workloads');
  await check(t, (await rows(t, v('[data-kind=workloads] table'))) === 10, 'search shows ten workloads');
  await until(t, async () => parseInt(await page.textContent(v('[data-kind=alerts] .count')).catch(() => '0'), 10) > 0, 'search: payments alerts');
  await clean(t, 'the search view');
  await shot(t, 'search');
  await page.click(v('[data-kind=workloads] .more-link a'));
  await until(t, async () => page.url().includes('#/workloads?q=payments') && (await rows(t, v('table.workloads'))) === s.nodes - 1,
    'all workloads matching payments');
  const wnames = await texts(t, v('table.workloads tbody td:nth-child(2) a.strong'));
  await check(t, wnames.every((n) => n === 'payments'), 'workloads matching payments: ' + wnames);

  // ---- alerts of one rule; incidents of one node ----
  await page.goto(base + '/#/alerts?rule=R1009');
  await until(t, async () => (await rows(t, v('table.alerts'))) > 0, 'alerts of R1009');
  const rules = await texts(t, v('table.alerts tbody td:nth-child(3) .chip'));
  await check(t, rules.every((r) => r === 'R1009'), 'rule filter: ' + rules);
  await page.goto(base + '/#/incidents?node=' + s.first);
  await until(t, async () => (await rows(t, v('table.incidents'))) > 0, 'incidents of ' + s.first);
  const nodes = await texts(t, v('table.incidents tbody td.c-node'));
  await check(t, nodes.every((n) => n === s.first), 'node filter: ' + nodes);
} catch (e) {
  console.error('FAIL: ' + (e && e.stack ? e.stack : e));
  await t.browser.close();
  process.exit(1);
}
await finish(t, 'fleet in chromium');
