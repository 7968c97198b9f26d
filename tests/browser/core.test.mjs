// A customer's whole visit in headless Chromium: sign up, ask with Markdown (and see the
// preview), answer as a second user, accept without a reload, see the accepted answer first
// and the reputation on the profile. A screenshot of the question page is kept as an artifact.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer } from '../support/server.mjs';
import { launch } from '../support/browser.mjs';

const artifacts = process.env.PEERDESK_ARTIFACTS || new URL('../../build/artifacts', import.meta.url).pathname;
let server, browser;
const pageErrors = [];

before(async () => {
  server = await startServer();
  browser = await launch();
  await mkdir(artifacts, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // A refused vote is an expected 403 from the API; everything else logged as an error is not.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 403/.test(m.text())) pageErrors.push(`${page.url()}: ${m.text()}`);
  });
  return page;
}

async function signUp(page, username) {
  await page.goto(server.url + '/');
  await page.getByRole('link', { name: 'Sign up' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('link', { name: new RegExp(username) }).waitFor();
}

test('ask, answer, accept and see the reputation, in a real browser', async () => {
  const alice = await newPage();
  await signUp(alice, 'alice');
  await alice.getByRole('link', { name: 'Ask a question' }).click();
  await alice.getByLabel('Title').fill('How do I export my invoices as CSV?');
  await alice.getByLabel('Details (Markdown)').fill('I looked under **Settings → Billing** but found no export.\n\n```sh\ncurl https://example.com/invoices\n```');
  // The live preview renders the Markdown as it will be stored.
  const preview = alice.locator('#ask-preview');
  await preview.locator('strong', { hasText: 'Settings → Billing' }).waitFor();
  assert.equal(await preview.locator('code.language-sh').count(), 1);
  await alice.getByLabel('Tags').fill('billing export');
  await alice.getByRole('button', { name: 'Post your question' }).click();
  await alice.getByRole('heading', { level: 1, name: 'How do I export my invoices as CSV?' }).waitFor();
  const questionUrl = alice.url();

  const bob = await newPage();
  await signUp(bob, 'bob');
  await bob.goto(questionUrl);
  await bob.getByLabel('Write your answer in Markdown').fill('Open **Invoices**, select all, then choose *Download → CSV*.');
  await bob.getByRole('button', { name: 'Post your answer' }).click();
  await bob.locator('.answer strong', { hasText: 'Invoices' }).waitFor();

  const carol = await newPage();
  await signUp(carol, 'carol');
  await carol.goto(questionUrl);
  await carol.getByLabel('Write your answer in Markdown').fill('You can also call the invoices API and save the JSON as CSV.');
  await carol.getByRole('button', { name: 'Post your answer' }).click();
  await carol.locator('.answer', { hasText: 'invoices API' }).waitFor();

  // Alice accepts Bob's answer, which was listed first; then Carol's (listed second), without a reload.
  await alice.goto(questionUrl);
  const navigations = [];
  alice.on('framenavigated', (f) => { if (f === alice.mainFrame()) navigations.push(f.url()); });
  const carolsAnswer = alice.locator('.answer', { hasText: 'invoices API' });
  await carolsAnswer.getByRole('button', { name: 'Accept' }).click();
  await carolsAnswer.getByText('✓ Accepted answer').waitFor();
  assert.deepEqual(navigations, [], 'accepting does not reload the page');
  assert.match(await alice.locator('.answer').first().innerText(), /invoices API/, 'the accepted answer moves first');

  // After a reload the server agrees: accepted first, marked.
  await alice.reload();
  assert.match(await alice.locator('.answer').first().innerText(), /Accepted answer[\s\S]*invoices API/);
  await alice.screenshot({ path: join(artifacts, 'question-page.png'), fullPage: true });

  // Carol now has 16 reputation and may vote up, without a reload.
  await carol.goto(questionUrl);
  const question = carol.locator('.question');
  await question.getByRole('button', { name: 'Vote up: this is useful' }).click();
  await question.locator('.score', { hasText: '1' }).waitFor();
  assert.equal(await question.getByRole('button', { name: 'Vote up: this is useful' }).getAttribute('aria-pressed'), 'true');

  // Bob (1 reputation) is told what voting needs before he tries: the button is off and says so.
  await bob.goto(questionUrl);
  const needs = bob.locator('.question').getByRole('button', { name: 'Vote up: Voting up needs 15 reputation; you have 1.' });
  assert.equal(await needs.isDisabled(), true);
  await bob.getByText(/Voting up needs 15, .* reputation; you have 1\./).waitFor();

  // The profile shows Carol's reputation and where it came from.
  await carol.getByRole('link', { name: /carol/ }).first().click();
  await carol.locator('.reputation', { hasText: '16' }).waitFor();
  await carol.getByText('answer accepted').waitFor();

  assert.deepEqual(pageErrors, [], 'no script errors or CSP violations');
});

test('keyboard alone reaches the content and signs in; phones get no sideways scrolling', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(server.url + '/signup');
  // The first Tab lands on the skip link, which is visible when focused.
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  assert.equal(await skip.evaluate((el) => el === document.activeElement), true);
  assert.ok((await skip.boundingBox()).x >= 0, 'the focused skip link is on screen');
  // Sign up by keyboard: the fields follow each other in tab order, Enter submits.
  await page.getByLabel('Username').focus();
  await page.keyboard.type('keys');
  await page.keyboard.press('Tab');
  await page.keyboard.type('keys@example.com');
  await page.keyboard.press('Tab');
  await page.keyboard.type('correct horse battery staple');
  await page.keyboard.press('Enter');
  await page.getByRole('link', { name: /keys/ }).waitFor();
  for (const path of ['/', '/tags', '/questions/ask', '/questions/1', `/users/1`]) {
    await page.goto(server.url + path);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at 360px wide`);
  }
  await context.close();
  assert.deepEqual(pageErrors, []);
});
