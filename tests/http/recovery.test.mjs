// Account recovery and addresses against the real server and a real SMTP server: "Forgot your
// password?" end to end (API and forms without JavaScript), no enumeration, limits, tokens
// used, expired and forged, and changing the address.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '../support/server.mjs';
import { linkIn, startMailServer, startSmtp } from '../support/smtp.mjs';

const run = promisify(execFile);
const password = 'correct horse battery staple';
const newPassword = 'a brand new passphrase';
let relay, server;

before(async () => {
  relay = await startSmtp();
  server = await startMailServer({ smtpUrl: `smtp://127.0.0.1:${relay.port}` });
});
after(async () => {
  await server?.stop();
  await relay?.stop();
});

// A member who followed the confirmation link (confirmed: false leaves the address unconfirmed):
// only a confirmed address is sent a reset link.
async function signUp(username, { confirmed = true } = {}) {
  const c = new Client(server.url);
  const r = await c.api('POST', '/users', { username, email: `${username}@example.com`, password });
  assert.equal(r.status, 201, r.text);
  await c.signIn(username);
  const mail = await relay.waitFor((m) => m.rcptTos.includes(`${username}@example.com`), `${username}'s verification mail`);
  if (confirmed) {
    const token = new URL(linkIn(mail, '/verify-email?token=')).searchParams.get('token');
    assert.equal((await c.api('POST', '/email-verification/confirm', { token })).status, 200);
  }
  return c;
}

const resetMails = (address) => relay.to(address).filter((m) => /Set a new password/.test(m.subject));

// A mail that must arrive after any earlier one would have (the outbox goes in order): proof
// that an earlier request sent nothing more.
let markers = 0;
async function flush() {
  const name = `marker${++markers}`;
  await signUp(name, { confirmed: false });
}

test('a reset answers the same for a known and an unknown address; only the known one gets mail', async () => {
  await signUp('ana');
  const anonymous = new Client(server.url);
  const times = { known: [], unknown: [] };
  let knownAnswer, unknownAnswer;
  for (let i = 0; i < 2; i++) {
    for (const [kind, email] of [['unknown', 'nobody-here@example.com'], ['known', 'ana@example.com']]) {
      const started = process.hrtime.bigint();
      const r = await anonymous.api('POST', '/password-reset', { email });
      times[kind].push(Number(process.hrtime.bigint() - started) / 1e6);
      assert.equal(r.status, 202, r.text);
      if (kind === 'known') knownAnswer = r; else unknownAnswer = r;
    }
  }
  assert.equal(knownAnswer.text, unknownAnswer.text);
  assert.equal(knownAnswer.headers.get('content-type'), unknownAnswer.headers.get('content-type'));
  assert.equal(knownAnswer.headers.get('set-cookie'), unknownAnswer.headers.get('set-cookie'));
  // Both take one write with a commit; the known one renders the mail too. Not a proof of equal
  // time, a guard against a path that is an order of magnitude apart. The fastest of each is
  // compared: on a busy machine one commit can stall for a second whichever path it is on.
  // A sanitizer or coverage build slows rendering the mail far more than the commit both share:
  // its times say nothing about the product's.
  if (!process.env.PEERDESK_INSTRUMENTED)
    assert.ok(Math.min(...times.known) < 10 * Math.min(...times.unknown) + 50, JSON.stringify(times));
  await relay.waitFor(() => resetMails('ana@example.com').length === 2, 'two reset mails');
  await flush();
  assert.equal(relay.to('nobody-here@example.com').length, 0);
  // A malformed address is the requester's mistake, whoever it belongs to: 422 names the field.
  const bad = await anonymous.api('POST', '/password-reset', { email: 'not an address' });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.error.field, 'email');
  assert.equal((await anonymous.api('POST', '/password-reset', { email: 42 })).status, 422);
  assert.equal((await anonymous.api('POST', '/password-reset', 'not json')).status, 400);
});

test('an address never confirmed is sent its confirmation link, not a reset link', async () => {
  await signUp('una', { confirmed: false });
  const anonymous = new Client(server.url);
  const r = await anonymous.api('POST', '/password-reset', { email: 'una@example.com' });
  assert.equal(r.status, 202, r.text);
  // The same answer as for any address: it says nothing of whether the address was confirmed.
  const other = await anonymous.api('POST', '/password-reset', { email: 'nobody-at-all@example.com' });
  assert.equal(r.text, other.text);
  const confirmations = () => relay.to('una@example.com').filter((m) => /Confirm your address/.test(m.subject));
  await relay.waitFor(() => confirmations().length === 2, 'the confirmation link again');
  const again = confirmations()[1];
  await flush();
  assert.equal(resetMails('una@example.com').length, 0, 'no reset link to an address that never confirmed itself');
  // Confirmed through that link, the address gets the reset link.
  const token = new URL(linkIn(again, '/verify-email?token=')).searchParams.get('token');
  assert.equal((await anonymous.api('POST', '/email-verification/confirm', { token })).status, 200);
  assert.equal((await anonymous.api('POST', '/password-reset', { email: 'una@example.com' })).status, 202);
  await relay.waitFor(() => resetMails('una@example.com').length === 1, 'the reset link once confirmed');
});

