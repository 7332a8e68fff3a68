// Drives the cockpit page in headless Chromium as an analyst would: open the page, find the
// incident, open it, read its evidence. Usage: node cockpit.mjs BASE_URL SCREENSHOT [TOKEN]
import { chromium } from 'playwright-core';

const [base, screenshot, token] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const fail = async (msg) => {
  console.error('FAIL: ' + msg);
  await browser.close();
  process.exit(1);
};
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const dialogs = [];
  const errors = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base + '/');

  if (token) {
    await page.waitForSelector('#login:not([hidden])', { timeout: 5000 });
    await page.fill('#token', token);
    await page.click('#login button');
  }
  await page.waitForSelector('#incidents tbody tr', { timeout: 10000 });
  const rows = await page.$$eval('#incidents tbody tr', (trs) => trs.map((tr) => tr.textContent));
  if (rows.length !== 2) await fail('expected 2 incidents, saw ' + JSON.stringify(rows));

  // The filter narrows the list.
  await page.fill('#filter', 'payments');
  const filtered = await page.$$eval('#incidents tbody tr', (trs) => trs.length);
  if (filtered !== 1) await fail('filter kept ' + filtered + ' rows');

  await page.click('#incidents tbody tr >> text=payments');
  await page.waitForSelector('#detail:not([hidden])');
  const summary = await page.textContent('#d-summary');
  if (!summary.includes('sent a token to 127.0.0.1:8888')) await fail('summary: ' + summary);
  const dest = await page.textContent('#d-destinations tbody');
  if (!dest.includes('127.0.0.1:8888') || !dest.includes('0.95')) await fail('destinations: ' + dest);
  const files = await page.textContent('#d-files tbody');
  if (!files.includes('/var/run/secrets/token')) await fail('files: ' + files);
  const alerts = await page.$$eval('#d-alerts tbody td', (tds) => tds.map((td) => td.textContent));
  const hostile = '<img src=x onerror=alert(1)>';
  if (!alerts.includes(hostile)) await fail('alert message not shown as text: ' + JSON.stringify(alerts));
  if (await page.$('#d-alerts img')) await fail('alert message became markup');
  if (!page.url().includes('#00112233')) await fail('incident not in the URL: ' + page.url());

  await page.fill('#filter', '');
  await page.screenshot({ path: screenshot, fullPage: true });
  if (dialogs.length) await fail('dialogs opened: ' + dialogs.join(', '));
  if (errors.length) await fail('page errors: ' + errors.join('; '));
  console.log('cockpit page: ok');
} catch (e) {
  await fail(String(e));
}
await browser.close();
