// In Chromium: the dark mode switch (remembered, and applied before anything is drawn), folded
// comments opening with and without a link, and a long thread's pages reached by their links.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { startServer, Client, ask } from '../support/server.mjs';
import { launch } from '../support/browser.mjs';

let server, browser, alice, bob, q, answers = [], comments = [];

before(async () => {
  server = await startServer();
  browser = await launch();
  alice = new Client(server.url);
  bob = new Client(server.url);
  await alice.signUp('alice');
  await bob.signUp('bob');
  q = await ask(alice, 'The label printer prints every label twice', 'Since the driver update each label comes out twice, on every computer in the office.');
  for (let i = 0; i < 7; i++) {
    const r = await alice.api('POST', `/posts/${q}/comments`, { body: `Detail ${i}: it happens with the ${i}th template too.` });
    assert.equal(r.status, 201, r.text);
    comments.push(r.body.id);
  }
  for (let i = 0; i < 35; i++) {
    const r = await bob.api('POST', `/questions/${q}/answers`, { body: `Try number ${i}: set copies to one in the driver dialog.` });
    assert.equal(r.status, 201, r.text);
    answers.push(r.body.id);
  }
});
after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(server.errors, [], 'the server logged no errors');
});

const background = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
const light = 'rgb(246, 247, 249)';
const dark = 'rgb(15, 17, 21)';

test('dark mode follows the system, and the switch overrides it, remembered without a flash', async () => {
  const context = await browser.newContext({ colorScheme: 'light' });
  // What the theme is when the body first appears, before anything of it can be drawn.
  await context.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (!document.body) return;
      window.themeAtFirstBody = document.documentElement.getAttribute('data-theme') || 'system';
      observer.disconnect();
    }).observe(document, { childList: true, subtree: true });
  });
  const page = await context.newPage();
  await page.goto(`${server.url}/questions/${q}`);
  assert.equal(await background(page), light);
  const toggle = page.getByRole('button', { name: 'Dark mode' });
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  await toggle.click();
  assert.equal(await background(page), dark);
  assert.equal(await toggle.getAttribute('aria-pressed'), 'true');

  // Remembered: the next page is dark from its first byte of body on.
  await page.goto(`${server.url}/questions`);
  assert.equal(await page.evaluate(() => window.themeAtFirstBody), 'dark');
  assert.equal(await background(page), dark);
  await page.getByRole('button', { name: 'Dark mode' }).click();
  await page.reload();
  assert.equal(await page.evaluate(() => window.themeAtFirstBody), 'light');
  assert.equal(await background(page), light);
  await context.close();

  // A system set to dark gets dark with no choice made; a choice of light wins over it.
  const night = await browser.newContext({ colorScheme: 'dark' });
  const p2 = await night.newPage();
  await p2.goto(`${server.url}/questions/${q}`);
  assert.equal(await background(p2), dark);
  assert.equal(await p2.getByRole('button', { name: 'Dark mode' }).getAttribute('aria-pressed'), 'true');
  assert.ok(await p2.evaluate(() => getComputedStyle(document.querySelector('.post')).backgroundColor !== 'rgb(255, 255, 255)'), 'cards are dark too');
  await p2.getByRole('button', { name: 'Dark mode' }).click();
  await p2.reload();
  assert.equal(await background(p2), light);
  await night.close();
});

test('comments beyond five fold behind "show 2 more"; a link to a folded one opens the fold', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/questions/${q}`);
  const folded = page.locator(`#comment-${comments[6]}`);
  assert.equal(await page.locator(`#comment-${comments[4]}`).isVisible(), true);
  assert.equal(await folded.isVisible(), false);
  await page.getByText('Show 2 more comments').click();
  assert.equal(await folded.isVisible(), true);

  await page.goto(`${server.url}/comments/${comments[5]}`);
  await page.waitForURL(new RegExp(`#comment-${comments[5]}$`));
  assert.equal(await page.locator(`#comment-${comments[5]}`).isVisible(), true);

  // Without JavaScript the fold is a plain disclosure and opens all the same.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  const p2 = await plain.newPage();
  await p2.goto(`${server.url}/questions/${q}`);
  assert.equal(await p2.locator(`#comment-${comments[6]}`).isVisible(), false);
  await p2.getByText('Show 2 more comments').click();
  assert.equal(await p2.locator(`#comment-${comments[6]}`).isVisible(), true);
  await plain.close();
  await context.close();
});

test('a long thread reads page by page; an answer\'s link finds its page, old links too', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}/questions/${q}`);
  assert.equal(await page.locator('section.answer').count(), 30);
  await page.getByRole('link', { name: 'Next →' }).click();
  await page.waitForURL(/\?page=2$/);
  assert.equal(await page.locator('section.answer').count(), 5);
  assert.ok(await page.getByText('· page 2 of 2').isVisible());

  const late = answers[33];
  await page.goto(`${server.url}/a/${late}`);
  await page.waitForURL(new RegExp(`\\?page=2#answer-${late}$`));
  assert.ok(await page.locator(`#answer-${late}`).isVisible());
  // An address from before the thread had pages: the first page asks where the answer went.
  await page.goto(`${server.url}/questions/${q}#answer-${late}`);
  await page.waitForURL(new RegExp(`\\?page=2#answer-${late}$`));
  assert.ok(await page.locator(`#answer-${late}`).isVisible());

  // Share copies the permanent link.
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.locator(`#answer-${late} [data-share]`).click();
  await page.getByText('Link to this answer copied.').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), `${server.url}/a/${late}`);
  await context.close();
});
