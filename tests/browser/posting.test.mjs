// Posting as people expect, in headless Chromium: a screenshot pasted into an answer is
// uploaded and shown on the page; what is typed survives a reload (drafts); the tag field
// suggests tags as a combobox; the new pages pass axe-core. Screenshots go to the artifacts.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, freshDataDir, createAccount, Client } from '../support/server.mjs';
import { launch, axeViolations, collectErrors, signInThroughForm } from '../support/browser.mjs';
import { png } from '../support/images.mjs';

const artifacts = process.env.PEERDESK_ARTIFACTS || new URL('../../build/artifacts', import.meta.url).pathname;
const password = 'correct horse battery staple';
let server, browser, question;
const pageErrors = [];

before(async () => {
  const dir = await freshDataDir();
  await createAccount(dir, 'mona', 'moderator', password);
  server = await startServer({ dataDir: dir });
  browser = await launch();
  await mkdir(artifacts, { recursive: true });
  const ana = new Client(server.url);
  await ana.signUp('ana');
  for (const [title, tags] of [['The wireless printer is not found', ['wireless', 'printer']], ['Router drops the connection at night', ['wireless']], ['Windows cannot find the driver', ['windows']]]) {
    const r = await ana.api('POST', '/questions', { title, body: 'A question body that is long enough to post.', tags });
    assert.equal(r.status, 201, r.text);
    question ??= r.body;
  }
  const mona = new Client(server.url);
  await mona.signIn('mona', password);
  assert.equal((await mona.api('PATCH', '/tags/wireless', { description: 'Wi-Fi and other radio links' })).status, 200);
});
after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(pageErrors, []);
});

async function signedIn(who, { bypassCSP = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, bypassCSP });
  const page = await context.newPage();
  collectErrors(page, pageErrors);
  if (who === 'new') {
    const name = `bea${Date.now().toString(36)}`;
    const c = new Client(server.url);
    await c.signUp(name);
    who = name;
  }
  await signInThroughForm(page, server.url, who, password);
  return page;
}

test('paste a screenshot into an answer and see it on the page', async () => {
  const page = await signedIn('new');
  await page.goto(`${server.url}/questions/${question.id}`);
  const box = page.getByLabel('Write your answer in Markdown');
  await box.fill('Here is the setting you need:\n');
  const image = png(160, 90).toString('base64');
  await box.evaluate((area, b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], 'settings.png', { type: 'image/png' }));
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
    area.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, image);
  await page.waitForFunction(() => /!\[settings\]\(\/uploads\/[0-9a-f]{64}\.png\)/.test(document.querySelector('#answer-body').value));
  await page.getByText(/Image added \(160 × 90\)/).waitFor();
  // The preview shows it before posting.
  await page.locator('#answer-preview img.uploaded').waitFor();
  await page.getByRole('button', { name: 'Post your answer' }).click();
  const shown = page.locator('.answer img.uploaded').first();
  await shown.waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('.answer img.uploaded')].some((i) => i.complete && i.naturalWidth === 160));
  assert.equal(await shown.getAttribute('alt'), 'settings');
  await page.screenshot({ path: join(artifacts, 'answer-with-image.png'), fullPage: true });
  await page.context().close();
});

test('a half-written answer survives a reload; posting it drops the draft', async () => {
  const page = await signedIn('new');
  await page.goto(`${server.url}/questions/${question.id}`);
  const box = page.getByLabel('Write your answer in Markdown');
  await box.fill('Open the printer settings and');
  // The save of the whole text: on a busy machine the words filled in may be saved on their own
  // first, before the typing goes on.
  const saved = page.waitForResponse((r) => r.url().includes(`/api/v1/drafts/answer-${question.id}`) &&
    r.request().method() === 'PUT' && (r.request().postData() || '').includes('and then'));
  await box.press('End');
  await box.type(' then');
  assert.equal((await saved).status(), 200);
  await page.reload();
  assert.equal(await page.getByLabel('Write your answer in Markdown').inputValue(), 'Open the printer settings and then');
  await page.getByLabel('Write your answer in Markdown').fill('Open the printer settings and then pick the wireless tab.');
  await page.getByRole('button', { name: 'Post your answer' }).click();
  await page.locator('.answer', { hasText: 'pick the wireless tab' }).waitFor();
  await page.reload();
  assert.equal(await page.getByLabel('Write your answer in Markdown').inputValue(), '');
  await page.context().close();
});

test('the tag field suggests tags with counts and descriptions, by keyboard', async () => {
  const page = await signedIn('new');
  await page.goto(`${server.url}/questions/ask`);
  const field = page.getByRole('combobox', { name: 'Tags' });
  await field.click();
  await field.pressSequentially('wi');
  const options = page.getByRole('option');
  await options.first().waitFor();
  assert.equal(await field.getAttribute('aria-expanded'), 'true');
  assert.deepEqual(await options.locator('.tag').allTextContents(), ['wireless', 'windows']);
  assert.match(await options.first().textContent(), /wireless 2 questions\s*Wi-Fi and other radio links/);
  await field.press('ArrowDown');
  assert.equal(await field.getAttribute('aria-activedescendant'), await options.first().getAttribute('id'));
  await field.press('Enter');
  assert.equal(await field.inputValue(), 'wireless ');
  assert.equal(await field.getAttribute('aria-expanded'), 'false');
  await page.screenshot({ path: join(artifacts, 'ask-with-tags.png') });
  await page.context().close();
});

test('no axe violations: the ask form with suggestions open, and a tag\'s page with its editor', async () => {
  const page = await signedIn('mona', { bypassCSP: true });
  await page.goto(`${server.url}/questions/ask`);
  await page.getByRole('combobox', { name: 'Tags' }).pressSequentially('wi');
  await page.getByRole('option').first().waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await page.goto(`${server.url}/tags/wireless/info`);
  await page.getByLabel(/Short description/).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(artifacts, 'tag-info.png'), fullPage: true });
  await page.goto(`${server.url}/tags`);
  assert.deepEqual(await axeViolations(page), []);
  await page.context().close();
});
