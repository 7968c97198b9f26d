// Sessions and cross-site safety: CSRF on every change, other origins refused, no GET that
// writes, cookie flags, session rotation, sign-out and password change, slowed sign-ins,
// password hashing cost, and the security headers on every kind of response.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { startServer, Client, setCookies } from '../support/server.mjs';

const password = 'correct horse battery staple';
let server, alice, bob, q, a, comment;

before(async () => {
  server = await startServer();
  alice = new Client(server.url);
  bob = new Client(server.url);
  await alice.signUp('alice', password);
  await bob.signUp('bobby', password);
  q = (await alice.api('POST', '/questions', { title: 'How do I reset the router safely?', body: 'It keeps dropping the connection.', tags: ['router'] })).body;
  a = (await bob.api('POST', `/questions/${q.id}/answers`, { body: 'Hold the reset button for ten seconds.' })).body;
  comment = (await alice.api('POST', `/posts/${q.id}/comments`, { body: 'Which model is it exactly?' })).body;
});
after(async () => {
  await server?.stop();
  assert.deepEqual(server.errors, []);
});

const sql = async (query) =>
  (await promisify(execFile)('sqlite3', [join(server.dir, 'peerdesk.db'), query])).stdout.trim();

// Every state-changing endpoint, API and form, with a body that would otherwise be accepted.
const apiChanges = () => [
  ['POST', '/api/v1/questions', { title: 'A question that must not be stored', body: 'Body of it.', tags: ['x'] }],
  ['PATCH', `/api/v1/questions/${q.id}`, { body: 'Rewritten by an attacker.' }],
  ['POST', `/api/v1/questions/${q.id}/answers`, { body: 'An answer that must not be stored.' }],
  ['PATCH', `/api/v1/answers/${a.id}`, { body: 'Rewritten by an attacker.' }],
  ['POST', `/api/v1/answers/${a.id}/accept`, undefined],
  ['POST', `/api/v1/posts/${q.id}/comments`, { body: 'A comment that must not be stored.' }],
  ['POST', `/api/v1/posts/${a.id}/vote`, { value: 1 }],
  ['POST', `/api/v1/posts/${a.id}/flags`, { reason: 'spam' }],
  ['POST', `/api/v1/comments/${comment.id}/flags`, { reason: 'rude' }],
  ['DELETE', `/api/v1/posts/${q.id}`, undefined],
  ['POST', '/api/v1/tokens', { name: 'stolen' }],
  ['PUT', '/api/v1/me/password', { current_password: password, new_password: 'attacker chosen password' }],
  ['DELETE', '/api/v1/session', undefined],
];
const formChanges = () => [
  ['/questions/ask', { title: 'A question that must not be stored', body: 'Body of it.', tags: 'x' }],
  [`/questions/${q.id}/answers`, { body: 'An answer that must not be stored.' }],
  [`/posts/${q.id}/comments`, { body: 'A comment that must not be stored.' }],
  [`/posts/${a.id}/vote`, { value: '1' }],
  [`/posts/${q.id}/edit`, { body: 'Rewritten by an attacker.', title: 'Rewritten title by an attacker' }],
  [`/answers/${a.id}/accept`, {}],
  [`/posts/${a.id}/flag`, { reason: 'spam' }],
  [`/comments/${comment.id}/flag`, { reason: 'rude' }],
  ['/account/password', { current_password: password, new_password: 'attacker chosen password' }],
  ['/signout', {}],
];

async function snapshot() {
  return sql(`SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM comments), (SELECT count(*) FROM votes),
    (SELECT count(*) FROM flags), (SELECT count(*) FROM api_tokens), (SELECT count(*) FROM sessions),
    (SELECT group_concat(body_markdown) FROM posts), (SELECT password_hash FROM users WHERE username = 'alice'),
    (SELECT count(*) FROM revisions), (SELECT accepted_answer_id FROM posts WHERE id = ${q.id})`);
}

