// The insights and advocates pages in Chromium: axe-core finds nothing on them (with figures,
// with a bad date, on a phone), the charts are drawn with their titles, the date form moves
// the range, and screenshots are kept for people to look at (build/artifacts).
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, freshDataDir, eventually } from '../support/server.mjs';
import { launch, axeViolations, signInThroughForm } from '../support/browser.mjs';

const artifacts = process.env.PEERDESK_ARTIFACTS || new URL('../../build/artifacts', import.meta.url).pathname;
const password = 'demo password 2026';
let dir, server, browser;
const pageErrors = [];

before(async () => {
  dir = await freshDataDir();
  await promisify(execFile)(process.execPath, [new URL('../../scripts/demo.mjs', import.meta.url).pathname, dir]);
  server = await startServer({ dataDir: dir });
  browser = await launch();
  await mkdir(artifacts, { recursive: true });
  const anon = new Client(server.url);
  await eventually(async () => (await anon.api('GET', '/search?q=sync')).body.total > 0, 'the demo to be indexed');
  for (const q of ['export to excel', 'export to excel', 'dark mode', 'Export  to Excel', 'sso with okta'])
    await anon.api('GET', '/search?q=' + encodeURIComponent(q));
  const admin = new Client(server.url);
  await admin.signIn('admin', password);
  await eventually(async () => (await admin.api('GET', '/admin/insights')).body.content_gaps.length >= 3, 'the searches to be logged');
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(server.errors, []);
});

async function signedIn(who, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, bypassCSP: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await signInThroughForm(page, server.url, who, password);
  return page;
}

test('a moderator finds Insights in the menu; the page has its figures, charts and gaps, and no axe violations', async () => {
  const page = await signedIn('moderator');
  await page.getByRole('link', { name: 'Insights' }).click();
  await page.waitForURL(server.url + '/admin/insights');
  assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Insights');
  const charts = page.getByRole('img');
  assert.ok(await page.getByRole('img', { name: 'Questions and answers per day' }).isVisible());
  assert.ok(await charts.count() >= 4);
  const gaps = page.locator('#gaps-table tbody tr');
  assert.equal(await gaps.first().locator('th').textContent(), 'export to excel');
  assert.equal(await gaps.first().locator('td').first().textContent(), '3');
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(artifacts, 'insights.png'), fullPage: true });
  await page.screenshot({ path: join(artifacts, 'insights-top.png') });  // the README's picture

  // "Ask this" opens the ask page with the search as the title.
  await gaps.first().getByRole('link', { name: /Ask this/ }).click();
  await page.waitForURL(/\/questions\/ask\?title=export%20to%20excel/);
  assert.equal(await page.getByLabel('Title').inputValue(), 'export to excel');
});

test('the date form moves the range, and a bad date is named on the page', async () => {
  const page = await signedIn('admin');
  await page.goto(server.url + '/admin/insights');
  await page.getByLabel('From', { exact: true }).fill('2026-01-01');
  await page.getByLabel('To', { exact: true }).fill('2026-01-31');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(/from=2026-01-01&to=2026-01-31/);
  assert.equal(await page.locator('#fig-questions').textContent(), '0');
  await page.goto(server.url + '/admin/insights?from=2026-01-01&to=2025-01-01');
  assert.match(await page.getByRole('alert').textContent(), /from is a day on or before to/);
  assert.equal(await page.getByLabel('From', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await axeViolations(page), []);
});

test('the advocates page: rising advocates, the 90-9-1 chart and who helps whom, clean on a desktop and a phone', async () => {
  const page = await signedIn('admin');
  await page.goto(server.url + '/admin/advocates');
  assert.ok(await page.getByRole('img', { name: 'Who helps whom' }).isVisible());
  assert.ok(await page.getByRole('img', { name: /Who writes the answers/ }).isVisible());
  assert.ok(await page.locator('#helps-table tbody tr').count() > 0, 'the demo has members answering others');
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(artifacts, 'advocates.png'), fullPage: true });
  const phone = await signedIn('admin', { width: 390, height: 844 });
  await phone.goto(server.url + '/admin/insights');
  assert.deepEqual(await axeViolations(phone), []);
  const overflow = await phone.evaluate(() => {
    const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.parentElement.closest('.insight-table'))
      .map((e) => { const p = []; for (let x = e; x && x !== document.body; x = x.parentElement) p.push(x.tagName + (x.id ? '#' + x.id : '') + (x.className ? '.' + x.className : '')); return p.join(' < '); }).slice(0, 2);
    return { by: document.documentElement.scrollWidth - window.innerWidth, wide };
  });
  assert.ok(overflow.by <= 0, `no sideways scrolling on a phone: ${JSON.stringify(overflow)}`);
  await phone.screenshot({ path: join(artifacts, 'insights-phone.png'), fullPage: true });
});
