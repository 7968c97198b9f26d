// Mail through a real SMTP server (tests/support/smtp.mjs): the verification mail at sign-up,
// its headers and both parts; plain SMTP, STARTTLS under a test authority with AUTH, and
// implicit TLS; a relay that refuses for a while; kill -9 with mail queued; shutdown while the
// relay hangs; the options that cannot work.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, freshDataDir, peerdesk, startServer } from '../support/server.mjs';
import { decodeWords, freePort, linkIn, startMailServer, startSmtp, testAuthority } from '../support/smtp.mjs';

const password = 'correct horse battery staple';

async function signUp(server, username, email = `${username}@example.com`) {
  const c = new Client(server.url);
  const r = await c.api('POST', '/users', { username, email, password });
  assert.equal(r.status, 201, r.text);
  await c.signIn(username);
  return c;
}

test('sign-up sends a verification mail with correct headers, a text and an HTML part', async (t) => {
  const relay = await startSmtp({ t });
  const server = await startMailServer({ t, smtpUrl: `smtp://127.0.0.1:${relay.port}`,
    args: ['--mail-from', 'Zoë’s Support Désk <support@acme.example>'] });
  const ada = await signUp(server, 'ada');
  const m = await relay.waitFor((x) => x.rcptTos.includes('ada@example.com'), 'the verification mail');

  assert.equal(m.mailFrom, 'support@acme.example');
  assert.deepEqual(m.rcptTos, ['ada@example.com']);
  // The non-ASCII display name travels as encoded words and reads back as typed.
  assert.match(m.header('from'), /^=\?UTF-8\?B\?/);
  assert.equal(decodeWords(m.header('from')), 'Zoë’s Support Désk <support@acme.example>');
  assert.equal(m.header('to'), 'ada <ada@example.com>');
  assert.equal(m.subject, 'Confirm your address for Zoë’s Support Désk');
  assert.match(m.header('message-id'), /^<verify_email\.[A-Za-z0-9_-]+@acme\.example>$/);
  const date = new Date(m.header('date'));
  assert.ok(Math.abs(date.getTime() - Date.now()) < 60000, `a current Date header: ${m.header('date')}`);
  assert.equal(m.header('mime-version'), '1.0');
  assert.equal(m.header('auto-submitted'), 'auto-generated');
  assert.match(m.header('content-type'), /^multipart\/alternative; boundary="/);
  assert.equal(m.parts.length, 2);
  for (const line of m.raw.split('\r\n')) assert.ok(line.length <= 998);
  // Both parts carry the same link, under --public-url.
  const link = linkIn(m, '/verify-email?token=');
  assert.ok(link.startsWith(server.url + '/verify-email?token='), link);
  assert.match(m.text, /Hello ada,/);
  assert.ok(m.html.includes(`href="${link}"`), 'the HTML part links to the same address');
  assert.match(m.parts[0].type, /^text\/plain; charset=utf-8/);
  assert.match(m.parts[1].type, /^text\/html; charset=utf-8/);

  // Not yet verified; the link's page offers a button (a GET changes nothing), the POST confirms.
  assert.equal((await ada.api('GET', '/me/email')).body.verified, false);
  const page = await ada.request('GET', link.slice(server.url.length));
  assert.equal(page.status, 200);
  assert.match(page.text, /Confirm that <strong>ada@example.com<\/strong> is your address/);
  assert.equal((await ada.api('GET', '/me/email')).body.verified, false);
  const token = new URL(link).searchParams.get('token');
  const anon = new Client(server.url);
  const ok = await anon.api('POST', '/email-verification/confirm', { token });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.body, { email: 'ada@example.com', verified: true });
  assert.equal((await ada.api('GET', '/me/email')).body.verified, true);
  // Single use; forged; wrong shape: clear 4xx with a code.
  const again = await anon.api('POST', '/email-verification/confirm', { token });
  assert.equal(again.status, 410);
  assert.equal(again.body.error.code, 'token_used');
  const forged = await anon.api('POST', '/email-verification/confirm', { token: token.slice(0, -4) + 'AAAA' });
  assert.equal(forged.status, 404);
  assert.equal(forged.body.error.code, 'invalid_token');
  const odd = await anon.api('POST', '/email-verification/confirm', { token: 'a b\r\nc' });
  assert.equal(odd.status, 404);
  const missing = await anon.api('POST', '/email-verification/confirm', {});
  assert.equal(missing.status, 422);
  assert.equal(missing.body.error.field, 'token');
  const resend = await ada.api('POST', '/me/email/verification');
  assert.equal(resend.status, 409);
  assert.equal(resend.body.error.code, 'already_verified');
});

