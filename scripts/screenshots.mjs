// See scripts/screenshots.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer, freshDataDir, Client } from '../tests/support/server.mjs';
import { launch } from '../tests/support/browser.mjs';

const out = process.argv[2] || 'build/screenshots';
await mkdir(out, { recursive: true });
const dir = await freshDataDir();
await promisify(execFile)('node', [new URL('demo.mjs', import.meta.url).pathname, dir]);
const server = await startServer({ dataDir: dir });
const browser = await launch();
try {
  const questions = (await new Client(server.url).api('GET', '/questions?sort=votes')).body.items;
  const ideas = (await new Client(server.url).api('GET', '/ideas')).body.items;
  const shots = [
    ['home', '/'], ['question', `/questions/${questions[0].id}`], ['tags', '/tags'],
    ['ideas', '/ideas'], ['idea', `/ideas/${ideas[0].id}`], ['roadmap', '/ideas/roadmap'],
    ['user', `/users/${questions[0].author.id}`], ['signup', '/signup'], ['unanswered', '/questions?sort=unanswered'],
  ];
  for (const [width, suffix] of [[1200, ''], [390, '-phone']]) {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    for (const [name, path] of shots) {
      await page.goto(server.url + path);
      await page.screenshot({ path: join(out, `${name}${suffix}.png`), fullPage: true });
    }
    await page.close();
  }
  // Signed in: the ask page with a live preview.
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  await page.goto(server.url + '/signin');
  await page.getByLabel('Username or email').fill('maria');
  await page.getByLabel('Password').fill('demo password 2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.goto(server.url + '/questions/ask');
  await page.getByLabel('Title').fill('Where do I find the activity log?');
  await page.getByLabel('Details (Markdown)').fill('I need the **activity log** for an audit:\n\n- who opened a file\n- when it was shared');
  await page.locator('#ask-preview li').first().waitFor();
  await page.screenshot({ path: join(out, 'ask.png'), fullPage: true });
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
