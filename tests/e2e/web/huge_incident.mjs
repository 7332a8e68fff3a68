// An incident of more alerts than its report holds (tests/e2e/t8014): its page says it shows the
// first of them and links the alert list of the incident, which pages through them all.
// Usage: node huge_incident.mjs BASE_URL INCIDENT_ID SHOWN TOTAL
import { check, clean, finish, open, texts, until } from './lib.mjs';

const [base, id, shown, total] = process.argv.slice(2);
const t = await open(base);
const { page } = t;
const n = (x) => Number(x).toLocaleString('en-US').replace(/,/g, '\u202f');

try {
  await page.goto(base + '/#/incidents/' + id);
  const head = await until(t, async () => (await texts(t, '#view h2')).find((x) => x.startsWith('Alerts (')),
    'the incident page has no alerts section');
  await check(t, head === 'Alerts (the first ' + n(shown) + ' of ' + n(total) + ')', 'alerts heading: ' + head);
  await clean(t, 'the incident');
  await page.click('#d-alerts-omitted a');
  await until(t, () => page.url().includes('incident=' + id), 'the link does not name the incident in the URL');
  await until(t, async () => {
    const r = await page.$('#view .pager-range');
    return r && (await r.textContent()).endsWith(' of ' + n(total));
  }, 'the alert list does not count the incident\'s ' + total + ' alerts');
  await clean(t, 'the alert list of the incident');
} catch (e) {
  console.error('FAIL: ' + (e && e.stack ? e.stack : e));
  await t.browser.close();
  process.exit(1);
}
await finish(t, 'a huge incident in chromium');
