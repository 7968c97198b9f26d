// A moderator works through the review queue in headless Chromium: a held post and a flagged
// one wait there; approving publishes the first, rejecting removes the second; the audit page
// shows both decisions. Screenshots are kept as artifacts.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, peerdesk, freshDataDir } from '../support/server.mjs';
import { launch } from '../support/browser.mjs';

const artifacts = process.env.PEERDESK_ARTIFACTS || new URL('../../build/artifacts', import.meta.url).pathname;
let server, browser, questionId, heldId, spamId;
const pageErrors = [];

before(async () => {
  const dir = await freshDataDir();
  await writeFile(join(dir, 'pw'), 'keeper of order 1\n');
  await peerdesk(['user', 'create', 'mod', '--email', 'mod@example.com', '--password-file', join(dir, 'pw'), '--role', 'moderator', '--data', dir]);
  server = await startServer({ dataDir: dir });
  browser = await launch();
  await mkdir(artifacts, { recursive: true });
  const asker = new Client(server.url);
  const newbie = new Client(server.url);
  const reader = new Client(server.url);
  await asker.signUp('asker');
  await newbie.signUp('newbie');
  await reader.signUp('reader');
  questionId = (await asker.api('POST', '/questions', { title: 'Which HDMI cable for 4K at 120 Hz?', body: 'My TV flickers at 120 Hz with the old cable.', tags: ['display'] })).body.id;
  const held = await newbie.api('POST', `/questions/${questionId}/answers`, { body: 'Use an Ultra High Speed cable: https://example.com/hdmi and https://example.org/list' });
  assert.equal(held.status, 202);
  heldId = held.body.id;
  spamId = (await newbie.api('POST', `/questions/${questionId}/answers`, { body: 'Cheap watches and bags at my shop, visit today for deals.' })).body.id;
  assert.equal((await reader.api('POST', `/posts/${spamId}/flags`, { reason: 'spam', note: 'an advert' })).status, 201);
});
after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(server.errors, []);
});

test('a moderator approves a held answer and rejects a spam one from the review queue', async () => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // Reject asks first; the moderator means it.
  page.on('dialog', (d) => d.accept());
  await page.goto(server.url + '/signin');
  await page.getByLabel('Username or email').fill('mod');
  await page.getByLabel('Password').fill('keeper of order 1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Review' }).click();
  await page.getByRole('heading', { level: 1, name: 'Review queue' }).waitFor();
  assert.match(await page.locator('.count').textContent(), /2 items/);
  await page.screenshot({ path: join(artifacts, 'review-queue.png'), fullPage: true });

  const held = page.locator('.review-item', { hasText: 'Ultra High Speed' });
  assert.match(await held.textContent(), /Held: New members may post 1 link/);
  await held.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('heading', { level: 1, name: 'Review queue' }).waitFor();
  const spam = page.locator('.review-item', { hasText: 'Cheap watches' });
  assert.match(await spam.textContent(), /1 × spam/);
  assert.match(await spam.textContent(), /an advert/);
  await spam.getByLabel(/Note/).fill('advertising');
  await spam.getByRole('button', { name: 'Reject' }).click();
  await page.getByText('Nothing to review. Thank you.').waitFor();

  await page.goto(server.url + `/questions/${questionId}`);
  await page.locator(`#answer-${heldId}`).waitFor();
  // Gone for everyone but moderators, who see it marked as deleted (and may restore it).
  assert.match(await page.locator(`#answer-${spamId}`).getAttribute('class'), /deleted/);
  assert.doesNotMatch((await new Client(server.url).request('GET', `/questions/${questionId}`)).text, /Cheap watches/);

  await page.getByRole('link', { name: 'Audit' }).click();
  await page.getByRole('cell', { name: 'rejected in review' }).waitFor();
  assert.equal(await page.getByRole('cell', { name: 'approved in review' }).count(), 1);
  await page.screenshot({ path: join(artifacts, 'audit-log.png'), fullPage: true });
});
