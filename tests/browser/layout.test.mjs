// The page frame in headless Chromium: a post reached by its #anchor is not under the sticky
// header; on a phone the header takes at most two compact rows and the post's controls do
// not overlap; "create an account" from a thread comes back to the thread.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { startServer, Client, freshDataDir, createAccount } from '../support/server.mjs';
import { launch, signInThroughForm } from '../support/browser.mjs';

let server, browser, alice, bob, q, answers;
const password = 'correct horse battery staple';
const pageErrors = [];

before(async () => {
  const dir = await freshDataDir();
  await createAccount(dir, 'boss', 'admin', password);
  server = await startServer({ dataDir: dir });
  browser = await launch();
  alice = new Client(server.url);
  bob = new Client(server.url);
  await alice.signUp('alice_with_a_long_name');
  await bob.signUp('bob');
  const body = Array.from({ length: 12 }, (_, i) => `Paragraph ${i + 1}: the sync client shows an error after every restart, and the log says nothing useful.`).join('\n\n');
  q = (await alice.api('POST', '/questions', { title: 'Sync fails after every restart of the laptop', body, tags: ['sync', 'windows'] })).body;
  answers = [];
  for (const text of ['Reinstall the client after removing its cache folder; that fixes it for most people.',
    'Check the clock of the laptop: a wrong time breaks the sign-in token after a restart.'])
    answers.push((await bob.api('POST', `/questions/${q.id}/answers`, { body: text })).body.id);
  await alice.api('POST', `/posts/${answers[0]}/comments`, { body: 'Which cache folder do you mean exactly, the one in AppData?' });
});
after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(server.errors, []);
});

async function newPage(width, height, who) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  if (who) {
    await signInThroughForm(page, server.url, who, password);
  }
  return page;
}

const box = (locator) => locator.evaluate((e) => { const r = e.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right }; });
const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;

async function headerBottom(page) {
  return page.locator('header.top').evaluate((h) => (getComputedStyle(h).position === 'sticky' ? h.getBoundingClientRect().bottom : 0));
}

test('a post reached by its #anchor is below the sticky header, on a desktop and a narrower window', async () => {
  for (const [width, who] of [[1280, undefined], [1280, 'boss'], [820, 'boss']]) {
    const page = await newPage(width, 800, who);
    await page.goto(`${server.url}/questions/${q.id}#answer-${answers[1]}`);
    await page.waitForFunction(() => window.scrollY > 0);
    const answer = await box(page.locator(`#answer-${answers[1]}`));
    const bottom = await headerBottom(page);
    assert.ok(bottom > 0, 'the header is sticky at this width');
    assert.ok(answer.top >= bottom, `${width}px ${who || 'anonymous'}: the answer starts at ${answer.top}, under the header ending at ${bottom}`);
    await page.context().close();
  }
});


