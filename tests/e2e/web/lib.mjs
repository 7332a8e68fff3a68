// Shared by the cockpit's browser tests: a headless Debian Chromium driven by playwright-core,
// that records what a user must never see (page errors, dialogs from injected markup, CSP
// violations, requests leaving the cockpit) and fails with one clear line.
import { chromium } from 'playwright-core';

export async function open(base, opts = {}) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--force-device-scale-factor=1'],
  });
  const page = await browser.newPage({ viewport: opts.viewport || { width: 1440, height: 900 } });
  const t = { browser, page, base, dialogs: [], errors: [], csp: [], outside: [] };
  page.on('dialog', (d) => { t.dialogs.push(d.message()); d.dismiss(); });
  page.on('pageerror', (e) => t.errors.push(String(e)));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text())) t.csp.push(m.text());
  });
  // Nothing may be fetched from anywhere but the cockpit itself.
  const origin = new URL(base).origin;
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(origin + '/') || u.startsWith('data:')) return route.continue();
    t.outside.push(u);
    return route.abort();
  });
  return t;
}

export async function fail(t, msg) {
  console.error('FAIL: ' + msg + ' (at ' + t.page.url() + ')');
  try {
    await t.page.screenshot({ path: (process.env.FAIL_SHOT || '/dev/null'), fullPage: false });
  } catch (e) { /* the message above is what matters */ }
  await t.browser.close();
  process.exit(1);
}

export async function check(t, cond, msg) {
  if (!cond) await fail(t, msg);
}

// Polls fn (in the test) until it returns a truthy value, else fails with msg.
export async function until(t, fn, msg, ms = 10000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) await fail(t, msg + (last instanceof Error ? ': ' + last.message : ''));
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const texts = (t, sel) => t.page.$$eval(sel, (els) => els.map((e) => e.textContent.trim()));

export async function rows(t, sel) {
  return t.page.$$eval(sel + ' tbody tr:not(.empty-row)', (trs) => trs.length);
}

// The pixels of a uPlot chart that have about this colour (#rrggbb): a chart that is drawn
// with data has many, an empty one none.
export async function chartPixels(t, sel, hex) {
  return t.page.$eval(sel + ' canvas', (c, want) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(want.slice(i, i + 2), 16));
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0 && Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40) n++;
    }
    return n;
  }, hex);
}

export async function cssVar(t, name) {
  return t.page.evaluate((n) => getComputedStyle(document.documentElement).getPropertyValue(n).trim(), name);
}

// A screenshot into SHOTS (a directory) when set: docs/img for `make screenshots`.
export async function shot(t, name) {
  const dir = process.env.SHOTS;
  if (!dir) return;
  await t.page.evaluate(() => document.activeElement && document.activeElement.blur());
  await t.page.mouse.move(0, 0);
  await t.page.waitForTimeout(300);
  await t.page.screenshot({ path: dir + '/cockpit-' + name + '.png', fullPage: false });
}

// The end of a test: what the user must never have seen.
export async function finish(t, label) {
  await check(t, t.dialogs.length === 0, 'dialogs opened (markup from the API ran): ' + t.dialogs.join(', '));
  await check(t, t.errors.length === 0, 'page errors: ' + t.errors.join('; '));
  await check(t, t.csp.length === 0, 'Content-Security-Policy violations: ' + t.csp.join('; '));
  await check(t, t.outside.length === 0, 'requests outside the cockpit: ' + t.outside.join(', '));
  await t.browser.close();
  console.log(label + ': ok');
}

// What a view shows must never read "undefined", "NaN" or "[object Object]", nor be a bare
// "null" (a value the page failed to format; "/dev/null" in evidence is fine).
export async function clean(t, where) {
  const bad = await t.page.evaluate(() => {
    const out = [];
    const walk = document.createTreeWalker(document.querySelector('#view'), NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const s = n.nodeValue;
      if (/\bundefined\b|\bNaN\b|\[object Object\]/.test(s) || s.trim() === 'null') out.push(s.slice(0, 80));
    }
    return out;
  });
  if (bad.length) await fail(t, where + ' shows unformatted values: ' + JSON.stringify(bad.slice(0, 5)));
}
