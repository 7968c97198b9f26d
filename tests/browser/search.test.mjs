// Search as a customer meets it in headless Chromium: typing a title on the ask page shows the
// question that already answers it; the header search box leads to highlighted results and the
// thread; a misspelling is searched as the community's word and says so; words spread over a
// question and its answer find the thread. Screenshots are kept as artifacts.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client } from '../support/server.mjs';
import { launch, collectErrors } from '../support/browser.mjs';

const artifacts = process.env.PEERDESK_ARTIFACTS || new URL('../../build/artifacts', import.meta.url).pathname;
let server, browser, questionId, trayId;
const pageErrors = [];

before(async () => {
  server = await startServer();
  browser = await launch();
  await mkdir(artifacts, { recursive: true });
  const kenji = new Client(server.url);
  await kenji.signUp('kenji');
  questionId = (await kenji.api('POST', '/questions', {
    title: 'Sync is stuck at 99% on Windows 11',
    body: 'The desktop app shows **Syncing… 99%** and never finishes.',
    tags: ['sync', 'windows'],
  })).body.id;
  trayId = (await kenji.api('POST', '/questions', {
    title: 'Tray icon disappears after the firmware update',
    body: 'Since the firmware update the tray icon is gone.',
    tags: ['windows'],
  })).body.id;
  const lena = new Client(server.url);
  await lena.signUp('lena');
  const answered = await lena.api('POST', `/questions/${trayId}/answers`, { body: 'Hold the power button for ten seconds to reset it.' });
  assert.equal(answered.status, 201, answered.text);
  const deadline = Date.now() + 5000;
  while ((await kenji.request('GET', '/api/v1/search?q=seconds')).body.total !== 1 ||
         (await kenji.request('GET', '/api/v1/search?q=sync')).body.total !== 1) {
    if (Date.now() > deadline) throw new Error('the question was not indexed');
    await new Promise((r) => setTimeout(r, 50));
  }
});
after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(server.errors, []);
});

async function newPage(width = 1200) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  collectErrors(page, pageErrors);
  return page;
}

test('typing a title on the ask page shows the similar question before posting', async () => {
  const page = await newPage();
  await page.goto(server.url + '/signup');
  await page.getByLabel('Username').fill('maria');
  await page.getByLabel('Email').fill('maria@example.com');
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('link', { name: /maria/ }).waitFor();
  await page.getByRole('link', { name: 'Ask a question' }).click();
  const similar = page.locator('#similar');
  assert.equal(await similar.isVisible(), false, 'nothing shows before typing');
  await page.getByLabel('Title').pressSequentially('my sync stuck on windo', { delay: 20 });
  const link = similar.getByRole('link', { name: 'Sync is stuck at 99% on Windows 11' });
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), `/questions/${questionId}`);
  assert.equal(await link.getAttribute('target'), '_blank', 'the draft stays open');
  await page.screenshot({ path: join(artifacts, 'ask-similar.png'), fullPage: true });
  // Clearing the title hides the list again.
  await page.getByLabel('Title').fill('');
  await similar.waitFor({ state: 'hidden' });
});

test('the header search box finds the thread, with the words highlighted', async () => {
  const page = await newPage();
  await page.goto(server.url + '/');
  await page.getByRole('searchbox', { name: 'Search answers' }).fill('syncing windows');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Search' }).waitFor();
  const hit = page.locator('.hit').first();
  assert.deepEqual(await hit.locator('mark').allTextContents(), ['Syncing'], 'the matched word of the body is marked');
  await page.screenshot({ path: join(artifacts, 'search-results.png'), fullPage: true });
  await hit.getByRole('link', { name: /Sync is stuck/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Sync is stuck at 99% on Windows 11' }).waitFor();
});

test('a misspelt search shows the thread at once and says what was searched; filters are links', async () => {
  const page = await newPage(380);
  await page.goto(server.url + '/search?q=' + encodeURIComponent('sycn windos'));
  const said = page.locator('.corrected');
  assert.equal((await said.textContent()).trim(), 'Showing results for sync windows; search instead for sycn windos');
  await page.locator('.hit').first().getByRole('link', { name: /Sync is stuck/ }).waitFor();
  await page.screenshot({ path: join(artifacts, 'search-corrected.png'), fullPage: true });
  // The words as typed, when the customer meant them.
  await said.getByRole('link', { name: 'sycn windos' }).click();
  await page.getByText('Nothing matches yet').waitFor();
  assert.equal(await page.locator('.corrected').count(), 0);
  await page.goto(server.url + '/search?q=' + encodeURIComponent('sync windows'));
  await page.locator('.hit').first().waitFor();
  await page.getByRole('link', { name: 'Answered', exact: true }).click();
  assert.equal(await page.getByRole('searchbox', { name: 'Search questions and answers' }).inputValue(), 'sync windows is:answered');
  await page.getByText('Nothing matches yet').waitFor();
  const scrolls = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(scrolls, false, 'no sideways scrolling on a phone');
  await page.screenshot({ path: join(artifacts, 'search-phone.png'), fullPage: true });
});

test('words spread over a question and its answer find the thread, and lead to the answer', async () => {
  const page = await newPage();
  await page.goto(server.url + '/');
  // "tray" and "firmware" are in the question, "hold" and "button" only in the answer.
  await page.getByRole('searchbox', { name: 'Search answers' }).fill('tray firmware hold button');
  await page.keyboard.press('Enter');
  const hit = page.locator('.hit').first();
  await hit.getByRole('link', { name: /Answer: Tray icon disappears after the firmware update/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Tray icon disappears after the firmware update' }).waitFor();
  assert.match(page.url(), new RegExp(`/questions/${trayId}#answer-\\d+$`));
});
