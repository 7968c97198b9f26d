// What pages promise readers about moderation: a question closed as needing details or as
// resolved elsewhere says so in words (and takes no answers), and a suspended or silenced
// member is told on every page why, and until when; the admin widgets page offers the demo
// help page under the other loopback name, whichever name the admin came by.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { rawRequest } from '../support/raw_http.mjs';
import { startServer, Client, freshDataDir, createAccount } from '../support/server.mjs';

let server, mod, admin, alice, dave;

before(async () => {
  const dir = await freshDataDir();
  await createAccount(dir, 'mod', 'moderator');
  await createAccount(dir, 'boss', 'admin');
  server = await startServer({ dataDir: dir });
  mod = new Client(server.url);
  await mod.signIn('mod');
  admin = new Client(server.url);
  await admin.signIn('boss');
  alice = new Client(server.url);
  dave = new Client(server.url);
  await alice.signUp('alice');
  await dave.signUp('dave');
});

after(async () => {
  if (!server) return;
  await server.stop();
  await rm(server.dir, { recursive: true, force: true });
  assert.deepEqual(server.errors, [], 'no request made the server log an error');
});

const ask = async (who, title) => {
  const r = await who.api('POST', '/questions', { title, body: 'A question body that is long enough to post.', tags: ['closing'] });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
};
const text = (html) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');

for (const [reason, words] of [['needs_details', 'needing details'], ['resolved_elsewhere', 'resolved elsewhere']]) {
  test(`a question closed as ${reason} says "${words}" on its page and takes no answers`, { timeout: 120000 }, async () => {
    const q = await ask(alice, `Closing this question as ${words} please`);
    const before = await dave.request('GET', `/questions/${q}`);
    assert.doesNotMatch(text(before.text), /Closed as/);
    assert.match(before.text, /action="\/questions\/\d+\/answers"/, 'an open question has an answer form');
    const closed = await mod.api('POST', `/questions/${q}/close`, { reason });
    assert.equal(closed.status, 200, closed.text);

    const page = await new Client(server.url).request('GET', `/questions/${q}`);
    assert.equal(page.status, 200);
    assert.match(text(page.text), new RegExp(`Closed as ${words}\\. It takes no new answers\\.`));
    assert.match(text(page.text), new RegExp(`mod closed the question as ${words}`), 'the thread\'s history says it too');
    assert.doesNotMatch(page.text, new RegExp(reason), 'no internal code on the page');
    const member = await dave.request('GET', `/questions/${q}`);
    assert.doesNotMatch(member.text, /action="\/questions\/\d+\/answers"/, 'no answer form');
    const refused = await dave.api('POST', `/questions/${q}/answers`, { body: 'An answer to a closed question, refused.' });
    assert.equal(refused.status, 409);
    assert.match(refused.body.error.message, new RegExp(`closed as ${words}`));
    assert.equal((await alice.api('GET', `/questions/${q}`)).body.close_reason, reason);

    assert.equal((await mod.api('POST', `/questions/${q}/reopen`)).status, 200);
    assert.doesNotMatch(text((await new Client(server.url).request('GET', `/questions/${q}`)).text), /Closed as/);
  });
}

// The banner's words, without the markup of its date (a <time> with the exact time on hover).
const standing = (html) => /<p class="standing" role="alert">([\s\S]*?)<\/p>/.exec(html)?.[1].replace(/<[^>]+>/g, '');
// "14 Dec 2026, 04:44 UTC", as every time on the site reads.
const readable = (iso) => {
  const d = new Date(iso);
  const two = (n) => String(n).padStart(2, '0');
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()}, ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
};

