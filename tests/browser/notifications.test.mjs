// "Nobody waits in vain", end to end in Chromium with a real SMTP server: a customer asks in the
// browser, another member answers, the customer gets the mail, follows its link and accepts
// the answer, and the answerer's open page shows the bell rise without a reload (SSE). Also
// the mention suggestions with the keyboard. Screenshots of the inbox and the bell are kept.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '../support/server.mjs';
import { launch } from '../support/browser.mjs';
import { linkIn, startMailServer, startSmtp } from '../support/smtp.mjs';

const artifacts = process.env.PEERDESK_ARTIFACTS || new URL('../../build/artifacts', import.meta.url).pathname;
const password = 'correct horse battery staple';
let relay, server, browser;

before(async () => {
  relay = await startSmtp();
  server = await startMailServer({ smtpUrl: `smtp://127.0.0.1:${relay.port}`, args: ['--rate-limits', 'off'] });
  browser = await launch();
  await mkdir(artifacts, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await relay?.stop();
});

// A member with a confirmed address (the link from the mail), signed in in a browser context.
async function member(name) {
  const c = new Client(server.url);
  await c.signUp(name, password);
  const mail = await relay.waitFor((m) => m.rcptTos.includes(`${name}@example.com`) && /Confirm/.test(m.subject), `${name}'s verification`);
  const context = await browser.newContext({ viewport: { width: 1100, height: 850 } });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(server.url + '/signin');
  await page.getByLabel('Username or email').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: new RegExp(name) }).first().waitFor();
  await page.goto(linkIn(mail, '/verify-email?token='));
  await page.getByRole('button').filter({ hasText: /Confirm/ }).first().click();
  await page.waitForLoadState();
  return { client: c, context, page };
}