test('after posting an answer, the new answer is shown below the header', async () => {
  const page = await newPage(1280, 800, 'boss');
  await page.goto(`${server.url}/questions/${q.id}`);
  await page.getByLabel('Write your answer in Markdown').fill('A third answer from the admin: update the client to the latest version first.');
  await page.getByRole('button', { name: 'Post your answer' }).click();
  await page.waitForURL(/#answer-\d+$/);
  const id = new URL(page.url()).hash.slice(1);
  await page.waitForFunction(() => window.scrollY > 0);
  const answer = await box(page.locator('#' + id));
  assert.ok(answer.top >= await headerBottom(page), `the new answer starts at ${answer.top}`);
  await page.context().close();
});

test('on a phone the header is at most two compact rows, for visitors, members and admins', async () => {
  for (const who of [undefined, 'bob', 'boss']) {
    const page = await newPage(390, 844, who);
    await page.goto(`${server.url}/questions/${q.id}`);
    const header = await box(page.locator('header.top'));
    // Two rows; a moderator's or admin's extra links may need a short third.
    const most = who === 'boss' ? 100 : 80;
    assert.ok(header.bottom - header.top <= most, `${who || 'anonymous'}: the header is ${header.bottom - header.top}px tall`);
    const items = page.locator('header.top').locator('a:visible, button:visible, input:visible');
    const boxes = [];
    for (let i = 0; i < await items.count(); i++) boxes.push(await box(items.nth(i)));
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++)
        assert.ok(!overlap(boxes[i], boxes[j]), `${who || 'anonymous'}: header items ${i} and ${j} overlap`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scrolling');
    await page.context().close();
  }
});

test('on a phone, Accept and Unaccept stay clear of the post\'s links', async () => {
  const page = await newPage(390, 844, 'alice_with_a_long_name');
  await page.goto(`${server.url}/questions/${q.id}`);
  const answer = page.locator(`#answer-${answers[0]}`);
  for (const label of ['Accept', 'Unaccept']) {
    const button = answer.getByRole('button', { name: label, exact: true });
    await button.waitFor();
    const b = await box(button);
    const main = await box(answer.locator('.post-main'));
    assert.ok(b.right <= main.left, `${label} ends at ${b.right}, the post's text starts at ${main.left}`);
    for (const other of ['.post-foot a', '.post-foot .card']) {
      const all = answer.locator(other);
      for (let i = 0; i < await all.count(); i++) assert.ok(!overlap(b, await box(all.nth(i))), `${label} overlaps ${other}`);
    }
    if (label === 'Accept') await button.click();
  }
  await page.context().close();
});

test('on a phone, an open flag form stays on the screen', async () => {
  const page = await newPage(390, 844, 'bob');
  await page.goto(`${server.url}/questions/${q.id}`);
  // Each Flag link opens its form in place: one for a comment, one for the question.
  for (const [flag, opened] of [[page.locator('.comment a.flag-link').first(), page.locator('.comment-flag.flag-form').first()],
    [page.locator('.question .post-foot a.flag-link'), page.locator(`#flag-${q.id}`)]]) {
    await flag.click();
    await opened.waitFor();
    const form = await box(opened);
    assert.ok(form.left >= 0 && form.right <= 390, `the flag form spans ${form.left}–${form.right}`);
  }
  await page.context().close();
});

test('"create an account" from a thread comes back to the thread after signing up', async () => {
  const page = await newPage(1280, 800);
  await page.goto(`${server.url}/questions/${q.id}`);
  await page.getByRole('link', { name: 'create an account' }).click();
  await page.getByLabel('Username').fill('newcomer');
  await page.getByLabel('Email').fill('newcomer@example.com');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForURL(`${server.url}/questions/${q.id}`);
  await page.getByLabel('Write your answer in Markdown').waitFor();
  // And from the sign-up page to sign in, the way back is kept too.
  const other = await newPage(1280, 800);
  await other.goto(`${server.url}/signup?next=${encodeURIComponent(`/questions/${q.id}?sort=votes&x=1`)}`);
  assert.equal(await other.getByRole('link', { name: 'Sign in', exact: true }).last().getAttribute('href'),
    `/signin?next=${encodeURIComponent(`/questions/${q.id}?sort=votes&x=1`)}`);
  await page.context().close();
  await other.context().close();
});

test('the exact time on hover is in the reader\'s own time zone, with UTC beside it', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Asia/Tokyo', locale: 'en-GB' });
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${server.url}/questions/${q.id}`);
  const time = page.locator('.thread-head time').first();
  const utc = /\((\d{1,2} [A-Z][a-z]{2} \d{4}, (\d\d):(\d\d) UTC)\)$/.exec(await time.getAttribute('title'));
  assert.ok(utc, await time.getAttribute('title'));
  const hour = (Number(utc[2]) + 9) % 24;
  assert.match(await time.getAttribute('title'), new RegExp(`^.*\\b${String(hour).padStart(2, '0')}:${utc[3]}\\b.*(GMT\\+9|JST)`));
  await context.close();
});
