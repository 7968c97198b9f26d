// XSS polyglots stored in titles, bodies, answers, comments and search queries, then opened in
// headless Chromium: no injected script may run. Pages are checked twice: as served (with the
// Content-Security-Policy) and with the policy bypassed, so that escaping alone is proven and
// the policy is a second wall, not the only one. The ask page's similar list and the widget
// render in the browser, so they are typed into as a user would.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServer, freshDataDir, createAccount, Client, eventually } from '../support/server.mjs';
import { launch } from '../support/browser.mjs';
import { polyglots, full } from './naughty.mjs';

let server, browser, host, key, poster;
const ids = [];
const findings = [];

before(async () => {
  const dir = await freshDataDir();
  await createAccount(dir, 'poster', 'admin');
  server = await startServer({ dataDir: dir });
  browser = await launch();
  poster = new Client(server.url);
  await poster.signIn('poster');
  for (const [i, s] of polyglots.entries()) {
    const q = await poster.api('POST', '/questions', { title: `Printer question ${i} ${s.replace(/[\n\u2028\u2029]/g, " ")}`.slice(0, 150), body: `Printer body ${i}\n\n${s}`, tags: ['printer'] });
    assert.equal(q.status, 201, q.text);
    ids.push(q.body.id);
    await poster.api('POST', `/questions/${q.body.id}/answers`, { body: `Printer answer ${i}\n\n${s}` });
    await poster.api('POST', `/posts/${q.body.id}/comments`, { body: `Printer comment ${i} ${s}` });
    await poster.api('PATCH', `/questions/${q.body.id}`, { body: `Printer body ${i} edited\n\n${s}`, summary: s.slice(0, 100) });
  }
  host = await new Promise((resolve) => {
    const s = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Help</title></head><body>
<div data-peerdesk-search></div><script src="${server.url}/widget.js" data-key="${key.key}" async></script></body></html>`);
    });
    s.listen(0, '127.0.0.1', () => resolve({ server: s, url: `http://127.0.0.1:${s.address().port}` }));
  });
  key = (await poster.api('POST', '/admin/widget-keys', { name: 'help', allowed_origins: [host.url] })).body;
  await eventually(async () => (await poster.api('GET', '/search?q=printer&pagesize=100')).body.total >= polyglots.length, 'indexing', 10000);
});
after(async () => {
  await browser?.close();
  host?.server.close();
  await server?.stop();
  console.log(`hostile browser: ${polyglots.length} polyglots, findings: ${findings.length}`);
});

// One browser context per test (with or without the CSP), its alert functions replaced by
// recorders, and dialogs counted.
async function openContext(bypassCSP) {
  const context = await browser.newContext({ bypassCSP });
  await context.addInitScript(() => {
    for (const name of ['alert', 'confirm', 'prompt']) window[name] = () => { window.__pwned = name; };
  });
  const page = await context.newPage();
  page.on('dialog', async (d) => { findings.push(`${page.url()}: a dialog opened (${d.message()})`); await d.dismiss(); });
  return { context, page };
}

