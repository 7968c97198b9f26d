// The members list, badges, a profile and the admins' settings and moderators pages in headless
// Chromium, over the demo community: axe-core finds nothing, what a visitor reads matches the
// API, and an admin changes a setting and a role with the forms. Screenshots of each page go
// to PEERDESK_SCREENSHOT_DIR when it is set (to look at them).
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rm, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, freshDataDir, eventually } from '../support/server.mjs';
import { launch, axeViolations, signInThroughForm } from '../support/browser.mjs';

const password = 'demo password 2026';
const shots = process.env.PEERDESK_SCREENSHOT_DIR;
let dir, server, browser, maria, admin;

before(async () => {
  dir = await freshDataDir();
  await promisify(execFile)(process.execPath, [new URL('../../scripts/demo.mjs', import.meta.url).pathname, dir]);
  server = await startServer({ dataDir: dir });
  browser = await launch();
  maria = new Client(server.url);
  await maria.signIn('maria', password);
  admin = new Client(server.url);
  await admin.signIn('admin', password);
  // The member worker counts the demo a moment after the start.
  await eventually(async () => (await maria.api('GET', '/users')).body.items.some((m) => m.badge_counts.bronze > 0),
    'the demo members to be counted');
  if (shots) await mkdir(shots, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function open(who, path, { width = 1280, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, bypassCSP: true });
  const page = await context.newPage();
  if (who) {
    await signInThroughForm(page, server.url, who, password);
  }
  await page.goto(server.url + path);
  return page;
}

async function check(page, name) {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  assert.deepEqual(await axeViolations(page), [], `${name}: axe-core violations`);
  await page.context().close();
}

test('the members list shows what the API counts, and is clean for axe', async () => {
  const api = (await maria.api('GET', '/users')).body.items;
  const page = await open(null, '/users');
  const cards = page.locator('.member-card');
  assert.equal(await cards.count(), api.length);
  const first = cards.first();
  assert.equal(await first.locator('.member-name a').textContent(), api[0].username);
  assert.equal(await first.locator('.rep-total').textContent(), api[0].reputation.toLocaleString('en-US'));
  assert.equal(await first.locator('.answers').textContent(), String(api[0].answers));
  const b = api[0].badge_counts;
  if (b.bronze + b.silver + b.gold > 0)
    assert.equal(await first.locator('.medals').getAttribute('aria-label'),
      `${b.gold} gold, ${b.silver} silver, ${b.bronze} bronze ${b.gold + b.silver + b.bronze === 1 ? 'badge' : 'badges'}`);
  // The leaderboard tab, then a search by name.
  await page.getByRole('link', { name: 'This week' }).click();
  await page.waitForURL(/period=week/);
  assert.match(await page.locator('h1').textContent(), /Reputation gained this week/);
  await page.getByLabel('Name').fill('mar');
  await page.getByRole('button', { name: 'Find' }).click();
  await page.waitForURL(/q=mar/);
  assert.deepEqual(await page.locator('.member-name a').allTextContents(), ['maria']);
  await check(page, 'users');
});

test('top answerers in a tag', async () => {
  const tag = (await maria.api('GET', '/users/' + maria.user.id)).body.top_tags[0]?.name ?? 'sync';
  const api = (await maria.api('GET', `/users?tag=${tag}`)).body.items;
  const page = await open('kenji', `/users?tag=${encodeURIComponent(tag)}`);
  assert.equal(await page.locator('h1').textContent(), `Top answerers in ${tag}`);
  assert.deepEqual(await page.locator('.tag-score').allTextContents(), api.map((m) => String(m.tag_score)));
  await check(page, 'users-tag');
});

test('the badges page, a badge\'s holders, and the way there from a profile', async () => {
  const api = (await maria.api('GET', '/badges')).body.items;
  const page = await open(null, '/badges');
  const helper = api.find((x) => x.name === 'Helper');
  const row = page.locator('.badge-list li', { has: page.getByRole('link', { name: 'Helper', exact: true }) });
  assert.equal(await row.locator('.holders').textContent(), String(helper.awarded));
  await check(page, 'badges');

  const holders = await open(null, `/badges/${helper.id}`);
  assert.equal(await holders.locator('.holder-list li').count(), helper.awarded);
  await check(holders, 'badge');

  const mine = (await maria.api('GET', `/users/${maria.user.id}/badges`)).body.items;
  const profile = await open('maria', `/users/${maria.user.id}`);
  assert.equal(await profile.locator('#badges .badge-chip').count(), mine.length);
  assert.ok(mine.length > 0, 'maria holds badges in the demo');
  await profile.locator('#badges .badge-chip').first().click();
  await profile.waitForURL(/\/badges\/\d+/);
  assert.ok(await profile.getByRole('link', { name: 'maria' }).count() > 0, 'she is among the holders');
  await profile.context().close();
  const again = await open('kenji', `/users/${maria.user.id}`);
  await check(again, 'profile');
});

test('an admin changes a setting with the form; a bad value is named beside its field', async () => {
  const page = await open('admin', '/admin/settings');
  await page.getByRole('link', { name: 'Admin' }).first().waitFor();
  const field = page.getByLabel(/Vote up/);
  await field.fill('0');
  await page.getByLabel(/Flags per member per hour/).fill('0');
  // The browser refuses the value out of bounds itself; the server says the same to a browser
  // that does not check.
  assert.equal(await page.getByLabel(/Flags per member per hour/).evaluate((e) => e.validity.valid), false);
  await page.locator('.settings-form').evaluate((f) => { f.noValidate = true; });
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.locator('#setting-rate-flags_per_hour-error').waitFor();
  assert.match(await page.locator('#setting-rate-flags_per_hour-error').textContent(), /must be a whole number from 1 to 100000, not 0/);
  assert.equal(await page.getByLabel(/Flags per member per hour/).getAttribute('aria-invalid'), 'true');
  if (shots) await page.screenshot({ path: join(shots, 'admin-settings-error.png'), fullPage: true });
  assert.deepEqual(await axeViolations(page), []);
  await page.getByLabel(/Flags per member per hour/).fill('30');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved. The server works with these settings now.').waitFor();
  assert.equal(await page.getByLabel(/Vote up/).inputValue(), '0');
  assert.equal((await admin.api('GET', '/admin/settings')).body['privilege.upvote'], 0);
  await check(page, 'admin-settings');
});

test('an admin makes a member a moderator and takes it back', async () => {
  const page = await open('admin', '/admin/moderators');
  await page.getByLabel('Make a member a moderator').fill('kenji');
  await page.getByRole('button', { name: 'Make moderator' }).click();
  await page.getByText('Done. The member\'s role has changed.').waitFor();
  const row = page.locator('tr', { has: page.getByRole('link', { name: 'kenji' }) });
  assert.equal(await row.locator('td').nth(1).textContent(), 'moderator');
  if (shots) await page.screenshot({ path: join(shots, 'admin-moderators.png'), fullPage: true });
  assert.deepEqual(await axeViolations(page), []);
  await row.getByRole('button', { name: 'Take the moderator role' }).click();
  await page.getByText('Done. The member\'s role has changed.').waitFor();
  assert.equal(await page.getByRole('link', { name: 'kenji' }).count(), 0);
  await page.context().close();
});
