// Moderators and members in headless Chromium: destructive buttons ask first (and act at once
// without scripts), deleted posts are restored from the page, the duplicate picker fills in the
// original, and the pages that show what a member may do are photographed for review.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, peerdesk, freshDataDir, eventually } from '../support/server.mjs';
import { launch, collectErrors, signInThroughForm } from '../support/browser.mjs';

const artifacts = process.env.PEERDESK_ARTIFACTS || new URL('../../build/artifacts', import.meta.url).pathname;
const password = 'keeper of order 1';
let server, browser, mod, alice, bob, newbie;
const pageErrors = [];

before(async () => {
  const dir = await freshDataDir();
  await writeFile(join(dir, 'pw'), password + '\n');
  await peerdesk(['user', 'create', 'mod', '--email', 'mod@example.com', '--password-file', join(dir, 'pw'), '--role', 'moderator', '--data', dir]);
  server = await startServer({ dataDir: dir });
  browser = await launch();
  await mkdir(artifacts, { recursive: true });
  mod = new Client(server.url);
  await mod.signIn('mod', password);
  alice = new Client(server.url);
  bob = new Client(server.url);
  newbie = new Client(server.url);
  await alice.signUp('alice', password);
  await bob.signUp('bob', password);
  await newbie.signUp('newbie', password);
});
after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(server.errors, []);
});

async function signedIn(username, { javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, javaScriptEnabled });
  const page = await context.newPage();
  collectErrors(page, pageErrors);
  await signInThroughForm(page, server.url, username, password);
  return page;
}

const ask = async (who, title, body = 'A question body that is long enough to post.', tags = ['printing']) =>
  (await who.api('POST', '/questions', { title, body, tags })).body.id;
const answer = async (who, q, body) => (await who.api('POST', `/questions/${q}/answers`, { body })).body.id;

test('deleting asks first; no deletes nothing; the deleted answer stays marked for moderators, who undelete it', async () => {
  const q = await ask(alice, 'Printer prints blank pages after a cartridge change');
  const a = await answer(bob, q, 'Pull the orange tape off the new cartridge before you insert it.');
  const page = await signedIn('mod');
  await page.goto(server.url + `/questions/${q}`);
  const answerBox = page.locator(`#answer-${a}`);
  const asked = [];
  page.once('dialog', (d) => { asked.push(d.message()); d.dismiss(); });
  await answerBox.getByRole('button', { name: 'Delete' }).click();
  assert.match(asked[0] || '', /Delete this answer\?/);
  // A dismissed confirmation sends nothing: the page as the server has it still shows the answer.
  await page.reload();
  assert.equal(await answerBox.locator('.deleted-banner').count(), 0, 'dismissed: nothing happened');

  page.once('dialog', (d) => d.accept());
  await answerBox.getByRole('button', { name: 'Delete' }).click();
  await page.locator(`#answer-${a} .deleted-banner`).waitFor();
  assert.match(await page.locator(`#answer-${a}`).getAttribute('class'), /deleted/);
  await page.screenshot({ path: join(artifacts, 'deleted-answer-moderator.png'), fullPage: true });
  assert.equal((await new Client(server.url).request('GET', `/questions/${q}`)).text.includes('orange tape'), false);

  await page.locator(`#answer-${a}`).getByRole('button', { name: 'Undelete answer' }).click();
  await page.waitForLoadState();
  await page.locator(`#answer-${a}`).waitFor();
  assert.equal(await page.locator(`#answer-${a} .deleted-banner`).count(), 0);

  // A deleted question: the moderator still opens it from the audit log and restores it.
  page.once('dialog', (d) => d.accept());
  await page.getByText('Moderator tools').click();
  await page.getByRole('button', { name: 'Delete question' }).click();
  await page.waitForURL(/\/questions$/);
  await page.goto(server.url + `/audit?post=${q}`);
  await page.screenshot({ path: join(artifacts, 'audit-words.png'), fullPage: true });
  await page.getByRole('link', { name: `question ${q}` }).first().click();
  await page.getByText('This question is deleted').waitFor();
  await page.screenshot({ path: join(artifacts, 'deleted-question-moderator.png'), fullPage: true });
  await page.getByRole('button', { name: 'Undelete question' }).click();
  await page.waitForLoadState();
  assert.equal((await new Client(server.url).request('GET', `/questions/${q}`)).status, 200);
  await page.context().close();
});

test('without scripts the delete button acts at once, as a plain form does', async () => {
  const q = await ask(alice, 'Scanner light stays on all night long');
  const a = await answer(bob, q, 'Turn on sleep mode in the scanner settings panel.');
  const page = await signedIn('mod', { javaScriptEnabled: false });
  await page.goto(server.url + `/questions/${q}`);
  await page.locator(`#answer-${a}`).getByRole('button', { name: 'Delete' }).click();
  await page.locator(`#answer-${a} .deleted-banner`).waitFor();
  await page.context().close();
});

