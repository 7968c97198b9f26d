// Images while editing, in headless Chromium: a screenshot pasted into the edit form of a
// question, or a file dropped on the edit form of an answer, goes up as it does in a new answer,
// and shows on the thread once saved. The edit form passes axe-core in both colour schemes.
// Screenshots go to the artifacts.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client } from '../support/server.mjs';
import { launch, collectErrors } from '../support/browser.mjs';
import { png } from '../support/images.mjs';

const artifacts = process.env.PEERDESK_ARTIFACTS || new URL('../../build/artifacts', import.meta.url).pathname;
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const password = 'correct horse battery staple';
let server, browser, question, answer;
const pageErrors = [];

before(async () => {
  server = await startServer();
  browser = await launch();
  await mkdir(artifacts, { recursive: true });
  const ana = new Client(server.url);
  await ana.signUp('ana');
  const q = await ana.api('POST', '/questions', { title: 'The printer settings page shows an error', body: 'Opening the printer settings shows an error code every time.', tags: ['printer'] });
  assert.equal(q.status, 201, q.text);
  question = q.body.id;
  const a = await ana.api('POST', `/questions/${question}/answers`, { body: 'Reinstall the driver from the vendor site.' });
  assert.equal(a.status, 201, a.text);
  answer = a.body.id;
});
after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(pageErrors, []);
});

async function signedIn({ colorScheme = 'light', javaScriptEnabled = true, bypassCSP = false } = {}) {
  // bypassCSP: axe-core is added as a script of the page's own, which the policy refuses.
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, colorScheme, javaScriptEnabled, bypassCSP });
  const page = await context.newPage();
  collectErrors(page, pageErrors);
  await page.goto(server.url + '/signin');
  await page.getByLabel('Username or email').fill('ana');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(server.url + '/');
  return page;
}

// Sends an image to the text box as the browser does for a paste or a drop.
async function give(area, how, name, width, height, seed) {
  await area.evaluate((el, [how, name, b64]) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], name, { type: 'image/png' }));
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
    const event = how === 'paste'
      ? new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true })
      : new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true });
    el.dispatchEvent(event);
  }, [how, name, png(width, height, { seed }).toString('base64')]);
}

test('paste a screenshot into the edit form of a question; saved, it shows on the thread', async () => {
  const page = await signedIn();
  await page.goto(`${server.url}/posts/${question}/edit`);
  const box = page.getByLabel('Body (Markdown)');
  await page.getByText('Choose a file, paste an image, or drop one on the text box.').waitFor();
  await give(box, 'paste', 'error-code.png', 240, 135, 3);
  await page.waitForFunction(() => /\n\n!\[error-code\]\(\/uploads\/[0-9a-f]{64}\.png\)\n$/.test(document.querySelector('#body').value));
  await page.getByText(/Image added \(240 × 135\)/).waitFor();
  assert.match(await box.inputValue(), /^Opening the printer settings shows an error code every time\./, 'the text typed before stays');
  await page.locator('#edit-preview img.uploaded').waitFor();
  await page.getByLabel('Edit summary').fill('added the screenshot');
  await page.screenshot({ path: join(artifacts, 'edit-with-pasted-image.png'), fullPage: true });
  await page.getByRole('button', { name: 'Save edit' }).click();
  await page.waitForURL(new RegExp(`/questions/${question}`));
  const shown = page.locator('.question img.uploaded');
  await shown.waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('.question img.uploaded')].some((i) => i.complete && i.naturalWidth === 240));
  assert.equal(await shown.getAttribute('alt'), 'error-code');
  await page.context().close();
});

test('drop an image on the edit form of an answer; saved, it shows in the answer', async () => {
  const page = await signedIn();
  await page.goto(`${server.url}/posts/${answer}/edit`);
  const box = page.getByLabel('Body (Markdown)');
  await give(box, 'drop', 'driver-page.png', 320, 180, 4);
  await page.waitForFunction(() => /!\[driver-page\]\(\/uploads\/[0-9a-f]{64}\.png\)/.test(document.querySelector('#body').value));
  await page.getByText(/Image added \(320 × 180\)/).waitFor();
  await page.getByRole('button', { name: 'Save edit' }).click();
  await page.waitForURL(new RegExp(`/questions/${question}`));
  await page.waitForFunction((id) => [...document.querySelectorAll(`#answer-${id} img.uploaded`)].some((i) => i.complete && i.naturalWidth === 320), answer);
  await page.context().close();
});

test('a file that is not an image is refused before anything is sent; the text is untouched', async () => {
  const page = await signedIn();
  await page.goto(`${server.url}/posts/${answer}/edit`);
  const box = page.getByLabel('Body (Markdown)');
  const before = await box.inputValue();
  let uploads = 0;
  page.on('request', (r) => { if (r.url().endsWith('/api/v1/uploads')) uploads++; });
  await box.evaluate((el) => {
    const data = new DataTransfer();
    data.items.add(new File(['<svg/>'], 'logo.svg', { type: 'image/svg+xml' }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
  });
  await page.getByText('Only PNG, JPEG, GIF and WebP images can be added.').waitFor();
  assert.equal(await box.inputValue(), before);
  assert.equal(uploads, 0);
  await page.context().close();
});

test('the image field needs the script: hidden without it, and the edit form passes axe-core in both schemes', async () => {
  const plain = await signedIn({ javaScriptEnabled: false });
  await plain.goto(`${server.url}/posts/${question}/edit`);
  assert.equal(await plain.getByLabel('Add an image (PNG, JPEG, GIF, WebP)').isVisible(), false);
  await plain.context().close();
  for (const colorScheme of ['light', 'dark']) {
    const page = await signedIn({ colorScheme, bypassCSP: true });
    await page.goto(`${server.url}/posts/${question}/edit`);
    assert.equal(await page.getByLabel('Add an image (PNG, JPEG, GIF, WebP)').isVisible(), true);
    await page.addScriptTag({ path: axePath });
    const found = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
    assert.deepEqual(found.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`), [], colorScheme);
    await page.screenshot({ path: join(artifacts, `edit-form-${colorScheme}.png`), fullPage: true });
    await page.context().close();
  }
});
