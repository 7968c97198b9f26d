// The search widget as the README promises it, in headless Chromium: it works on a host page
// whose Content-Security-Policy allows nothing but the community's origin, every theming
// attribute and CSS custom property reaches it, and the admin page's "Allow the demo page"
// button makes the demo help page on the other loopback name work.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { rm } from 'node:fs/promises';
import { startServer, Client, freshDataDir, createAccount, eventually } from '../support/server.mjs';
import { launch } from '../support/browser.mjs';

const adminPassword = 'the admin password 1';
let server, browser, host, key;

// The company's help pages, on their own origin. Every page's CSP allows scripts and
// requests from the community alone; no inline style or script of any kind.
function hostPages(community) {
  const csp = `default-src 'none'; script-src ${community}; connect-src ${community}`;
  const pages = {
    // Theming by data attributes on the div, under the strictest policy.
    '/strict': {
      csp,
      html: () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme strict</title></head><body>
<h1>Acme support</h1>
<div data-peerdesk-search data-accent="#7a1fa2" data-radius="3px" data-placeholder="Ask other Acme customers"
  data-text-label="Search Acme answers" data-text-ask="Post it" data-text-empty="Nothing for" data-text-answer="reply"
  data-text-answers="replies" data-text-accepted="Solved" data-text-results="found" data-text-error="Broken"></div>
<script src="${community}/widget.js" data-key="${key.key}" async></script></body></html>`,
    },
    // Theming by CSS custom properties from the host's own style sheet, words from the script tag.
    '/custom': {
      csp: csp + "; style-src 'self'",
      html: () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme custom</title>
<link rel="stylesheet" href="/host.css"></head><body><h1>Acme support</h1>
<div data-peerdesk-search></div>
<script src="${community}/widget.js" data-key="${key.key}" data-text-label="Search from the script tag"
  data-placeholder="Placeholder from the script tag" async></script></body></html>`,
    },
    '/host.css': {
      type: 'text/css',
      html: () => `[data-peerdesk-search] { --peerdesk-accent: rgb(0, 100, 0); --peerdesk-radius: 12px;
  --peerdesk-font: Georgia, serif; --peerdesk-text: rgb(10, 20, 30); --peerdesk-background: rgb(250, 240, 230); }`,
    },
    // A key the community does not know: the error text is themed too.
    '/badkey': {
      csp,
      html: () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme bad key</title></head><body>
<div data-peerdesk-search data-text-error="Broken, sorry"></div>
<script src="${community}/widget.js" data-key="pk_not_a_key" async></script></body></html>`,
    },
  };
  return new Promise((resolve) => {
    const s = createServer((req, res) => {
      const page = pages[req.url];
      if (!page) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': page.type || 'text/html; charset=utf-8', ...(page.csp ? { 'content-security-policy': page.csp } : {}) });
      res.end(page.html());
    });
    s.listen(0, '127.0.0.1', () => resolve({ server: s, url: `http://127.0.0.1:${s.address().port}` }));
  });
}

before(async () => {
  const dir = await freshDataDir();
  await createAccount(dir, 'boss', 'admin', adminPassword);
  server = await startServer({ dataDir: dir });
  host = await hostPages(server.url);
  const admin = new Client(server.url);
  await admin.signIn('boss', adminPassword);
  key = (await admin.api('POST', '/admin/widget-keys', { name: 'Acme', allowed_origins: [host.url] })).body;
  const asker = new Client(server.url);
  const lena = new Client(server.url);
  await asker.signUp('kenji');
  await lena.signUp('lena');
  const q = (await asker.api('POST', '/questions', { title: 'Router drops the wifi every evening', body: 'Every evening the router drops the wifi.', tags: ['network'] })).body.id;
  const a = (await lena.api('POST', `/questions/${q}/answers`, { body: 'Change the wifi channel to 6.' })).body.id;
  await lena.api('POST', `/questions/${q}/answers`, { body: 'Or update the router firmware.' });
  await asker.api('POST', `/answers/${a}/accept`);
  const other = (await asker.api('POST', '/questions', { title: 'Wifi calling fails abroad', body: 'Wifi calling fails when I travel.', tags: ['mobile'] })).body.id;
  await lena.api('POST', `/questions/${other}/answers`, { body: 'Turn on roaming for wifi calling.' });
  await eventually(async () => (await asker.request('GET', '/api/v1/search?q=wifi+is:accepted')).body.total >= 1, 'the posts indexed', 5000);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  host?.server.close();
  if (!server) return;
  await server.stop();
  await rm(server.dir, { recursive: true, force: true });
  assert.deepEqual(server.errors, []);
});

// A page that records every script error and CSP refusal.
async function open(context, url) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  // The host serves no favicon; any other console error (a CSP refusal among them) counts.
  page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.text() + m.location().url)) problems.push(m.text()); });
  await page.goto(url);
  return { page, problems };
}