test('the reset link sets the password once, signs in, and ends every other session and token', async () => {
  const bo = await signUp('bob');
  const laptop = new Client(server.url);
  await laptop.signIn('bob');
  const token = await bo.api('POST', '/tokens', { name: 'script' });
  assert.equal(token.status, 201, token.text);
  const script = new Client(server.url);
  script.bearer = token.body.token;
  assert.equal((await script.api('GET', '/me')).status, 200);

  const anonymous = new Client(server.url);
  assert.equal((await anonymous.api('POST', '/password-reset', { email: 'BOB@example.com' })).status, 202);
  const mail = await relay.waitFor((m) => m.rcptTos.includes('bob@example.com') && /Set a new password/.test(m.subject), 'the reset mail');
  assert.match(mail.header('message-id'), /^<password_reset\./);
  assert.ok(mail.text.includes('works once, for one hour'));
  const link = linkIn(mail, '/password-reset/confirm?token=');
  assert.ok(mail.html.includes(link));
  const resetToken = new URL(link).searchParams.get('token');
  // The database holds the token's SHA-256 only: a copy of the file resets nobody's password.
  const hashed = createHash('sha256').update(resetToken).digest('hex').toUpperCase();
  const kept = (await run('sqlite3', [join(server.dir, 'peerdesk.db'),
    "SELECT hex(token_hash) FROM account_tokens WHERE purpose = 'reset_password' AND email = 'bob@example.com'"])).stdout;
  assert.ok(kept.split('\n').includes(hashed), kept);
  assert.ok(!kept.includes(resetToken) && !kept.toUpperCase().includes(Buffer.from(resetToken).toString('hex').toUpperCase()));

  const weak = await anonymous.api('POST', '/password-reset/confirm', { token: resetToken, password: 'short' });
  assert.equal(weak.status, 422);
  assert.equal(weak.body.error.field, 'password');
  const done = await anonymous.api('POST', '/password-reset/confirm', { token: resetToken, password: newPassword });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.body.user.username, 'bob');
  assert.ok(done.body.csrf_token);
  assert.ok(anonymous.cookies.has('peerdesk_session'), 'signed in by the answer');
  anonymous.csrf = done.body.csrf_token;
  assert.equal((await anonymous.api('GET', '/me')).body.username, 'bob');
  // Everyone else is out: both browsers and the script's token.
  assert.equal((await bo.api('GET', '/me')).status, 401);
  assert.equal((await laptop.api('GET', '/me')).status, 401);
  assert.equal((await script.api('GET', '/me')).status, 401);
  // The new password works, the old one does not; the link proved the address.
  assert.equal((await new Client(server.url).api('POST', '/session', { login: 'bob', password })).status, 401);
  assert.equal((await new Client(server.url).api('POST', '/session', { login: 'bob', password: newPassword })).status, 200);
  assert.equal((await anonymous.api('GET', '/me/email')).body.verified, true);
  // Used once: the second use is refused and changes nothing.
  const reused = await new Client(server.url).api('POST', '/password-reset/confirm', { token: resetToken, password: 'yet another passphrase' });
  assert.equal(reused.status, 410);
  assert.equal(reused.body.error.code, 'token_used');
  const page = await new Client(server.url).request('GET', `/password-reset/confirm?token=${resetToken}`);
  assert.equal(page.status, 410);
  assert.match(page.text, /used already/);
});