test('closing as a duplicate: pick the original from related questions or a search, or type its id without scripts', async () => {
  const original = await ask(alice, 'Wireless printer goes offline after the router restarts');
  await answer(bob, original, 'Give the printer a fixed address in the router settings.');
  const other = await ask(alice, 'Printer toner smears on thick paper', 'The toner smears whenever I print on card stock.', ['toner']);
  const dup = await ask(newbie, 'Wireless printer goes offline whenever the router restarts');
  await eventually(async () => {
    const r = await mod.api('GET', `/questions/${dup}/similar`);
    return r.body.items?.some((i) => i.question_id === original);
  }, 'the index to know the original', 20000);

  const page = await signedIn('mod');
  await page.goto(server.url + `/questions/${dup}`);
  await page.getByText('Moderator tools').click();
  const picker = page.locator('.dup-picker');
  await picker.getByRole('button', { name: /Wireless printer goes offline/ }).waitFor();
  await page.screenshot({ path: join(artifacts, 'duplicate-picker.png') });
  await page.getByLabel('Find the original question').fill('toner smears');
  const smears = picker.getByRole('button', { name: /Printer toner smears on thick paper/ });
  await smears.waitFor();
  await smears.click();
  assert.equal(await page.getByLabel('Original question id (for duplicates)').inputValue(), String(other));
  assert.equal(await smears.getAttribute('aria-pressed'), 'true');
  await page.getByLabel('Find the original question').fill('');
  const related = picker.getByRole('button', { name: /Wireless printer goes offline/ });
  await related.waitFor();
  await related.click();
  assert.equal(await page.getByLabel('Original question id (for duplicates)').inputValue(), String(original));
  await page.getByLabel('Close as').selectOption('off_topic');
  assert.equal(await picker.isHidden(), true, 'the picker follows the reason');
  await page.getByLabel('Close as').selectOption('duplicate');
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  await page.getByText('Closed as a duplicate.').waitFor();
  assert.equal(await page.getByRole('link', { name: 'Wireless printer goes offline after the router restarts' }).first().getAttribute('href'), `/questions/${original}`);
  await page.context().close();

  const dup2 = await ask(newbie, 'Printer loses the network when the router restarts');
  const plain = await signedIn('mod', { javaScriptEnabled: false });
  await plain.goto(server.url + `/questions/${dup2}`);
  await plain.getByText('Moderator tools').click();
  assert.equal(await plain.locator('.dup-picker').isHidden(), true, 'no picker without scripts');
  await plain.getByLabel('Original question id (for duplicates)').fill(String(original));
  await plain.getByRole('button', { name: 'Close', exact: true }).click();
  await plain.getByText('Closed as a duplicate.').waitFor();
  await plain.context().close();
});

test('screenshots: what a new member, a locked thread, a suspended member and a moderator see', async () => {
  const q = await ask(alice, 'Copier jams on the second page of every job', 'It jams on page two, every time.');
  await answer(bob, q, 'Fan the paper stack before loading it, and check the guide rails.');
  const newcomer = await signedIn('newbie');
  await newcomer.goto(server.url + `/questions/${q}`);
  const up = newcomer.locator('.question').getByRole('button', { name: /Vote up: Voting up needs 15 reputation/ });
  assert.equal(await up.isDisabled(), true);
  await newcomer.getByText('Commenting on other people\'s posts needs 50 reputation; you have 1.').first().waitFor();
  await newcomer.screenshot({ path: join(artifacts, 'question-new-member.png'), fullPage: true });

  await mod.api('POST', `/questions/${q}/lock`);
  await newcomer.reload();
  await newcomer.getByText('This thread is locked').waitFor();
  assert.equal(await newcomer.locator('.vote').count(), 0, 'no vote buttons, not even disabled ones');
  await newcomer.evaluate(() => window.scrollTo(0, 0));
  await newcomer.screenshot({ path: join(artifacts, 'question-locked.png'), fullPage: true });
  await mod.api('POST', `/questions/${q}/unlock`);

  await mod.api('POST', `/users/${newbie.user.id}/suspend`, { days: 7, reason: 'posting adverts' });
  await newcomer.reload();
  await newcomer.locator('.standing-notice', { hasText: /You cannot answer until \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC/ }).waitFor();
  await newcomer.getByRole('alert').filter({ hasText: /suspended until \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC/ }).waitFor();
  assert.equal(await newcomer.getByRole('link', { name: 'Ask a question' }).count(), 0);
  await newcomer.evaluate(() => window.scrollTo(0, 0));
  await newcomer.screenshot({ path: join(artifacts, 'question-suspended.png'), fullPage: true });
  await newcomer.goto(server.url + '/questions/ask');
  await newcomer.screenshot({ path: join(artifacts, 'ask-suspended.png'), fullPage: true });
  await newcomer.context().close();

  await bob.api('POST', `/posts/${q}/flags`, { reason: 'off_topic' });
  const page = await signedIn('mod');
  await page.getByRole('link', { name: /^Review \(\d+\)$/ }).click();
  await page.screenshot({ path: join(artifacts, 'review-with-flaggers.png'), fullPage: true });
  await page.getByRole('link', { name: 'Suspended and silenced members' }).click();
  await page.getByRole('link', { name: 'newbie' }).waitFor();
  await page.screenshot({ path: join(artifacts, 'suspended-members.png'), fullPage: true });
  await page.getByRole('link', { name: 'newbie' }).click();
  await page.getByText('Suspended until').waitFor();
  await page.getByText('Change the suspension').click();
  await page.screenshot({ path: join(artifacts, 'profile-moderator.png'), fullPage: true });
  await page.getByRole('button', { name: 'Lift the suspension' }).click();
  await page.getByText('In good standing').waitFor();
  await page.context().close();
});