test('resending the verification link works, and is limited to three an hour', async (t) => {
  const relay = await startSmtp({ t });
  const server = await startMailServer({ t, smtpUrl: `smtp://127.0.0.1:${relay.port}` });
  const bea = await signUp(server, 'bea');
  for (let i = 0; i < 2; i++) assert.equal((await bea.api('POST', '/me/email/verification')).status, 202);
  const limited = await bea.api('POST', '/me/email/verification');
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  await relay.waitFor(() => relay.to('bea@example.com').length === 3, 'three verification mails');
  const ids = new Set(relay.to('bea@example.com').map((m) => m.header('message-id')));
  assert.equal(ids.size, 3, 'each mail its own Message-ID');
  // Every link works until one is used; signed out, the resend asks to sign in.
  assert.equal((await new Client(server.url).api('POST', '/me/email/verification')).status, 401);
});

test('STARTTLS under a test authority with AUTH, and implicit TLS, deliver; an unknown authority does not', async (t) => {
  const ca = await testAuthority(t);
  const secret = join(ca.dir, 'smtp-password');
  await writeFile(secret, 'relay secret\n');

  const starttls = await startSmtp({ t, tls: ca, starttls: true, auth: 'mailer:relay secret' });
  const s1 = await startMailServer({ t,
    smtpUrl: `smtp://mailer@127.0.0.1:${starttls.port}?starttls=required`,
    args: ['--smtp-password-file', secret, '--smtp-ca-file', ca.ca] });
  await signUp(s1, 'cyd');
  const m1 = await starttls.waitFor((x) => x.rcptTos.includes('cyd@example.com'), 'mail over STARTTLS');
  assert.equal(m1.tls, true);
  assert.equal(m1.login, 'mailer');

  const implicit = await startSmtp({ t, tls: ca, implicitTls: true });
  const s2 = await startMailServer({ t, smtpUrl: `smtps://127.0.0.1:${implicit.port}`, args: ['--smtp-ca-file', ca.ca] });
  await signUp(s2, 'dee');
  const m2 = await implicit.waitFor((x) => x.rcptTos.includes('dee@example.com'), 'mail over implicit TLS');
  assert.equal(m2.tls, true);

  // Without the authority the relay's certificate is not trusted: nothing is delivered, the
  // server says why, and the mail waits.
  const untrusted = await startSmtp({ t, tls: ca, starttls: true });
  const s3 = await startMailServer({ t, smtpUrl: `smtp://127.0.0.1:${untrusted.port}?starttls=required` });
  await signUp(s3, 'eli');
  await new Promise((resolve, reject) => {
    const deadline = Date.now() + 20000;
    const poll = () => {
      if (s3.errors.some((l) => /not delivered/.test(l))) resolve();
      else if (Date.now() > deadline) reject(new Error('no delivery failure logged: ' + s3.errors.join('\n')));
      else setTimeout(poll, 50);
    };
    poll();
  });
  assert.equal(untrusted.messages.length, 0);

  // A wrong password: refused at AUTH, the mail is kept for later, never dropped.
  const wrong = join(ca.dir, 'wrong-password');
  await writeFile(wrong, 'not it\n');
  const s4 = await startMailServer({ t,
    smtpUrl: `smtp://mailer@127.0.0.1:${starttls.port}?starttls=required`,
    args: ['--smtp-password-file', wrong, '--smtp-ca-file', ca.ca] });
  await signUp(s4, 'fay');
  await new Promise((resolve, reject) => {
    const deadline = Date.now() + 20000;
    const poll = () => {
      if (s4.errors.some((l) => /not delivered/.test(l))) resolve();
      else if (Date.now() > deadline) reject(new Error('no delivery failure logged: ' + s4.errors.join('\n')));
      else setTimeout(poll, 50);
    };
    poll();
  });
  assert.equal(starttls.to('fay@example.com').length, 0);
  assert.ok(!s4.errors.some((l) => /given up/.test(l)), 'a refused login is not a reason to drop the mail');
});

test('a relay that refuses for a while gets the mail later, exactly once', async (t) => {
  const relay = await startSmtp({ t, refuse: 2 });
  const server = await startMailServer({ t, smtpUrl: `smtp://127.0.0.1:${relay.port}` });
  await signUp(server, 'gus');
  const m = await relay.waitFor((x) => x.rcptTos.includes('gus@example.com'), 'the mail after two refusals');
  assert.equal(relay.refusals, 2);
  // A later mail arrives after any repeat of the first would have: the queue goes in order.
  await signUp(server, 'hal');
  await relay.waitFor((x) => x.rcptTos.includes('hal@example.com'), 'a later mail');
  assert.equal(relay.to('gus@example.com').length, 1);
  assert.ok(server.errors.some((l) => /451 4\.3\.0/.test(l)), 'the refusal is logged with the relay\'s words');
  assert.ok(m.header('message-id'));
});