test('an expired or forged reset link is refused with a clear message', async () => {
  await signUp('cal');
  const anonymous = new Client(server.url);
  assert.equal((await anonymous.api('POST', '/password-reset', { email: 'cal@example.com' })).status, 202);
  const mail = await relay.waitFor((m) => m.rcptTos.includes('cal@example.com') && /Set a new password/.test(m.subject), 'the reset mail');
  const token = new URL(linkIn(mail, '/password-reset/confirm?token=')).searchParams.get('token');
  const forged = await anonymous.api('POST', '/password-reset/confirm', { token: token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), password: newPassword });
  assert.equal(forged.status, 404);
  assert.equal(forged.body.error.code, 'invalid_token');
  // A verification token is no reset token.
  const verification = relay.to('cal@example.com').find((m) => /Confirm your address/.test(m.subject));
  const vtoken = new URL(linkIn(verification, '/verify-email?token=')).searchParams.get('token');
  assert.equal((await anonymous.api('POST', '/password-reset/confirm', { token: vtoken, password: newPassword })).status, 404);
  // An hour later (the clock moved in the database file itself): expired.
  await run('sqlite3', [join(server.dir, 'peerdesk.db'), "UPDATE account_tokens SET expires_at = created_at - 1 WHERE purpose = 'reset_password'"]);
  const expired = await anonymous.api('POST', '/password-reset/confirm', { token, password: newPassword });
  assert.equal(expired.status, 410);
  assert.equal(expired.body.error.code, 'token_expired');
  assert.match(expired.body.error.message, /one hour/);
  assert.equal((await new Client(server.url).api('POST', '/session', { login: 'cal', password })).status, 200, 'the password is unchanged');
});

test('reset links are limited per account (silently) and per address (429 for any address alike)', async () => {
  await signUp('dora');
  const anonymous = new Client(server.url);
  for (let i = 0; i < 5; i++) assert.equal((await anonymous.api('POST', '/password-reset', { email: 'dora@example.com' })).status, 202);
  for (let i = 0; i < 5; i++) assert.equal((await anonymous.api('POST', '/password-reset', { email: 'ghost@example.com' })).status, 202);
  const known = await anonymous.api('POST', '/password-reset', { email: 'dora@example.com' });
  const unknown = await anonymous.api('POST', '/password-reset', { email: 'ghost@example.com' });
  for (const r of [known, unknown]) {
    assert.equal(r.status, 429);
    assert.equal(r.body.error.code, 'rate_limited');
    assert.ok(Number(r.headers.get('retry-after')) > 3000);
  }
  assert.equal(known.body.error.message, unknown.body.error.message);
  await relay.waitFor(() => resetMails('dora@example.com').length === 3, 'three reset mails');
  await flush();
  assert.equal(resetMails('dora@example.com').length, 3, 'at most three links an hour per account');
});

test('the reset forms work without JavaScript and refuse a forged form', async () => {
  await signUp('eve');
  const browser = new Client(server.url);
  const signin = await browser.request('GET', '/signin');
  assert.match(signin.text, /href="\/password-reset">Forgot your password\?/);
  const form = await browser.request('GET', '/password-reset');
  assert.equal(form.status, 200);
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(form.text)[1];
  const forged = await new Client(server.url).form('/password-reset', { email: 'eve@example.com', csrf_token: 'forged-token-value' });
  assert.equal(forged.status, 403);
  const sent = await browser.form('/password-reset', { email: 'eve@example.com', csrf_token: csrf });
  assert.equal(sent.status, 202);
  assert.match(sent.text, /a link to set a new password is on its way/);
  const mail = await relay.waitFor((m) => m.rcptTos.includes('eve@example.com') && /Set a new password/.test(m.subject), 'the reset mail');
  const path = linkIn(mail, '/password-reset/confirm?token=').slice(server.url.length);
  const page = await browser.request('GET', path);
  assert.equal(page.status, 200);
  assert.match(page.text, /New password for eve/);
  const token = /name="token" value="([^"]+)"/.exec(page.text)[1];
  const short = await browser.form('/password-reset/confirm', { token, password: 'short', csrf_token: csrf });
  assert.equal(short.status, 422);
  assert.match(short.text, /class="error"/);
  const done = await browser.form('/password-reset/confirm', { token, password: newPassword, csrf_token: csrf });
  assert.equal(done.status, 303);
  assert.equal(done.headers.get('location'), '/');
  const home = await browser.request('GET', '/');
  assert.match(home.text, /eve/);
  assert.ok(browser.cookies.has('peerdesk_session'));
});

