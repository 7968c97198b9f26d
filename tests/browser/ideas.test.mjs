// Ideas in the browser, as the "done when" reads: a member proposes an idea (similar
// ideas shown while typing the title), others vote, a moderator plans then delivers it with a
// response, the voters are told and get their votes back, and a duplicate is merged. Each new
// page is checked with axe-core, and the README's screenshot is taken from the idea page.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, eventually, freshDataDir, peerdesk, startServer } from '../support/server.mjs';
import { launch, axeViolations, signInThroughForm } from '../support/browser.mjs';

const password = 'correct horse battery staple';
const budget = 3;
let server, browser, dir;
const ids = {};

before(async () => {
  dir = await freshDataDir();
  await writeFile(join(dir, 'pw'), `${password}\n`);
  await peerdesk(['user', 'create', 'olga', '--email', 'olga@example.com', '--password-file', join(dir, 'pw'), '--role', 'moderator', '--data', dir]);
  await peerdesk(['settings', 'set', 'privilege.upvote', '0', '--data', dir]);
  await peerdesk(['settings', 'set', 'ideas.vote_budget', String(budget), '--data', dir]);
  server = await startServer({ dataDir: dir });
  browser = await launch();
  for (const name of ['maria', 'kenji', 'lena']) await new Client(server.url).signUp(name);
  // An idea proposed earlier, for "similar ideas" to find.
  const olga = new Client(server.url);
  await olga.signIn('olga', password);
  ids.earlier = (await olga.api('POST', '/ideas', {
    title: 'Dark mode for the web dashboard',
    body: 'A dark theme for the dashboard, for people who work at night.',
    tags: ['dashboard'],
  })).body.id;
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedIn(who) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  await signInThroughForm(page, server.url, who, password);
  return page;
}

test('a member proposes an idea, sees similar ones while typing, and others vote for it', async () => {
  const maria = await signedIn('maria');
  await maria.getByRole('link', { name: 'Ideas' }).click();
  await maria.getByRole('link', { name: 'Propose an idea' }).click();
  await maria.getByLabel('Title').fill('Dark theme');
  // The index may take a moment to hold the earlier idea.
  await eventually(async () => {
    await maria.getByLabel('Title').fill('Dark theme for the dashboard ' + Date.now() % 10);
    return maria.locator('#similar:not([hidden]) a', { hasText: 'Dark mode for the web dashboard' }).first()
      .waitFor({ timeout: 2000 }).then(() => true, () => false);
  }, 'similar ideas shown');
  await maria.getByLabel('Title').fill('Export invoices as a spreadsheet');
  await maria.getByLabel('Details (Markdown)').fill('Accounting asks for **CSV** every month; a button on the invoices page would save us hours.');
  await maria.getByLabel('Tags').fill('billing export');
  await maria.getByRole('button', { name: 'Propose your idea' }).click();
  await maria.waitForURL(/\/ideas\/\d+$/);
  ids.idea = Number(maria.url().split('/').pop());
  await assert.doesNotReject(maria.getByRole('heading', { name: 'Export invoices as a spreadsheet' }).waitFor());
  assert.equal(await maria.locator('.idea-status').first().textContent(), 'New');
  // One's own idea offers no vote.
  assert.equal(await maria.getByRole('button', { name: 'Vote for this idea' }).count(), 0);
  await maria.context().close();

  for (const who of ['kenji', 'lena']) {
    const page = await signedIn(who);
    await page.goto(`${server.url}/ideas?sort=newest`);
    await page.getByRole('link', { name: 'Export invoices as a spreadsheet' }).click();
    await page.getByRole('button', { name: 'Vote for this idea' }).click();
    await page.getByRole('button', { name: /Voted/ }).waitFor();
    assert.match(await page.locator('.votes-left').first().textContent(), new RegExp(`${budget - 1}\\s+votes left`));
    await page.context().close();
  }
  const anon = await browser.newPage();
  await anon.goto(`${server.url}/ideas/${ids.idea}`);
  assert.equal((await anon.locator('#idea-votes').textContent()).trim(), '2');
  await anon.close();
});

test('a moderator plans then delivers it with a response; voters are told and get their votes back', async () => {
  const olga = await signedIn('olga');
  await olga.goto(`${server.url}/ideas/${ids.idea}`);
  await olga.getByLabel('New status').selectOption('planned');
  await olga.getByLabel(/Response to the community/).fill('We will build this next quarter.');
  await olga.getByRole('button', { name: 'Set status' }).click();
  await olga.locator('.idea-response', { hasText: 'We will build this next quarter.' }).waitFor();
  assert.equal(await olga.locator('.idea-meta .idea-status').textContent(), 'Planned');
  // An empty response is refused with the reason, beside the form.
  await olga.getByLabel('New status').selectOption('delivered');
  await olga.getByLabel(/Response to the community/).fill('   ');
  await olga.getByRole('button', { name: 'Set status' }).click();
  await olga.locator('#status-error', { hasText: 'Write a response' }).waitFor();
  assert.equal(await olga.locator('.idea-meta .idea-status').textContent(), 'Planned');
  await olga.getByLabel('New status').selectOption('delivered');
  await olga.getByLabel(/Response to the community/).fill('Shipped in release 4.2: **Export** on the invoices page.');
  await olga.getByRole('button', { name: 'Set status' }).click();
  await olga.locator('.idea-response', { hasText: 'Shipped in release 4.2' }).waitFor();
  assert.equal(await olga.locator('.idea-meta .idea-status').textContent(), 'Delivered');
  assert.deepEqual(await axeViolations(olga), [], 'the idea page as a moderator');
  await olga.context().close();

  const kenji = await signedIn('kenji');
  await eventually(async () => {
    await kenji.goto(server.url + '/notifications');
    return (await kenji.locator('main').textContent()).includes('is now delivered');
  }, 'kenji told of the delivery');
  await kenji.getByRole('link', { name: /is now delivered/ }).first().click();
  await kenji.waitForURL(`${server.url}/ideas/${ids.idea}`);
  assert.match(await kenji.locator('.votes-left').first().textContent(), new RegExp(`${budget}\\s+votes left`));
  assert.equal(await kenji.getByRole('button', { name: /Vote for this idea|Voted/ }).count(), 0, 'a delivered idea takes no votes');
  await kenji.goto(server.url + '/ideas/roadmap');
  await kenji.locator('.roadmap-column', { hasText: 'Delivered' }).getByRole('link', { name: 'Export invoices as a spreadsheet' }).waitFor();
  assert.deepEqual(await axeViolations(kenji), [], 'the roadmap');
  await kenji.context().close();
});

test('a duplicate is merged: its votes move, and its address leads to the other idea', async () => {
  const lena = await signedIn('lena');
  await lena.goto(server.url + '/ideas/new');
  await lena.getByLabel('Title').fill('Night theme for the dashboard');
  await lena.getByLabel('Details (Markdown)').fill('Please add a dark colour scheme to the dashboard.');
  await lena.getByLabel('Tags').fill('dashboard');
  await lena.getByRole('button', { name: 'Propose your idea' }).click();
  await lena.waitForURL(/\/ideas\/\d+$/);
  const dup = Number(lena.url().split('/').pop());
  await lena.context().close();
  const kenji = await signedIn('kenji');
  await kenji.goto(`${server.url}/ideas/${dup}`);
  await kenji.getByRole('button', { name: 'Vote for this idea' }).click();
  await kenji.getByRole('button', { name: /Voted/ }).waitFor();
  await kenji.context().close();

  const olga = await signedIn('olga');
  olga.on('dialog', (d) => d.accept());
  await olga.goto(`${server.url}/ideas/${dup}`);
  await olga.getByLabel('Merge this idea into idea number').fill(String(dup));
  await olga.getByRole('button', { name: 'Merge' }).click();
  await olga.locator('#merge-error', { hasText: 'cannot be merged into itself' }).waitFor();
  await olga.getByLabel('Merge this idea into idea number').fill(`#${ids.earlier}`);
  await olga.getByRole('button', { name: 'Merge' }).click();
  await olga.waitForURL(`${server.url}/ideas/${ids.earlier}`);
  assert.equal((await olga.locator('#idea-votes').textContent()).trim(), '1', "kenji's vote moved");
  await olga.goto(`${server.url}/ideas/${dup}`);
  assert.equal(olga.url(), `${server.url}/ideas/${ids.earlier}`);
  await olga.context().close();
});

test('the ideas pages have no axe violations, signed out and signed in, with errors shown', async () => {
  const anon = await browser.newContext({ bypassCSP: true });
  const page = await anon.newPage();
  for (const path of ['/ideas', '/ideas?sort=trending&status=planned', `/ideas/${ids.idea}`, '/ideas/roadmap']) {
    await page.goto(server.url + path);
    assert.deepEqual(await axeViolations(page), [], path);
  }
  await anon.close();
  const lena = await signedIn('lena');
  await lena.goto(server.url + '/ideas');
  assert.deepEqual(await axeViolations(lena), [], 'the board, signed in');
  await lena.goto(server.url + '/ideas/new');
  await lena.getByLabel('Title').fill('Short');
  await lena.getByLabel('Details (Markdown)').fill('Too short a title for an idea, on purpose.');
  await lena.getByLabel('Tags').fill('x');
  await lena.getByRole('button', { name: 'Propose your idea' }).click();
  await lena.locator('#form-error').waitFor();
  assert.deepEqual(await axeViolations(lena), [], 'the propose form with its error');
  await lena.goto(`${server.url}/ideas/${ids.earlier}`);
  await lena.getByLabel(/Link a question/).fill('999999');
  await lena.getByRole('button', { name: 'Link' }).click();
  await lena.locator('#link-error', { hasText: 'There is no question' }).waitFor();
  assert.deepEqual(await axeViolations(lena), [], 'the idea page with a refused link');
  // Ideas are flagged as posts are.
  await lena.locator('.idea-flag summary').click();
  await lena.getByLabel('Off-topic').check();
  assert.deepEqual(await axeViolations(lena), [], 'the idea page with the flag form open');
  await lena.getByRole('button', { name: 'Send flag' }).click();
  await lena.getByRole('heading', { name: 'Thank you for the flag' }).waitFor();
  await lena.context().close();
});
