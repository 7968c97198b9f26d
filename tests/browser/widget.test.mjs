// The widget on a company's page in headless Chromium: a host page on another loopback port
// loads widget.js from peerdesk, a customer types, sees highlighted results, moves with the
// keyboard, opens the thread in a new tab, and is offered "Ask the community" when nothing
// matches. The host page's hostile CSS does not reach the widget, nor the widget's the page.
// A page from an origin the key does not allow gets no results.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, peerdesk, freshDataDir } from '../support/server.mjs';
import { launch } from '../support/browser.mjs';

const artifacts = process.env.PEERDESK_ARTIFACTS || new URL('../../build/artifacts', import.meta.url).pathname;
let server, browser, allowedHost, otherHost, key, questionId, admin;
const pageErrors = [];

// A company's help page, served from its own origin, with CSS that would wreck a naive widget.
function hostPage(community, widgetKey) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme support</title>
<style>* { color: rgb(255, 0, 0) !important; font-family: monospace !important; letter-spacing: 3px; }
ul, li { margin: 40px; } .title { color: rgb(0, 128, 0) !important; }</style></head>
<body><h1>Acme support</h1><p class="title">Our own title</p>
<div data-peerdesk-search data-accent="#7a1fa2"></div>
<script src="${community}/widget.js" data-key="${widgetKey}" async></script></body></html>`;
}

function serveHost(html) {
  return new Promise((resolve) => {
    const s = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html());
    });
    s.listen(0, '127.0.0.1', () => resolve({ server: s, url: `http://127.0.0.1:${s.address().port}` }));
  });
}

before(async () => {
  const dir = await freshDataDir();
  await writeFile(join(dir, 'pw'), 'the admin password 1\n');
  await peerdesk(['user', 'create', 'boss', '--email', 'boss@example.com', '--password-file', join(dir, 'pw'), '--role', 'admin', '--data', dir]);
  server = await startServer({ dataDir: dir });
  browser = await launch();
  await mkdir(artifacts, { recursive: true });
  admin = new Client(server.url);
  await admin.signIn('boss', 'the admin password 1');
  const kenji = new Client(server.url);
  await kenji.signUp('kenji');
  questionId = (await kenji.api('POST', '/questions', { title: 'Router drops the wifi every evening', body: 'Every evening the router drops the wifi for a minute or two.', tags: ['network'] })).body.id;
  await kenji.api('POST', '/questions', { title: 'Wifi calling does not work abroad', body: 'Wifi calling fails when I travel.', tags: ['mobile'] });
  allowedHost = await serveHost(() => hostPage(server.url, key.key));
  otherHost = await serveHost(() => hostPage(server.url, key.key));
  key = (await admin.api('POST', '/admin/widget-keys', { name: 'Acme', allowed_origins: [allowedHost.url] })).body;
  const deadline = Date.now() + 5000;
  while ((await kenji.request('GET', '/api/v1/search?q=wifi')).body.total !== 2) {
    if (Date.now() > deadline) throw new Error('not indexed');
    await new Promise((r) => setTimeout(r, 50));
  }
});
after(async () => {
  await browser?.close();
  allowedHost?.server.close();
  otherHost?.server.close();
  await server?.stop();
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(server.errors, []);
});

test('a customer searches from the company page, moves with the keyboard and opens the thread', async () => {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  await page.goto(allowedHost.url);
  const box = page.getByRole('combobox', { name: 'Search the community' });
  await box.click();
  await box.pressSequentially('wifi evening', { delay: 15 });
  const option = page.getByRole('option', { name: /Router drops the wifi every evening/ });
  await option.waitFor();
  const marks = (await option.locator('mark').allTextContents()).map((m) => m.toLowerCase());
  assert.ok(marks.length >= 1 && marks.every((m) => m === 'wifi' || m === 'evening'), `highlighted: ${marks}`);
  assert.match(await option.textContent(), /0 answers/);

  // Isolation both ways.
  const titleColor = await option.locator('.title').evaluate((e) => getComputedStyle(e).color);
  assert.notEqual(titleColor, 'rgb(255, 0, 0)');
  assert.notEqual(titleColor, 'rgb(0, 128, 0)', 'the page\'s .title rule does not reach inside');
  assert.equal(titleColor, 'rgb(122, 31, 162)', 'the data-accent colour themes the widget');
  const snippetFont = await option.locator('.snippet').evaluate((e) => getComputedStyle(e).fontFamily);
  assert.doesNotMatch(snippetFont, /monospace/);
  assert.equal(await page.locator('p.title').evaluate((e) => getComputedStyle(e).color), 'rgb(0, 128, 0)', 'the widget does not restyle the page');
  await page.screenshot({ path: join(artifacts, 'widget-results.png'), fullPage: true });

  await box.press('ArrowDown');
  assert.equal(await option.getAttribute('aria-selected'), 'true');
  assert.equal(await box.getAttribute('aria-activedescendant'), await option.getAttribute('id'));
  const [thread] = await Promise.all([context.waitForEvent('page'), box.press('Enter')]);
  await thread.waitForURL(new RegExp(`/questions/${questionId}$`));
  assert.equal(await thread.getByRole('heading', { level: 1 }).textContent(), 'Router drops the wifi every evening');
  await thread.close();
  // The click reached the community from the company's page, with the search it came from.
  const deadline = Date.now() + 10000;
  let usage;
  while ((usage = (await admin.api('GET', `/admin/widget-keys/${key.id}/usage`)).body).clicks !== 1) {
    if (Date.now() > deadline) throw new Error('the click was not counted: ' + JSON.stringify(usage));
    await new Promise((r) => setTimeout(r, 100));
  }

  await box.press('Escape');
  assert.equal(await box.getAttribute('aria-expanded'), 'false');
  await box.fill('');
  await box.pressSequentially('teleporter warranty', { delay: 15 });
  const ask = page.getByRole('link', { name: 'Ask the community' });
  await ask.waitFor();
  assert.equal(await ask.getAttribute('href'), `${server.url}/questions/ask?title=teleporter%20warranty`);
  assert.equal(await ask.getAttribute('target'), '_blank');
  assert.equal((await context.cookies(server.url)).length, 0, 'the widget sets no cookies');
});

test('the widget fits a phone screen', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(allowedHost.url);
  await page.getByRole('combobox').pressSequentially('wifi', { delay: 15 });
  await page.getByRole('option').first().waitFor();
  const width = await page.locator('[data-peerdesk-search]').evaluate((e) => e.getBoundingClientRect().width);
  assert.ok(width <= 360);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), true, 'no sideways scrolling');
  await page.screenshot({ path: join(artifacts, 'widget-phone.png'), fullPage: true });
});

test('a page on an origin the key does not allow gets no results', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(otherHost.url);
  await page.getByRole('combobox').pressSequentially('wifi', { delay: 15 });
  await page.locator('.empty', { hasText: 'Search is not available right now.' }).waitFor();
  assert.equal(await page.getByRole('option').count(), 0);
});