test('changing the address verifies the new one and tells the old one', async () => {
  const fin = await signUp('fin', { confirmed: false });
  const first = relay.to('fin@example.com').find((m) => /Confirm your address/.test(m.subject));
  const firstToken = new URL(linkIn(first, '/verify-email?token=')).searchParams.get('token');
  assert.equal((await fin.api('POST', '/email-verification/confirm', { token: firstToken })).status, 200);

  const wrong = await fin.api('PATCH', '/me', { email: 'fin@new.example', current_password: 'not my password' });
  assert.equal(wrong.status, 401);
  const injected = await fin.api('PATCH', '/me', { email: 'fin@new.example\r\nBcc: victim@example.com', current_password: password });
  assert.equal(injected.status, 422);
  assert.equal(injected.body.error.field, 'email');
  const taken = await fin.api('PATCH', '/me', { email: 'ANA@example.com', current_password: password });
  assert.equal(taken.status, 409);
  const unknownField = await fin.api('PATCH', '/me', { username: 'other' });
  assert.equal(unknownField.status, 422);
  const tokenClient = new Client(server.url);
  tokenClient.bearer = (await fin.api('POST', '/tokens', { name: 'x' })).body.token;
  assert.equal((await tokenClient.api('PATCH', '/me', { email: 'fin@new.example', current_password: password })).status, 403);

  const changed = await fin.api('PATCH', '/me', { email: 'fin@new.example', current_password: password });
  assert.equal(changed.status, 200, changed.text);
  assert.deepEqual(changed.body, { email: 'fin@new.example', verified: false, mail_enabled: true, verification_sent: true });
  const notice = await relay.waitFor((m) => m.rcptTos.includes('fin@example.com') && /was changed/.test(m.subject), 'the notice to the old address');
  assert.match(notice.text, /now goes to fin@new\.example/);
  const verify = await relay.waitFor((m) => m.rcptTos.includes('fin@new.example'), 'the link to the new address');
  assert.equal(verify.subject, 'Confirm your address for Acme Support');
  // A reset asked for the old address now reaches nobody; links to the old address are void.
  await fin.api('POST', '/password-reset', { email: 'fin@example.com' });
  await flush();
  assert.equal(resetMails('fin@example.com').length, 0);
  const newToken = new URL(linkIn(verify, '/verify-email?token=')).searchParams.get('token');
  assert.equal((await fin.api('POST', '/email-verification/confirm', { token: newToken })).status, 200);
  assert.equal((await fin.api('GET', '/me/email')).body.verified, true);
  // Through the page too: the form on /account/email.
  const page = await fin.request('GET', '/account/email');
  assert.match(page.text, /fin@new\.example<\/strong>\s*— confirmed/);
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.text)[1];
  const viaForm = await fin.form('/account/email', { email: 'fin@third.example', current_password: password, csrf_token: csrf });
  assert.equal(viaForm.status, 200);
  assert.match(viaForm.text, /Your address is now fin@third\.example/);
  await relay.waitFor((m) => m.rcptTos.includes('fin@third.example'), 'the link to the third address');
  await relay.waitFor((m) => m.rcptTos.includes('fin@new.example') && /was changed/.test(m.subject), 'the notice to the second address');
});

test('every message went to exactly one recipient, and none twice', async () => {
  for (const m of relay.messages) assert.equal(m.rcptTos.length, 1, m.raw.slice(0, 300));
  const ids = relay.messages.map((m) => m.header('message-id'));
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(!relay.messages.some((m) => m.headers.some(([k]) => k === 'bcc' || k === 'cc')));
});

test('the verification pages work without JavaScript: resend from /account/email, confirm with the button', async () => {
  const gil = await signUp('gil', { confirmed: false });
  const page = await gil.request('GET', '/account/email');
  assert.match(page.text, /not confirmed yet/);
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.text)[1];
  const resent = await gil.form('/account/email/verification', { csrf_token: csrf });
  assert.equal(resent.status, 202);
  assert.match(resent.text, /A new confirmation link is on its way to gil@example.com/);
  await relay.waitFor(() => relay.to('gil@example.com').length === 2, 'the second link');
  const forged = await gil.form('/account/email/verification', { csrf_token: 'not the token' });
  assert.equal(forged.status, 403);
  // Confirmed from a browser that is not signed in (the mail opened on a phone).
  const phone = new Client(server.url);
  const link = linkIn(relay.to('gil@example.com')[1], '/verify-email?token=');
  const confirmPage = await phone.request('GET', link.slice(server.url.length));
  const phoneCsrf = /name="csrf_token" value="([^"]+)"/.exec(confirmPage.text)[1];
  const token = /name="token" value="([^"]+)"/.exec(confirmPage.text)[1];
  const done = await phone.form('/verify-email', { token, csrf_token: phoneCsrf });
  assert.equal(done.status, 200);
  assert.match(done.text, /gil@example.com is confirmed/);
  const again = await phone.form('/verify-email', { token, csrf_token: phoneCsrf });
  assert.equal(again.status, 410);
  assert.match((await gil.request('GET', '/account/email')).text, /— confirmed\./);
  const bad = await phone.request('GET', '/verify-email?token=nonsense');
  assert.equal(bad.status, 404);
  assert.match(bad.text, /This link is not valid/);
  // Signed out, the address page asks to sign in first.
  const out = await new Client(server.url).request('GET', '/account/email');
  assert.equal(out.status, 303);
  assert.match(out.headers.get('location'), /^\/signin\?next=/);
});