test('every page tells a suspended member why and until when; others see nothing', { timeout: 120000 }, async () => {
  const q = await ask(alice, 'A question to read while suspended');
  const pages = ['/', `/questions/${q}`, '/search?q=question', '/tags', `/users/${dave.user.id}`, '/account', '/questions?sort=votes', '/questions/ask'];
  for (const path of pages) assert.equal(standing((await dave.request('GET', path)).text), undefined, `${path} before`);

  const s = await mod.api('POST', `/users/${dave.user.id}/suspend`, { days: 3, reason: 'posting adverts' });
  assert.equal(s.status, 200, s.text);
  const until = s.body.suspended_until;
  const days = (Date.parse(until) - Date.now()) / 86400000;
  assert.ok(days > 2.9 && days <= 3, `three days from now: ${until}`);
  for (const path of pages) {
    const r = await dave.request('GET', path);
    assert.equal(r.status, 200, path);
    assert.equal(standing(r.text), `Your account is suspended until ${readable(until)}. Reason: posting adverts`, path);
    assert.equal(standing((await alice.request('GET', path)).text), undefined, `${path} for another member`);
  }
  const missing = await dave.request('GET', '/questions/987654');
  assert.equal(missing.status, 404);
  assert.equal(standing(missing.text), `Your account is suspended until ${readable(until)}. Reason: posting adverts`, 'error pages too');

  assert.equal((await mod.api('POST', `/users/${dave.user.id}/unsuspend`)).status, 200);
  for (const path of pages) assert.equal(standing((await dave.request('GET', path)).text), undefined, `${path} after lifting`);
});

test('every page tells a silenced member why', { timeout: 120000 }, async () => {
  assert.equal((await mod.api('POST', `/users/${dave.user.id}/silence`, { reason: 'cooling off' })).status, 200);
  try {
    for (const path of ['/', '/tags', `/users/${dave.user.id}`]) {
      const notice = standing((await dave.request('GET', path)).text);
      assert.match(notice ?? '', /silenced until a moderator lifts it: you can read, but not post, comment, vote or flag\. Reason: cooling off/, path);
    }
  } finally {
    assert.equal((await mod.api('POST', `/users/${dave.user.id}/unsuspend`)).status, 200);
  }
});

test('a silenced member\'s pages say until when: until a moderator lifts it', { timeout: 120000 }, async () => {
  assert.equal((await mod.api('POST', `/users/${dave.user.id}/silence`, { reason: 'cooling off' })).status, 200);
  try {
    assert.match(standing((await dave.request('GET', '/')).text) ?? '', /until (a moderator|it is) lift/i);
  } finally {
    assert.equal((await mod.api('POST', `/users/${dave.user.id}/unsuspend`)).status, 200);
  }
});

// A request with the Host header given (fetch sends its own), as the admin's browser would
// send it after opening the community under the other loopback name.
function underHost(hostHeader, method, path, { body, headers = {} } = {}) {
  const url = new URL(server.url);
  return rawRequest({ host: url.hostname, port: url.port, path, method, headers: { ...headers, host: hostHeader, cookie: admin.cookieHeader() } }, body);
}

test('the widgets page offers the demo page under the other loopback name, both ways', { timeout: 120000 }, async () => {
  const key = (await admin.api('POST', '/admin/widget-keys', { name: 'Loopback', allowed_origins: ['https://help.example.com'] })).body;
  const { port } = new URL(server.url);
  for (const [came, other] of [['127.0.0.1', 'localhost'], ['localhost', '127.0.0.1']]) {
    const page = await underHost(`${came}:${port}`, 'GET', '/admin/widgets');
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(`Allow the demo page \\(http://${other}:${port}\\)`), `came by ${came}`);
    assert.ok(page.text.includes(`href="http://${other}:${port}/widget/demo?key=${key.key}"`), `the demo link for ${came}`);
  }
  // Allowed from the localhost name, the key gains http://127.0.0.1:PORT.
  const allowed = await underHost(`localhost:${port}`, 'POST', `/admin/widgets/${key.id}`, {
    body: new URLSearchParams({ action: 'allow_demo', csrf_token: admin.csrf }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `http://localhost:${port}` },
  });
  assert.equal(allowed.status, 303, allowed.text);
  const keys = (await admin.api('GET', '/admin/widget-keys')).body.items;
  assert.deepEqual(keys.find((k) => k.id === key.id).allowed_origins, ['https://help.example.com', `http://127.0.0.1:${port}`]);
});