test('asked in the browser, answered, mailed, accepted; the answerer\'s bell rises without a reload', async () => {
  const cora = await member('cora');
  const abel = await member('abel');
  // Abel's first answer and its acceptance earn badges, told a moment later; this test counts
  // the answer's own news, so he turns badge news off (the badge suite tells them).
  assert.equal((await abel.client.api('PATCH', '/me/preferences', { badge: 'off' })).status, 200);

  // Cora asks in the browser.
  await cora.page.goto(server.url + '/questions/ask');
  await cora.page.getByLabel('Title').fill('The label printer prints blank labels after the update');
  await cora.page.getByLabel('Details (Markdown)').fill('Since the last firmware update every label comes out blank. The ribbon is new.');
  await cora.page.getByLabel('Tags').fill('printers');
  await cora.page.getByRole('button', { name: 'Post your question' }).click();
  await cora.page.getByRole('heading', { name: 'The label printer prints blank labels after the update' }).waitFor();
  const questionUrl = cora.page.url();

  // Abel answers from the question page, and keeps it open.
  await abel.page.goto(questionUrl);
  await abel.page.getByLabel('Write your answer in Markdown').fill('The update resets the print density to zero: set it back to 8 under Settings, Print quality.');
  await abel.page.getByRole('button', { name: 'Post your answer' }).click();
  await abel.page.getByText('resets the print density to zero').first().waitFor();
  const bell = abel.page.locator('header .bell');
  await bell.waitFor();
  assert.equal(await bell.getAttribute('data-unread'), '0');
  // A mark on the window: it survives only if the page is not reloaded.
  await abel.page.evaluate(() => { window.stillTheSamePage = true; });

  // Cora's mail, with the link to the exact answer.
  const mail = await relay.waitFor((m) => m.rcptTos.includes('cora@example.com') && /abel answered your question/.test(m.subject), 'the answer mail');
  const link = linkIn(mail, '/questions/');
  assert.match(link, /#answer-\d+$/);
  assert.match(mail.html, /abel answered your question/);
  // Opened from the mail in a new tab, as a mail reader does.
  const tab = await cora.context.newPage();
  tab.on('pageerror', (e) => cora.page.errors.push(e.message));
  await tab.goto(link);
  const answerId = new URL(link).hash.slice('#answer-'.length);
  const accept = tab.locator(`#answer-${answerId}`).getByRole('button', { name: 'Accept' });
  await accept.click();
  await tab.locator(`#answer-${answerId} .accepted-mark`).waitFor();

  // Abel's open page: the bell rises, without a reload, and the news is announced.
  await abel.page.waitForFunction(() => document.querySelector('header .bell').getAttribute('data-unread') !== '0', null, { timeout: 15000 });
  assert.ok(await abel.page.evaluate(() => window.stillTheSamePage === true), 'the page was not reloaded');
  // The acceptance, and the reputation it earned (one row for the day).
  await abel.page.waitForFunction(() => document.querySelector('header .bell').getAttribute('data-unread') === '2', null, { timeout: 15000 });
  assert.equal(await abel.page.locator('header .bell-count').textContent(), '2');
  assert.equal(await bell.getAttribute('aria-label'), 'Notifications: 2 unread');
  await abel.page.locator('.toast').getByText(/cora accepted your answer|You earned 15 reputation/).waitFor();
  await abel.page.locator('header.top').screenshot({ path: join(artifacts, 'notifications-bell.png') });

  // The inbox: the acceptance, linking to the exact answer.
  await bell.click();
  await abel.page.getByRole('heading', { name: 'Notifications' }).waitFor();
  await abel.page.locator('.notification.unread').getByText(/You earned 15 reputation/).waitFor();
  const item = abel.page.locator('.notification.unread[data-kind="accepted"]');
  await item.getByText('cora accepted your answer on “The label printer prints blank labels after the update”').waitFor();
  assert.equal(await item.getByRole('link').getAttribute('href'), `/questions/${new URL(questionUrl).pathname.split('/')[2]}#answer-${answerId}`);
  await abel.page.screenshot({ path: join(artifacts, 'notifications-inbox.png'), fullPage: true });
  // Mark all read, without the script's help (a form).
  await abel.page.getByRole('button', { name: 'Mark all read' }).click();
  await abel.page.locator('.notification.unread').first().waitFor({ state: 'detached' });
  assert.equal(await abel.page.locator('header .bell').getAttribute('data-unread'), '0');
  assert.deepEqual([...cora.page.errors, ...abel.page.errors], []);
  await cora.context.close();
  await abel.context.close();
});

test('mention suggestions: type @ and a few letters, choose with the keyboard', async () => {
  const dora = await member('dora');
  const eli = await member('elias');
  await dora.page.goto(server.url + '/questions/ask');
  await dora.page.getByLabel('Title').fill('Who knows the warranty terms for the model X scanner?');
  const body = dora.page.getByLabel('Details (Markdown)');
  await body.click();
  await body.pressSequentially('Maybe @eli');
  const list = dora.page.getByRole('listbox', { name: 'Members to mention' });
  await list.waitFor();
  const option = list.getByRole('option', { name: '@elias' });
  await option.waitFor();
  assert.equal(await option.getAttribute('aria-selected'), 'true');
  assert.equal(await body.getAttribute('aria-activedescendant'), await option.getAttribute('id'));
  await dora.page.getByRole('status').filter({ hasText: 'to mention' }).first().waitFor({ state: 'attached' });
  await dora.page.keyboard.press('Enter');
  assert.equal(await body.inputValue(), 'Maybe @elias ');
  assert.equal(await list.isHidden(), true);
  assert.equal(await body.getAttribute('aria-activedescendant'), null);
  await body.pressSequentially('knows it.');
  await dora.page.getByLabel('Tags').fill('scanners');
  await dora.page.getByRole('button', { name: 'Post your question' }).click();
  const mention = dora.page.locator('a.mention', { hasText: '@elias' });
  await mention.waitFor();
  assert.equal(await mention.getAttribute('href'), `/users/${eli.client.user.id}`);
  // Elias's bell (the page was open before) shows the mention.
  await eli.page.goto(server.url + '/questions');
  await eli.page.waitForFunction(() => document.querySelector('header .bell').getAttribute('data-unread') === '1', null, { timeout: 15000 });
  assert.deepEqual([...dora.page.errors, ...eli.page.errors], []);
  await dora.context.close();
  await eli.context.close();
});