test('every change without the CSRF token is refused with 403, and nothing is written', async () => {
  const before = await snapshot();
  for (const c of [alice, bob]) {
    for (const [method, path, body] of apiChanges()) {
      const r = await c.request(method, path, { body: body && JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      assert.equal(r.status, 403, `${method} ${path} without X-CSRF-Token: ${r.text}`);
      assert.equal(r.body.error.code, 'csrf');
      const wrong = await c.request(method, path, { body: body && JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-csrf-token': 'x'.repeat(32) } });
      assert.equal(wrong.status, 403, `${method} ${path} with a wrong token`);
    }
    for (const [path, fields] of formChanges()) {
      const r = await c.form(path, fields);
      assert.equal(r.status, 403, `form ${path} without csrf_token: ${r.status}`);
      const other = await c.form(path, { ...fields, csrf_token: bob === c ? alice.csrf : bob.csrf });
      assert.equal(other.status, 403, `form ${path} with another session's token`);
    }
  }
  assert.equal(await snapshot(), before, 'nothing changed');
  assert.equal((await alice.api('GET', '/me')).status, 200, 'still signed in');
});

test('a change from another origin is refused even with a valid token; bearer tokens are not affected', async () => {
  const before = await snapshot();
  for (const headers of [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }]) {
    for (const [method, path, body] of apiChanges()) {
      const r = await alice.api(method, path.replace('/api/v1', ''), body, headers);
      assert.equal(r.status, 403, `${method} ${path} from ${JSON.stringify(headers)}: ${r.text}`);
      assert.equal(r.body.error.code, 'cross_origin');
    }
    for (const [path, fields] of formChanges()) {
      const r = await alice.request('POST', path, {
        body: new URLSearchParams({ ...fields, csrf_token: alice.csrf }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
      assert.equal(r.status, 403, `form ${path} from ${JSON.stringify(headers)}`);
    }
    // Signing up and in are changes too (login CSRF).
    const anonymous = new Client(server.url);
    const signIn = await anonymous.api('POST', '/session', { login: 'alice', password }, headers);
    assert.equal(signIn.status, 403, 'sign-in from another site');
  }
  assert.equal(await snapshot(), before, 'nothing changed');
  // The same origin is fine.
  const same = await alice.api('POST', `/posts/${q.id}/comments`, { body: 'Same-origin comment, allowed.' }, { origin: server.url, 'sec-fetch-site': 'same-origin' });
  assert.equal(same.status, 201, same.text);
  // A script with a personal token is not a browser: no Origin rules, no CSRF.
  const token = (await alice.api('POST', '/tokens', { name: 'script' })).body.token;
  const script = new Client(server.url);
  script.bearer = token;
  const r = await script.api('POST', `/posts/${q.id}/comments`, { body: 'Comment from a script with a token.' }, { origin: 'https://ci.example' });
  assert.equal(r.status, 201, r.text);
});

test('no GET changes state: every page and API read leaves the database as it was', async () => {
  const before = await snapshot();
  const paths = ['/', '/questions', `/questions/${q.id}`, `/posts/${q.id}/edit`, `/posts/${q.id}/revisions`, '/search?q=router',
    '/tags', '/tags/router', `/users/${alice.user.id}`, '/signin', '/signup', '/account', '/review', '/audit', '/questions/ask',
    '/api/v1/questions', `/api/v1/questions/${q.id}`, '/api/v1/me', '/api/v1/search?q=router', '/api/v1/tags',
    // Shapes that would change state were they POSTs:
    `/posts/${a.id}/vote?value=1`, `/answers/${a.id}/accept`, '/signout', `/api/v1/posts/${a.id}/vote?value=1`];
  for (const path of paths) {
    const r = await alice.request('GET', path);
    assert.ok(r.status < 500, `${path}: ${r.status}`);
  }
  assert.equal(await snapshot(), before);
  assert.equal((await alice.api('GET', '/me')).status, 200, 'GET /signout did not sign out');
});

test('cookies are HttpOnly and SameSite; sign-in issues a new session id and ends the one before', async () => {
  const c = new Client(server.url);
  // A session id chosen by someone else (fixation) is never honoured.
  c.cookies.set('peerdesk_session', 'attacker-chosen-session-id-0123456789');
  assert.equal((await c.api('GET', '/me')).status, 401);
  const first = await c.signIn('alice', password);
  const cookie = setCookies(first.headers).find((l) => l.startsWith('peerdesk_session='));
  assert.match(cookie, /^peerdesk_session=[A-Za-z0-9_-]{32,}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
  const token1 = c.cookies.get('peerdesk_session');
  assert.notEqual(token1, 'attacker-chosen-session-id-0123456789');
  // Signing in again from the same browser rotates the id; the old one stops working.
  await c.signIn('alice', password);
  const token2 = c.cookies.get('peerdesk_session');
  assert.notEqual(token2, token1);
  const old = new Client(server.url);
  old.cookies.set('peerdesk_session', token1);
  assert.equal((await old.api('GET', '/me')).status, 401, 'the previous session ended');
  // The anonymous form cookie is HttpOnly too.
  const page = await fetch(server.url + '/signin');
  assert.match(setCookies(page.headers).join('\n'), /peerdesk_csrf=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
  // Signing out ends the session on the server, not only in this browser.
  assert.equal((await c.api('DELETE', '/session')).status, 204);
  const replay = new Client(server.url);
  replay.cookies.set('peerdesk_session', token2);
  assert.equal((await replay.api('GET', '/me')).status, 401, 'a copied cookie is dead after sign-out');
  // The page form signs out the same way.
  const p = new Client(server.url);
  await p.signIn('alice', password);
  const kept = p.cookies.get('peerdesk_session');
  const me = await p.api('GET', '/me');
  assert.equal((await p.form('/signout', { csrf_token: me.body.csrf_token })).status, 303);
  const replay2 = new Client(server.url);
  replay2.cookies.set('peerdesk_session', kept);
  assert.equal((await replay2.api('GET', '/me')).status, 401);
});

test('changing the password ends every other session and, unless kept, the API tokens; wrong or weak input is refused', async () => {
  const phone = new Client(server.url);
  const laptop = new Client(server.url);
  await phone.signUp('carol', password);
  await laptop.signIn('carol', password);
  const token = (await laptop.api('POST', '/tokens', { name: 'backup' })).body.token;
  const wrong = await laptop.api('PUT', '/me/password', { current_password: 'not my password', new_password: 'a brand new passphrase' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.error.field, 'current_password');
  const weak = await laptop.api('PUT', '/me/password', { current_password: password, new_password: 'short' });
  assert.equal(weak.status, 422);
  assert.equal(weak.body.error.field, 'new_password');
  const anonymous = await new Client(server.url).api('PUT', '/me/password', { current_password: password, new_password: 'a brand new passphrase' });
  assert.equal(anonymous.status, 401);
  const kept = (await laptop.api('POST', '/tokens', { name: 'kept' })).body.token;
  const script = new Client(server.url);
  script.bearer = kept;
  assert.equal((await script.api('PUT', '/me/password', { current_password: password, new_password: 'a token took over' })).status, 403,
    'a token cannot change the password');
  assert.equal((await script.api('POST', '/tokens', { name: 'minted by a token' })).status, 403, 'nor mint tokens');
  const changed = await laptop.api('PUT', '/me/password', { current_password: password, new_password: 'a brand new passphrase', keep_tokens: true });
  assert.equal(changed.status, 200, changed.text);
  laptop.csrf = changed.body.csrf_token;
  assert.equal((await phone.api('GET', '/me')).status, 401, 'the other device is signed out');
  assert.equal((await laptop.api('GET', '/me')).status, 200, 'this browser has a fresh session');
  assert.equal((await laptop.api('POST', '/tokens', { name: 'after the change' })).status, 201, 'with a fresh CSRF token');
  await assert.rejects(new Client(server.url).signIn('carol', password), /sign-in failed/, 'the old password no longer works');
  await new Client(server.url).signIn('carol', 'a brand new passphrase');
  assert.equal((await script.api('GET', '/me')).status, 200, 'kept tokens stay');
  script.bearer = token;
  assert.equal((await script.api('GET', '/me')).status, 200);
  // From the account page, as a browser does it.
  const browser = new Client(server.url);
  await browser.signIn('carol', 'a brand new passphrase');
  const page = await browser.request('GET', '/account');
  assert.equal(page.status, 200);
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.text)[1];
  const done = await browser.form('/account/password', { csrf_token: csrf, current_password: 'a brand new passphrase', new_password: 'the third passphrase' });
  assert.equal(done.status, 200);
  assert.match(done.text, /Your password is changed/);
  assert.equal((await laptop.api('GET', '/me')).status, 401, 'the laptop is signed out by the page change');
  assert.equal((await browser.api('GET', '/me')).status, 200);
  assert.equal((await script.api('GET', '/me')).status, 401, 'without "keep", the tokens end with the old password');
});

test('API tokens: listed with name, created and last used, revoked at once, from the API and the account page', async () => {
  const owner = new Client(server.url);
  await owner.signUp('tokenowner', password);
  const other = new Client(server.url);
  await other.signUp('tokenother', password);
  const first = (await owner.api('POST', '/tokens', { name: 'backup script' })).body.token;
  await owner.api('POST', '/tokens', { name: 'nightly export' });
  const script = new Client(server.url);
  script.bearer = first;
  assert.equal((await script.api('GET', '/me')).status, 200);
  const list = (await owner.api('GET', '/tokens')).body.items;
  assert.deepEqual(list.map((t) => t.name), ['backup script', 'nightly export']);
  assert.ok(list[0].created_at && list[0].last_used_at, 'the used token says when');
  assert.equal(list[1].last_used_at, null);
  assert.ok(!JSON.stringify(list).includes(first), 'a token is never shown again');
  assert.equal((await other.api('GET', '/tokens')).body.items.length, 0, 'each member sees their own');
  assert.equal((await other.api('DELETE', `/tokens/${list[0].id}`)).status, 404, 'nor revokes another\'s');
  assert.equal((await script.api('GET', '/me')).status, 200);
  assert.equal((await owner.api('DELETE', `/tokens/${list[0].id}`)).status, 204);
  assert.equal((await script.api('GET', '/me')).status, 401, 'revoked at once');
  assert.equal((await new Client(server.url).api('GET', '/tokens')).status, 401);

  // The account page: create (shown once), list, revoke.
  const page = await owner.request('GET', '/account');
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.text)[1];
  assert.match(page.text, /nightly export/);
  const made = await owner.form('/account/tokens', { csrf_token: csrf, name: 'from the page' });
  assert.equal(made.status, 201);
  const shown = /<code class="token">(pd_[^<]+)<\/code>/.exec(made.text)[1];
  script.bearer = shown;
  assert.equal((await script.api('GET', '/me')).status, 200);
  assert.ok(!(await owner.request('GET', '/account')).text.includes(shown), 'shown once only');
  const id = (await owner.api('GET', '/tokens')).body.items.find((t) => t.name === 'from the page').id;
  const revoked = await owner.form(`/account/tokens/${id}/revoke`, { csrf_token: csrf });
  assert.equal(revoked.status, 303);
  assert.equal((await script.api('GET', '/me')).status, 401);
  assert.equal((await owner.form('/account/tokens', { csrf_token: csrf, name: '' })).status, 422);
});

test('passwords are hashed with scrypt at N = 2^15, r = 8, p = 1 and a per-user salt', async () => {
  const rows = (await sql("SELECT password_hash FROM users WHERE username IN ('alice', 'bobby')")).split('\n');
  assert.equal(rows.length, 2);
  for (const hash of rows) assert.match(hash, /^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22,}\$[A-Za-z0-9_-]{43,}$/);
  assert.notEqual(rows[0].split('$')[4], rows[1].split('$')[4], 'salts differ');
  assert.ok(!rows.join().includes(password), 'no password in clear');
});

test('failed sign-ins slow down: after five, even the right password waits, with Retry-After', async (t) => {
  const limited = await startServer({ t, args: ['--rate-limits', 'on'] });
  try {
    const c = new Client(limited.url);
    await c.signUp('dave', password);
    const attacker = new Client(limited.url);
    for (let i = 0; i < 5; i++) {
      const r = await attacker.api('POST', '/session', { login: 'dave', password: `guess number ${i}` });
      assert.equal(r.status, 401, `attempt ${i + 1}`);
    }
    const locked = await attacker.api('POST', '/session', { login: 'dave', password });
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    assert.match(locked.body.error.message, /try again in \d+ seconds/);
  } finally {
    await limited.stop();
  }
});

// A JSON POST from another loopback address, as a second computer would send it.
function postFrom(localAddress, base, path, body) {
  return new Promise((resolve, reject) => {
    const url = new URL(base + path);
    const data = JSON.stringify(body);
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(data);
  });
}

test('a stranger guessing cannot lock the owner out: the limit is per account and address', async () => {
  const limited = await startServer({ args: ['--rate-limits', 'on'] });
  try {
    const owner = new Client(limited.url);
    await owner.signUp('erin', password);
    const attacker = new Client(limited.url);
    // Username and email name one account: one budget between them.
    for (const login of ['erin', 'erin', 'erin@example.com', 'ERIN', 'erin@example.com'])
      assert.equal((await attacker.api('POST', '/session', { login, password: 'not the password' })).status, 401);
    assert.equal((await attacker.api('POST', '/session', { login: 'erin@example.com', password })).status, 429);
    assert.equal((await attacker.api('POST', '/session', { login: 'erin', password })).status, 429);
    // The owner, at an address that has not been guessing, signs in.
    assert.equal(await postFrom('127.0.0.2', limited.url, '/api/v1/session', { login: 'erin', password }), 200);
    // An address guessing at many accounts runs out too.
    for (let i = 0; i < 15; i++) await attacker.api('POST', '/session', { login: `nobody${i}`, password: 'not the password' });
    assert.equal((await attacker.api('POST', '/session', { login: 'somebody-else', password: 'whatever it is' })).status, 429);
  } finally {
    await limited.stop();
  }
});

test('the security headers are on every kind of response, the server\'s own errors included', async () => {
  const anonymous = new Client(server.url);
  const responses = [];
  for (const path of ['/', `/questions/${q.id}`, '/search?q=x', '/signin', '/nothing-here', '/static/app.css', '/widget.js',
    '/healthz', '/metrics', '/api/v1/questions', '/api/v1/nothing', '/api/v1/questions/999999'])
    responses.push([path, (await anonymous.request('GET', path)).headers]);
  responses.push(['405', (await anonymous.request('PUT', '/')).headers]);
  responses.push(['403', (await anonymous.request('POST', '/questions/ask', { body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).headers]);
  // Answers the server gives before any handler runs: malformed, too large, too slow.
  const raw = (bytes) => new Promise((resolve) => {
    const s = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    let d = '';
    s.on('data', (x) => { d += x; });
    s.on('close', () => resolve(d));
    s.on('error', () => resolve(d));
    s.setTimeout(10000, () => s.destroy());
    s.end(bytes);
  });
  for (const [name, bytes] of [['400', 'BROKEN\r\n\r\n'], ['413', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n'],
    ['431', `GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20000)}\r\n\r\n`]]) {
    const text = await raw(bytes);
    const headers = new Headers();
    for (const line of text.split('\r\n\r\n')[0].split('\r\n').slice(1)) {
      const i = line.indexOf(':');
      headers.append(line.slice(0, i), line.slice(i + 1).trim());
    }
    assert.match(text, new RegExp(`^HTTP/1.1 ${name}`));
    responses.push([name, headers]);
  }
  for (const [what, h] of responses) {
    const csp = h.get('content-security-policy');
    assert.ok(csp, `${what}: a Content-Security-Policy`);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, `${what}: no inline or wildcard script`);
    assert.match(csp, /frame-ancestors 'none'/, `${what}: not frameable`);
    assert.match(csp, /(script-src 'self'|default-src 'none')/, `${what}: scripts only from the site`);
    assert.equal(h.get('x-content-type-options'), 'nosniff', what);
    assert.equal(h.get('referrer-policy'), 'strict-origin-when-cross-origin', what);
    assert.equal(h.get('x-frame-options'), 'DENY', what);
  }
});
