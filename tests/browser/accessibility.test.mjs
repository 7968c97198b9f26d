// axe-core in headless Chromium over every page and state people reach: anonymous, member,
// moderator and admin pages, forms with their errors, search in each of its states, the
// widget with open results, and a phone-width thread. Zero violations is the bar.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rm } from 'node:fs/promises';
import { startServer, Client, freshDataDir, eventually } from '../support/server.mjs';
import { launch, axeViolations, signInThroughForm } from '../support/browser.mjs';

const password = 'demo password 2026';
let dir, server, browser, ids = {};

before(async () => {
  dir = await freshDataDir();
  // The demo community has every role and a held answer in the review queue.
  await promisify(execFile)(process.execPath, [new URL('../../scripts/demo.mjs', import.meta.url).pathname, dir]);
  server = await startServer({ dataDir: dir });
  browser = await launch();
  const client = async (name) => { const c = new Client(server.url); await c.signIn(name, password); return c; };
  const [maria, kenji, mod, admin] = await Promise.all(['maria', 'kenji', 'moderator', 'admin'].map(client));
  ids.maria = maria.user.id;
  const questions = (await maria.api('GET', '/questions?sort=newest&pagesize=50')).body.items;
  ids.sync = questions.find((q) => /Sync is stuck/.test(q.title)).id;
  ids.invoices = questions.find((q) => /invoices at once/.test(q.title)).id;
  ids.sharing = questions.find((q) => /Shared folder/.test(q.title)).id;
  ids.api = questions.find((q) => /rate limit/.test(q.title)).id;
  const dup = await kenji.api('POST', '/questions', { title: 'Desktop sync never gets past 99 percent', body: 'The Windows app stays at 99% forever.', tags: ['sync'] });
  ids.duplicate = dup.body.id;
  assert.equal((await mod.api('POST', `/questions/${ids.duplicate}/close`, { reason: 'duplicate', duplicate_of: ids.sync })).status, 200);
  assert.equal((await mod.api('POST', `/questions/${ids.sharing}/lock`)).status, 200);
  assert.equal((await maria.api('PATCH', `/questions/${ids.sync}`, { body: 'Since yesterday the desktop app shows **Syncing… 99%** and never finishes. I tried signing out and in again, twice.\n\n- App version 4.12.1\n- Windows 11 23H2' })).status, 200);
  ids.key = (await admin.api('POST', '/admin/widget-keys', { name: 'Help center', allowed_origins: [demoOrigin()] })).body;
  await eventually(async () => (await maria.api('GET', '/search?q=sync')).body.total > 0, 'the demo to be indexed');
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

// The widget demo page as the admin page links to it: the same server under the other
// loopback name, which the browser treats as another site.
const demoOrigin = () => server.url.replace('127.0.0.1', 'localhost');

// Every page has a strict CSP; axe is let in for the test.
// Each member signs in through the form once; later pages reuse that session's cookies (each
// state runs in both colour schemes, and signing in each time would double the suite's time).
const sessions = new Map();
async function signedIn(who, { width = 1280, height = 800, bypassCSP = true, colorScheme = 'light' } = {}) {
  const storageState = who ? sessions.get(who) : undefined;
  const context = await browser.newContext({ viewport: { width, height }, bypassCSP, colorScheme, storageState });
  const page = await context.newPage();
  if (who && !storageState) {
    await signInThroughForm(page, server.url, who, password);
    sessions.set(who, await context.storageState());
  }
  return page;
}

// Each state: who is signed in, where they go, and what they do there first.
const states = [
  ['home', null, () => '/'],
  ['question, anonymous', null, () => `/questions/${ids.sync}`],
  ['question, its asker (accept buttons, a post flag and the comment box open)', 'maria', () => `/questions/${ids.sync}`, async (page) => {
    await page.locator('.answer a.flag-link').first().click();
    await page.locator('.answer .flag-form').waitFor();
    await page.locator('a.add-comment').first().click();
    await page.locator('.comment-box textarea').waitFor();
  }],
  ['question, a member with a comment flag open', 'kenji', () => `/questions/${ids.sync}`, async (page) => {
    await page.locator('.comment a.flag-link').first().click();
    await page.locator('.comment-flag.flag-form').waitFor();
  }],
  ['question, moderator with the tools open', 'moderator', () => `/questions/${ids.sync}`, async (page) => {
    await page.getByText('Moderator tools').click();
  }],
  ['question, locked', 'kenji', () => `/questions/${ids.sharing}`],
  ['question, closed as a duplicate', null, () => `/questions/${ids.duplicate}`],
  ['question, a refused comment', 'kenji', () => `/questions/${ids.api}`, async (page) => {
    await page.locator('.question a.add-comment').click();
    await page.locator('.question .comment-box textarea').fill('no');
    await page.locator('.question .comment-box').getByRole('button', { name: 'Comment' }).click();
    await page.locator('.question .comment-box .error').waitFor();
  }],
  ['question on a phone, with a code block', 'maria', () => `/questions/${ids.sync}`, null, { width: 390, height: 844 }],
  ['ask, with the preview', 'maria', () => '/questions/ask', async (page) => {
    await page.getByLabel('Title').fill('Where is the activity log?');
    await page.getByLabel('Details (Markdown)').fill('I need the **activity log** for an audit.');
    await page.locator('#ask-preview strong').waitFor();
  }],
  ['search with results and a filter on', null, () => '/search?q=sync+is%3Aanswered'],
  ['search with no results', null, () => '/search?q=teleporter+warranty'],
  ['search with did you mean', null, () => '/search?q=sycn+windos'],
  ['tags', null, () => '/tags'],
  ['question list past its end', null, () => '/questions?page=9'],
  ['own profile', 'maria', () => `/users/${ids.maria}`],
  ['another member\'s profile', 'kenji', () => `/users/${ids.maria}`],
  ['sign in with an error', null, () => '/signin', async (page) => {
    await page.getByLabel('Username or email').fill('maria');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.error').waitFor();
  }],
  ['sign up with an error', null, () => '/signup', async (page) => {
    await page.getByLabel('Username').fill('maria');
    await page.getByLabel('Email').fill('maria2@example.com');
    await page.getByLabel('Password').fill('long enough password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.locator('.error').waitFor();
  }],
  ['revisions', 'maria', () => `/posts/${ids.sync}/revisions`],
  ['review queue', 'moderator', () => '/review'],
  ['audit log', 'moderator', () => '/audit'],
  ['admin widgets', 'admin', () => '/admin/widgets'],
  ['account', 'maria', () => '/account'],
  // A thread per scheme: a member flags a post once.
  ['a flag sent', 'kenji', (scheme) => `/questions/${scheme === 'dark' ? ids.sync : ids.invoices}`, async (page) => {
    await page.locator('.question a.flag-link').first().click();
    await page.getByLabel('Off-topic').first().check();
    await page.getByRole('button', { name: 'Send flag' }).first().click();
    await page.getByRole('heading', { name: 'Thank you for the flag' }).waitFor();
  }],
];

// Both colour schemes: the system's dark setting turns the site dark, and both must read.
for (const [name, who, path, act, options] of states) for (const colorScheme of ['light', 'dark']) {
  test(`no axe violations: ${name} (${colorScheme})`, async () => {
    const page = await signedIn(who, { ...options, colorScheme });
    const response = await page.goto(server.url + path(colorScheme));
    assert.ok(response.status() < 500);
    if (act) await act(page);
    assert.deepEqual(await axeViolations(page), []);
    await page.context().close();
  });
}

test('no axe violations: the widget demo page with open results', async () => {
  const page = await signedIn(null);
  await page.goto(`${demoOrigin()}/widget/demo?key=${encodeURIComponent(ids.key.key)}&community=${encodeURIComponent(server.url)}`);
  await page.getByRole('combobox').pressSequentially('sync windows', { delay: 15 });
  await page.getByRole('option').first().waitFor();
  await page.getByRole('combobox').press('ArrowDown');
  assert.deepEqual(await axeViolations(page), []);
  await page.context().close();
});
