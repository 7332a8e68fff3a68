// An analyst in the cockpit's incidents view (Chromium): pages through many incidents, filters,
// opens one, reads its evidence and its timeline chart, shares its URL (reload restores it),
// goes back and forward, searches; hostile text stays text. Seeded by seed.mjs incidents.
// Usage: node incidents.mjs BASE_URL SEED_JSON [TOKEN]   (SHOTS=DIR writes screenshots)
import { chartPixels, check, clean, cssVar, finish, open, rows, shot, texts, until } from './lib.mjs';

const [base, seedJson, token] = process.argv.slice(2);
const seed = JSON.parse(seedJson);
const t = await open(base);
const { page } = t;
const HOSTILE = '<img src=x onerror=alert(1)>';
const inView = (sel) => '#view ' + sel;

try {
  await page.goto(base + '/#/incidents');
  if (token) {
    await until(t, () => page.$('#login:not([hidden])'), 'the page did not ask for the token');
    await page.fill('#token', token);
    await page.click('#login button');
  }

  // A page of 50, and a pager that says how many there are.
  await until(t, async () => (await rows(t, inView('table.incidents'))) === 50, 'the incidents page did not show 50 rows');
  const range = await page.textContent(inView('.pager-range'));
  const total = Number(range.replace(/.* of /, '').replace(/[^\d]/g, ''));
  // "of 1 203", or "of 51+" from a cockpit that does not count
  await check(t, range.startsWith('1–50 of') && (total >= 1000 || range.endsWith('51+')), 'pager: ' + range);
  await clean(t, 'the incidents list');
  await shot(t, 'incidents');
  await page.click(inView('.pager-next'));
  await until(t, () => page.url().includes('page=2'), 'the next page is not in the URL');
  await until(t, async () => (await page.textContent(inView('.pager-range'))).startsWith('51–100'), 'page 2 range');
  await page.goBack();
  await until(t, async () => (await page.textContent(inView('.pager-range'))).startsWith('1–50'), 'back to page 1');

  // A hostile workload name is listed as text.
  await page.fill(inView('input.filter'), 'onerror');
  await until(t, async () => (await rows(t, inView('table.incidents'))) === 1, 'filtering for the hostile workload');
  const names = await texts(t, inView('table.incidents tbody td.c-workload'));
  await check(t, names.includes(HOSTILE), 'hostile workload name not shown as text: ' + JSON.stringify(names));
  await check(t, !(await page.$('#view img')), 'a workload name became markup');

  // Filter, then open the incident.
  await page.fill(inView('input.filter'), 'payments');
  await until(t, async () => (await rows(t, inView('table.incidents'))) === 1, 'the filter did not narrow to payments');
  await until(t, () => page.url().includes('q=payments'), 'the filter is not in the URL');
  await page.click(inView('table.incidents tbody tr >> text=payments'));
  await until(t, () => page.url().includes('#/incidents/' + seed.payments), 'the incident is not in the URL');
  await until(t, () => page.$('#d-summary'), 'the incident did not open');

  const summary = await page.textContent('#d-summary');
  await check(t, summary.includes('sent a token to 127.0.0.1:8888'), 'summary: ' + summary);
  const dest = await page.textContent(inView('table.destinations tbody'));
  await check(t, dest.includes('127.0.0.1:8888') && dest.includes('0.95'), 'destinations: ' + dest);
  const files = await page.textContent(inView('table.files tbody'));
  await check(t, files.includes('/var/run/secrets/token'), 'files: ' + files);
  const msgs = await texts(t, inView('table.alerts tbody td:nth-child(4)'));
  await check(t, msgs.length === 5, 'alerts shown: ' + msgs.length);
  await check(t, msgs.includes(HOSTILE), 'alert message not shown as text: ' + JSON.stringify(msgs));
  const sevs = await texts(t, inView('table.alerts tbody .sev.high'));
  await check(t, sevs.join(',') === '9,8', 'high-severity badges: ' + sevs.join(','));
  await check(t, !(await page.$('#view img')), 'evidence became markup');

  // The timeline chart is drawn: event bars and alert points, and it reads out on hover.
  const chart = inView('.chart.timeline');
  await until(t, () => page.$(chart + ' canvas'), 'no timeline chart');
  await check(t, (await page.getAttribute(chart, 'data-events')) === '400', 'chart events');
  await check(t, (await page.getAttribute(chart, 'data-alerts')) === '5', 'chart alerts');
  const barPx = await chartPixels(t, chart, await cssVar(t, '--accent'));
  const highPx = await chartPixels(t, chart, await cssVar(t, '--sev-high'));
  await check(t, barPx > 500 && highPx > 40, 'the timeline is not drawn: ' + barPx + ' bar pixels, ' + highPx + ' high-alert pixels');
  const box = await page.$eval(chart + ' .u-over', (e) => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; });
  let peak = 0;
  for (let x = 2; x < box[2] && peak < 10; x += 8) {
    await page.mouse.move(box[0] + x, box[1] + box[3] / 2);
    const v = Number((await page.textContent(chart + ' .u-legend .u-series:nth-child(2) .u-value')).trim() || 0);
    peak = Math.max(peak, v);
  }
  await check(t, peak >= 10, 'hovering the timeline never read out the event burst (peak ' + peak + ')');
  await page.mouse.move(0, 0);
  await clean(t, 'the incident');
  await shot(t, 'incident');

  // The URL names the view: a reload restores it, back and forward walk the history.
  await page.reload();
  await until(t, async () => (await page.textContent('#d-summary').catch(() => '')).includes('sent a token'), 'reload did not restore the incident');
  await page.goBack();
  await until(t, async () => (await page.inputValue(inView('input.filter')).catch(() => '')) === 'payments', 'back did not restore the filter');
  await until(t, async () => (await rows(t, inView('table.incidents'))) === 1, 'back did not restore the filtered list');
  await page.goForward();
  await until(t, () => page.$('#d-summary'), 'forward did not reopen the incident');

  // Alerts that share one time, paged: every one exactly once, in three pages of 50, 50, 30.
  await page.goto(base + '/#/alerts?workload=burst');
  const seen = new Set();
  for (let p = 1; p <= 3; p++) {
    const want = p < 3 ? 50 : seed.tied - 100;
    await until(t, async () => (await page.textContent(inView('.pager-range')).catch(() => '')).startsWith((p - 1) * 50 + 1 + '–'),
      'burst page ' + p + ' range');
    await until(t, async () => (await rows(t, inView('table.alerts'))) === want, 'burst page ' + p + ' rows');
    for (const m of await texts(t, inView('table.alerts td .msg'))) {
      await check(t, !seen.has(m), 'burst page ' + p + ' repeats ' + m);
      seen.add(m);
    }
    const range = await page.textContent(inView('.pager-range'));
    await check(t, range.endsWith('of ' + seed.tied), 'burst pager: ' + range);
    if (p < 3) {
      await page.click(inView('.pager-next'));
      await until(t, () => page.url().includes('page=' + (p + 1)), 'burst page ' + (p + 1) + ' not in the URL');
    } else {
      await check(t, !(await page.$(inView('a.pager-next'))), 'the last burst page links to an older one');
    }
  }
  await check(t, seen.size === seed.tied, 'paging showed ' + seen.size + ' of ' + seed.tied + ' alerts sharing one time');

  // A link from an older cockpit (#ID) still opens the incident.
  await page.goto(base + '/#' + seed.payments.slice(0, 8));
  await until(t, () => page.url().includes('#/incidents/' + seed.payments.slice(0, 8)), 'the old #ID link was not rewritten');
  await until(t, () => page.$('#d-summary'), 'the old #ID link did not open the incident');

  // One search box over everything.
  await page.fill('#search-q', 'payments');
  await page.press('#search-q', 'Enter');
  await until(t, () => page.url().includes('#/search?q=payments'), 'search is not in the URL');
  await until(t, async () => (await page.textContent(inView('[data-kind=incidents] .count')).catch(() => '')) === '1', 'search did not find the incident');
  await until(t, async () => !(await page.$(inView('.loading'))), 'search did not finish');
  await clean(t, 'search');

  // The navigation tabs know where the user is.
  await page.click('#nav a[data-view=incidents]');
  await until(t, async () => (await page.getAttribute('#nav a.on', 'data-view')) === 'incidents', 'nav tab');
} catch (e) {
  console.error('FAIL: ' + (e && e.stack ? e.stack : e));
  await t.browser.close();
  process.exit(1);
}
await finish(t, 'incidents in chromium');