// Runs the steps, then reports any sign that injected code ran or could run.
async function visit(page, what, steps) {
  await steps(page);
  for (const frame of page.frames()) {
    const state = await frame.evaluate(() => {
      const all = (root) => [...root.querySelectorAll('*')].flatMap((e) => (e.shadowRoot ? [e, ...all(e.shadowRoot)] : [e]));
      const elements = all(document);
      return {
        pwned: window.__pwned ?? (window.parent !== window ? window.parent.__pwned : undefined),
        handlers: elements.flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${e.tagName} ${a.name}`)),
        // A thread's structured data is data, not code: one element of JSON that parses whole.
        inline: elements.filter((e) => e.tagName === 'SCRIPT' && !e.src).filter((e, i, all) => {
          if (e.type !== 'application/ld+json' || all.length > 1 || e.parentElement !== document.head) return true;
          try { JSON.parse(e.textContent); return false; } catch { return true; }
        }).length,
        badUrls: elements.flatMap((e) => ['href', 'src', 'action', 'formaction', 'data'].map((n) => e.getAttribute(n)).filter((v) => v && /^\s*(javascript|vbscript|data):/i.test(v))),
      };
    });
    if (state.pwned) findings.push(`${what}: injected code ran (${state.pwned})`);
    if (state.handlers.length) findings.push(`${what}: event handler attributes ${state.handlers.join(', ')}`);
    if (state.inline) findings.push(`${what}: ${state.inline} inline script elements`);
    if (state.badUrls.length) findings.push(`${what}: script URLs ${state.badUrls.join(', ')}`);
  }
}

function assertClean() {
  const found = findings.splice(0);
  assert.deepEqual(found, [], found.join('\n'));
}

// The short form types a spread sample; stored content is all opened either way.
const typed = full ? polyglots : polyglots.filter((_, i) => i % 4 === 0);

for (const bypassCSP of [false, true]) {
  const how = bypassCSP ? 'with the CSP bypassed' : 'as served';
  test(`stored polyglots in every page run nothing, ${how}`, async () => {
    const { context, page } = await openContext(bypassCSP);
    const paths = ['/', '/questions?sort=newest', '/tags/printer', '/search?q=printer'];
    for (const id of ids) paths.push(`/questions/${id}`, `/posts/${id}/revisions`);
    for (const path of paths) await visit(page, path, (p) => p.goto(server.url + path));
    // Signed in as the author: the edit form puts the stored text back into inputs.
    await context.addCookies(sessionCookies());
    for (const id of ids) await visit(page, `edit ${id}`, (p) => p.goto(`${server.url}/posts/${id}/edit`));
    await visit(page, 'review', (p) => p.goto(`${server.url}/review`));
    await context.close();
    assertClean();
  });

  test(`polyglots as search queries, typed titles and widget queries run nothing, ${how}`, async () => {
    const { context, page } = await openContext(bypassCSP);
    await context.addCookies(sessionCookies());
    for (const s of typed) {
      await visit(page, `search ${s}`, (p) => p.goto(`${server.url}/search?q=${encodeURIComponent(s)}`));
      await visit(page, `similar ${s}`, async (p) => {
        await p.goto(`${server.url}/questions/ask`);
        // The similar questions are asked for after a pause in typing: wait for that answer, and
        // for the list it fills (or leaves hidden when nothing is similar), before looking.
        const answered = p.waitForResponse((r) => r.url().includes('/api/v1/similar?'), { timeout: 15000 });
        await p.getByLabel('Title').fill(`Printer ${s}`);
        const r = await answered;
        assert.ok(r.status() < 500, `similar answered ${r.status()}`);
        await p.waitForFunction(() => document.querySelector('#similar')?.hidden || document.querySelector('#similar a'));
      });
      await visit(page, `widget ${s}`, async (p) => {
        await p.goto(host.url);
        const box = p.getByRole('combobox');
        const hostile = p.waitForResponse((r) => r.url().includes('/api/v1/widget/search?'), { timeout: 15000 });
        await box.fill(`printer ${s}`);
        assert.ok((await hostile).status() < 500);
        await box.fill('printer');
        await p.getByRole('option').first().waitFor();
      });
    }
    await context.close();
    assertClean();
  });
}

function sessionCookies() {
  return poster.cookieHeader().split('; ').map((c) => ({ name: c.split('=')[0], value: c.split('=').slice(1).join('='), url: server.url }));
}

test('the checks catch an injection when there is one', async () => {
  const { context, page } = await openContext(false);
  await visit(page, 'planted', (p) => p.setContent('<p>hi</p><img src="x" onerror="alert(1)"><a href="javascript:alert(2)">x</a><script>1</script>'));
  // The planted handler runs when the image fails to load: wait for it, not for a fixed time.
  await page.waitForFunction(() => window.__pwned);
  await visit(page, 'planted again', async () => {});
  await context.close();
  const found = findings.splice(0);
  assert.ok(found.some((f) => /injected code ran \(alert\)/.test(f)), found.join('\n'));
  assert.ok(found.some((f) => /event handler attributes IMG onerror/.test(f)));
  assert.ok(found.some((f) => /script URLs javascript:alert\(2\)/.test(f)));
  assert.ok(found.some((f) => /inline script elements/.test(f)));
});
