// "Forgot your password?" in Chromium with a real SMTP server: ask for a link from the sign-in
// page, read the mail the relay received, follow its link, set a new password, and land signed
// in. A screenshot of the new-password page is kept as an artifact.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from '../support/server.mjs';
import { launch } from '../support/browser.mjs';
import { linkIn, startMailServer, startSmtp } from '../support/smtp.mjs';

const artifacts = process.env.PEERDESK_ARTIFACTS || new URL('../../build/artifacts', import.meta.url).pathname;
let relay, server, browser;

before(async () => {
  relay = await startSmtp();
  server = await startMailServer({ smtpUrl: `smtp://127.0.0.1:${relay.port}` });
  browser = await launch();
  await mkdir(artifacts, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await relay?.stop();
});

test('a member who forgot the password gets a link by mail and is signed in with a new one', async () => {
  const c = new Client(server.url);
  assert.equal((await c.api('POST', '/users', { username: 'rosa', email: 'rosa@example.com', password: 'correct horse battery staple' })).status, 201);
  await c.signIn('rosa');  // a session elsewhere, which the reset ends
  // Rosa confirmed her address when she signed up: only a confirmed address is sent reset links.
  const welcome = await relay.waitFor((m) => m.rcptTos.includes('rosa@example.com'), 'the confirmation mail');
  const token = new URL(linkIn(welcome, '/verify-email?token=')).searchParams.get('token');
  assert.equal((await c.api('POST', '/email-verification/confirm', { token })).status, 200);

  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url + '/signin');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Email').fill('rosa@example.com');
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await page.getByText('a link to set a new password is on its way').waitFor();

  const mail = await relay.waitFor((m) => m.rcptTos.includes('rosa@example.com') && /Set a new password/.test(m.subject), 'the reset mail');
  await page.goto(linkIn(mail, '/password-reset/confirm?token='));
  await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
  await page.getByLabel('New password for rosa').fill('a brand new passphrase');
  await page.screenshot({ path: join(artifacts, 'password-reset.png'), fullPage: true });
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  // Signed in: the header names the member, on the questions page.
  await page.getByRole('link', { name: /rosa/ }).first().waitFor();
  assert.equal(new URL(page.url()).pathname, '/');
  await page.screenshot({ path: join(artifacts, 'password-reset-signed-in.png') });
  assert.equal((await c.api('GET', '/me')).status, 401, 'the other session ended');
  assert.deepEqual(errors, []);
  await context.close();
});