test('kill -9 with mail queued loses nothing and sends nothing twice', async (t) => {
  const dataDir = await freshDataDir();
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const smtpUrl = `smtp://127.0.0.1:${port}`;
  // No relay listens yet: the mails wait in the outbox, tried and retried.
  const first = await startMailServer({ dataDir, smtpUrl });
  for (const name of ['ivy', 'jon', 'kit']) await signUp(first, name);
  first.child.kill('SIGKILL');
  await first.exited;

  const relay = await startSmtp({ t, port });
  const second = await startMailServer({ dataDir, smtpUrl });
  for (const name of ['ivy', 'jon', 'kit']) await relay.waitFor((m) => m.rcptTos.includes(`${name}@example.com`), `${name}'s mail`);
  // Killed again right after delivery, then started: what the relay accepted stays sent.
  second.child.kill('SIGKILL');
  await second.exited;
  const third = await startMailServer({ dataDir, smtpUrl });
  t.after(() => third.stop());
  await signUp(third, 'lou');
  await relay.waitFor((m) => m.rcptTos.includes('lou@example.com'), 'a mail queued after the restart');
  const ids = relay.messages.map((m) => m.header('message-id'));
  assert.equal(ids.length, 4, relay.messages.map((m) => m.to).join(' '));
  assert.equal(new Set(ids).size, 4, 'no message was sent twice');
});

test('shutdown stays prompt while the relay hangs, and the mail stays queued', async (t) => {
  // A relay that accepts the connection and never says a word.
  const silent = createServer(() => {});
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => silent.close(r)));
  const dataDir = await freshDataDir();
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const server = await startMailServer({ dataDir, smtpUrl: `smtp://127.0.0.1:${silent.address().port}` });
  const connected = new Promise((r) => silent.once('connection', r));
  await signUp(server, 'max');
  await connected;
  const started = Date.now();
  await server.stop({ keepData: true });
  // The relay's own time limit is a minute, and stop() kills after 10 s: prompt is well under
  // both. A counting build writes its counters and syncs more at exit, on a busy machine.
  const bound = process.env.PEERDESK_INSTRUMENTED ? 9000 : 5000;
  assert.ok(Date.now() - started < bound, `stopped in ${Date.now() - started} ms; last words: ${server.errors.slice(-5).join(' | ')}`);
  // Started again with a relay that answers, the mail goes out.
  const relay = await startSmtp({ t });
  await startMailServer({ t, dataDir, smtpUrl: `smtp://127.0.0.1:${relay.port}` });
  await relay.waitFor((m) => m.rcptTos.includes('max@example.com'), 'the mail queued before the shutdown');
});

test('without a relay nothing is promised: reset says mail is off, sign-up works', async (t) => {
  const server = await startServer({ t });
  const nia = await signUp(server, 'nia');
  const r = await new Client(server.url).api('POST', '/password-reset', { email: 'nia@example.com' });
  assert.equal(r.status, 503);
  assert.equal(r.body.error.code, 'mail_unavailable');
  const page = await new Client(server.url).request('GET', '/password-reset');
  assert.equal(page.status, 200);
  assert.match(page.text, /not set up to send mail/);
  assert.doesNotMatch(page.text, /Send me a link/);
  assert.equal((await nia.api('POST', '/me/email/verification')).status, 503);
  assert.deepEqual((await nia.api('GET', '/me/email')).body, { email: 'nia@example.com', verified: false, mail_enabled: false });
  const account = await nia.request('GET', '/account/email');
  assert.match(account.text, /not set up to send mail/);
});

test('mail options that cannot work stop the server with a message that says what to fix', async () => {
  const dir = await freshDataDir();
  try {
    const cases = [
      [['--smtp-url', 'smtp://127.0.0.1:25', '--public-url', 'http://x.example'], /--mail-from/],
      [['--smtp-url', 'smtp://127.0.0.1:25', '--mail-from', 'a@b.cd'], /--public-url/],
      [['--smtp-url', 'smtp://u:secret@127.0.0.1', '--mail-from', 'a@b.cd', '--public-url', 'http://x.example'], /--smtp-password-file/],
      [['--smtp-url', 'http://127.0.0.1', '--mail-from', 'a@b.cd', '--public-url', 'http://x.example'], /smtp:\/\/ or smtps:\/\//],
      [['--smtp-url', 'smtp://127.0.0.1', '--mail-from', 'Name <not an address>', '--public-url', 'http://x.example'], /--mail-from/],
      [['--smtp-url', 'smtp://u@127.0.0.1', '--mail-from', 'a@b.cd', '--public-url', 'http://x.example'], /--smtp-password-file/],
      [['--smtp-password-file', '/nonexistent'], /needs --smtp-url/],
      [['--public-url', 'javascript:alert(1)'], /--public-url/],
    ];
    for (const [args, message] of cases) {
      await assert.rejects(peerdesk(['serve', '--port', '0', '--data', dir, ...args]), (e) => {
        assert.match(e.stderr, message, args.join(' '));
        return true;
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