test('under a CSP that allows only the community, the widget works and takes every data-* theming option', { timeout: 120000 }, async () => {
  const context = await browser.newContext();
  try {
    const { page, problems } = await open(context, host.url + '/strict');
    const box = page.getByRole('combobox', { name: 'Search Acme answers' });
    await box.waitFor();
    assert.equal(await box.getAttribute('placeholder'), 'Ask other Acme customers');
    await box.pressSequentially('wifi', { delay: 15 });
    const router = page.getByRole('option', { name: /Router drops the wifi every evening/ });
    await router.waitFor();
    assert.match(await router.locator('.meta').textContent(), /^✓ Solved · 2 replies$/);
    const calling = page.getByRole('option', { name: /Wifi calling fails abroad/ });
    assert.equal(await calling.locator('.meta').textContent(), '1 reply');
    assert.equal(await page.getByRole('status').textContent(), '2 found');
    // The styles came through the constructed style sheet the CSP does not block.
    assert.equal(await page.locator('p.more').getByRole('link').textContent(), 'Post it', 'data-text-ask below the results');
    assert.equal(await router.locator('.title').evaluate((e) => getComputedStyle(e).color), 'rgb(122, 31, 162)', 'data-accent');
    assert.equal(await box.evaluate((e) => getComputedStyle(e).borderTopLeftRadius), '3px', 'data-radius');
    assert.equal(await box.evaluate((e) => getComputedStyle(e).paddingTop), '10.4px', 'the widget\'s own style sheet applies');

    await box.fill('');
    await box.pressSequentially('teleporter warranty', { delay: 15 });
    const empty = page.locator('.empty', { hasText: 'teleporter' });
    await empty.waitFor();
    assert.equal(await empty.textContent(), 'Nothing for “teleporter warranty”. Post it');
    assert.equal(await empty.getByRole('link').getAttribute('href'), `${server.url}/questions/ask?title=teleporter%20warranty`);
    assert.deepEqual(problems, [], 'no CSP refusal, no script error');
  } finally {
    await context.close();
  }
});

test('CSS custom properties on the div and words on the script tag theme the widget', { timeout: 120000 }, async () => {
  const context = await browser.newContext();
  try {
    const { page, problems } = await open(context, host.url + '/custom');
    const box = page.getByRole('combobox', { name: 'Search from the script tag' });
    await box.waitFor();
    assert.equal(await box.getAttribute('placeholder'), 'Placeholder from the script tag');
    await box.pressSequentially('wifi', { delay: 15 });
    const option = page.getByRole('option', { name: /Router drops the wifi/ });
    await option.waitFor();
    const style = (locator, property) => locator.evaluate((e, p) => getComputedStyle(e)[p], property);
    assert.equal(await style(option.locator('.title'), 'color'), 'rgb(0, 100, 0)', '--peerdesk-accent');
    assert.equal(await style(box, 'borderTopLeftRadius'), '12px', '--peerdesk-radius');
    assert.equal(await style(box, 'backgroundColor'), 'rgb(250, 240, 230)', '--peerdesk-background');
    const frame = page.locator('.pd');
    assert.match(await style(frame, 'fontFamily'), /^Georgia, serif$/, '--peerdesk-font');
    assert.equal(await style(frame, 'color'), 'rgb(10, 20, 30)', '--peerdesk-text');
    assert.match(await option.locator('.meta').textContent(), /Accepted answer · 2 answers/, 'default words without data-text-*');
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test('data-text-error is what a failed search shows', { timeout: 120000 }, async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(host.url + '/badkey');
    await page.getByRole('combobox').pressSequentially('wifi', { delay: 15 });
    await page.locator('.empty', { hasText: 'Broken, sorry' }).waitFor();
    assert.equal(await page.getByRole('option').count(), 0);
  } finally {
    await context.close();
  }
});

test('"Allow the demo page" adds the other loopback origin to the key, and the demo page then finds answers', { timeout: 120000 }, async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(server.url + '/signin');
    await page.getByLabel('Username or email').fill('boss');
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/signin'));
    await page.goto(server.url + '/admin/widgets');
    await page.locator('#new-name').fill('Demo key');
    await page.locator('#new-origins').fill('https://help.example.com');
    await page.getByRole('button', { name: 'Create key' }).click();
    const card = page.locator('.widget-key', { hasText: 'Demo key' });
    await card.waitFor();
    const demoOrigin = server.url.replace('127.0.0.1', 'localhost');
    const allow = card.getByRole('button', { name: `Allow the demo page (${demoOrigin})` });
    await allow.waitFor();
    const demoUrl = await card.getByRole('link', { name: 'a demo help page on another origin' }).getAttribute('href');
    assert.ok(demoUrl.startsWith(demoOrigin + '/widget/demo?key=pk_'), demoUrl);

    // Before: the demo page's origin is not allowed, so its searches fail.
    const demo = await context.newPage();
    await demo.goto(demoUrl);
    const box = demo.getByRole('combobox', { name: 'Search the community' });
    await box.pressSequentially('wifi', { delay: 15 });
    await demo.locator('.empty', { hasText: 'Search is not available right now.' }).waitFor();

    await allow.click();
    await allow.waitFor({ state: 'detached' });
    await card.waitFor();
    assert.equal(await card.getByRole('button', { name: /Allow the demo page/ }).count(), 0, 'the button goes once allowed');
    assert.doesNotMatch(await card.textContent(), /allow its origin first/);
    assert.deepEqual((await card.locator('textarea[name="allowed_origins"]').inputValue()).split('\n'), ['https://help.example.com', demoOrigin]);

    await demo.reload();
    await demo.getByRole('combobox', { name: 'Search the community' }).pressSequentially('wifi', { delay: 15 });
    await demo.getByRole('option', { name: /Router drops the wifi every evening/ }).waitFor();
  } finally {
    await context.close();
  }
});
