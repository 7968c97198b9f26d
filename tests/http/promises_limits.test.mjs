// The rate limits the README lists and no other suite reaches: sign-ups per address,
// questions, answers, comments, votes and flags per member, and posts per address. Each runs
// a server with limits on and a low setting, and checks what a client notices: 429, a
// Retry-After that matches the setting, a message saying when to try again (on the page too),
// and that the limit is per member or per address as promised.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { rawRequest } from '../support/raw_http.mjs';
import { rm } from 'node:fs/promises';
import { startServer, Client, peerdesk, freshDataDir, createAccount } from '../support/server.mjs';

const password = 'correct horse battery staple';

// A server with limits on, the given settings, and members made before it starts (so that
// the sign-up limit does not get in the way).
async function limited(settings, members = []) {
  const dir = await freshDataDir();
  for (const [key, value] of Object.entries(settings)) await peerdesk(['settings', 'set', key, String(value), '--data', dir]);
  for (const name of members) await createAccount(dir, name, 'member', password);
  const server = await startServer({ dataDir: dir, args: ['--rate-limits', 'on'] });
  const clients = {};
  try {
    for (const name of members) {
      clients[name] = new Client(server.url);
      await clients[name].signIn(name, password);
    }
  } catch (e) {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    server,
    clients,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
      assert.deepEqual(server.errors, [], 'no request made the server log an error');
    },
  };
}

// One request from another loopback address (127.0.0.2), as a second visitor would come.
function fromOtherAddress(base, method, path, { body, headers = {} } = {}) {
  const url = new URL(path, base);
  return rawRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, localAddress: '127.0.0.2' }, body);
}

// A refusal as the README promises it: 429, Retry-After near a token's time, a message.
function assertLimited(r, { seconds, action }) {
  assert.equal(r.status, 429, r.text);
  const wait = Number(r.headers.get('retry-after'));
  // A token comes back while the requests before the refused one run; a sanitizer or coverage
  // build runs them several times slower, so more of it has come back.
  const least = seconds * (process.env.PEERDESK_INSTRUMENTED ? 0.5 : 0.9);
  assert.ok(wait > least && wait <= seconds, `Retry-After ${wait}, expected about ${seconds}`);
  assert.equal(r.body.error.code, 'rate_limited');
  assert.match(r.body.error.message, new RegExp(`\\(${action}\\); try again in ${wait} seconds\\.`));
}

const body = (n) => `A body long enough to post, number ${n}, with its own words.`;

test('sign-ups: rate.signups_per_hour per address, 429 on the API and the page; another address signs up', { timeout: 120000 }, async (t) => {
  const s = await limited({ 'rate.signups_per_hour': 2 });
  t.after(() => s.stop());
  const c = new Client(s.server.url);
  const signUp = (name) => c.api('POST', '/users', { username: name, email: `${name}@example.com`, password });
  assert.equal((await signUp('first')).status, 201);
  assert.equal((await signUp('second')).status, 201);
  const third = await signUp('third');
  assertLimited(third, { seconds: 1800, action: 'sign-up' });
  const signedIn = await c.api('POST', '/session', { login: 'third', password });
  assert.equal(signedIn.status, 401, 'the refused account was not made');

  // The sign-up form says when to try again.
  const form = await c.request('GET', '/signup');
  const token = /name="csrf_token" value="([^"]+)"/.exec(form.text)[1];
  const page = await c.form('/signup', { username: 'fourth', email: 'fourth@example.com', password, csrf_token: token });
  assert.equal(page.status, 429);
  assert.match(page.text, /try again in \d+ seconds/);

  const elsewhere = await fromOtherAddress(s.server.url, 'POST', '/api/v1/users', {
    body: JSON.stringify({ username: 'fifth', email: 'fifth@example.com', password }),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(elsewhere.status, 201, 'the limit is per address: ' + elsewhere.text);
});

test('questions: rate.questions_per_hour per member, with the page saying when', { timeout: 120000 }, async (t) => {
  const s = await limited({ 'rate.questions_per_hour': 2 }, ['gail', 'hugo']);
  t.after(() => s.stop());
  const { gail, hugo } = s.clients;
  const ask = (who, n) => who.api('POST', '/questions', { title: `Question number ${n} about limits`, body: body(n), tags: ['limits'] });
  assert.equal((await ask(gail, 1)).status, 201);
  assert.equal((await ask(gail, 2)).status, 201);
  assertLimited(await ask(gail, 3), { seconds: 1800, action: 'questions' });
  const page = await gail.form('/questions/ask', { title: 'Question number 4 about limits', body: body(4), tags: 'limits', csrf_token: gail.csrf });
  assert.equal(page.status, 429);
  assert.match(page.text, /try again in \d+ seconds/);
  assert.equal((await ask(hugo, 5)).status, 201, 'another member is not held back');
  const list = await hugo.api('GET', '/questions?tag=limits');
  assert.equal(list.body.total, 3, 'the refused questions were not stored');
});

test('answers and comments: rate.answers_per_hour and rate.comments_per_hour per member', { timeout: 120000 }, async (t) => {
  const s = await limited({ 'rate.answers_per_hour': 3, 'rate.comments_per_hour': 2 }, ['ines', 'jack']);
  t.after(() => s.stop());
  const { ines, jack } = s.clients;
  const q = (await ines.api('POST', '/questions', { title: 'A question that draws answers', body: body(0), tags: ['limits'] })).body.id;
  for (let n = 1; n <= 3; n++) assert.equal((await jack.api('POST', `/questions/${q}/answers`, { body: body(n) })).status, 201);
  assertLimited(await jack.api('POST', `/questions/${q}/answers`, { body: body(4) }), { seconds: 1200, action: 'answers' });
  assert.equal((await ines.api('POST', `/questions/${q}/answers`, { body: body(5) })).status, 201, 'the asker may still answer');

  // Comments on one's own question need no privilege.
  for (let n = 1; n <= 2; n++) assert.equal((await ines.api('POST', `/posts/${q}/comments`, { body: body(10 + n) })).status, 201);
  assertLimited(await ines.api('POST', `/posts/${q}/comments`, { body: body(13) }), { seconds: 1800, action: 'comments' });
  const page = await refusedForm(ines, `/posts/${q}/comments`, { body: body(14), csrf_token: ines.csrf });
  assert.equal(page.status, 429);
  assert.match(page.text, /try again in \d+ seconds/);
  const thread = await jack.api('GET', `/questions/${q}`);
  assert.equal(thread.body.answer_count, 4);
  assert.equal(thread.body.comments.length, 2);
});

// A refused comment or vote form goes back to the thread (303), which shows the refusal once
// with its status, as a browser would land on it.
async function refusedForm(client, path, fields) {
  const posted = await client.form(path, fields);
  assert.equal(posted.status, 303, posted.text);
  return client.request('GET', posted.headers.get('location'));
}

test('votes and flags: rate.votes_per_hour and rate.flags_per_hour per member', { timeout: 120000 }, async (t) => {
  const s = await limited({ 'rate.votes_per_hour': 2, 'rate.flags_per_hour': 2, 'privilege.upvote': 1 }, ['kate', 'liam', 'mona']);
  t.after(() => s.stop());
  const { kate, liam, mona } = s.clients;
  const ids = [];
  for (let n = 1; n <= 3; n++) ids.push((await kate.api('POST', '/questions', { title: `Question ${n} to vote on and flag`, body: body(n), tags: ['limits'] })).body.id);
  assert.equal((await liam.api('POST', `/posts/${ids[0]}/vote`, { value: 1 })).status, 200);
  assert.equal((await liam.api('POST', `/posts/${ids[1]}/vote`, { value: 1 })).status, 200);
  assertLimited(await liam.api('POST', `/posts/${ids[2]}/vote`, { value: 1 }), { seconds: 1800, action: 'votes' });
  const votePage = await refusedForm(liam, `/posts/${ids[2]}/vote`, { value: '1', csrf_token: liam.csrf });
  assert.equal(votePage.status, 429);
  assert.match(votePage.text, /try again in \d+ seconds/);
  assert.equal((await mona.api('POST', `/posts/${ids[2]}/vote`, { value: 1 })).status, 200, 'another member votes on');
  assert.equal((await kate.api('GET', `/questions/${ids[2]}`)).body.score, 1, 'the refused vote was not counted');

  assert.equal((await liam.api('POST', `/posts/${ids[0]}/flags`, { reason: 'off_topic' })).status, 201);
  assert.equal((await liam.api('POST', `/posts/${ids[1]}/flags`, { reason: 'off_topic' })).status, 201);
  const flag = await liam.api('POST', `/posts/${ids[2]}/flags`, { reason: 'off_topic' });
  assert.equal(flag.status, 429, flag.text);
  const wait = Number(flag.headers.get('retry-after'));
  assert.ok(wait > 1600 && wait <= 1800, `Retry-After ${wait}`);
  assert.match(flag.body.error.message, /\(flag\); try again in \d+ seconds/);
  const flagPage = await liam.form(`/posts/${ids[2]}/flag`, { reason: 'off_topic', csrf_token: liam.csrf });
  assert.equal(flagPage.status, 429);
  assert.match(flagPage.text, /try again in \d+ seconds/);
  assert.equal((await mona.api('POST', `/posts/${ids[2]}/flags`, { reason: 'off_topic' })).status, 201, 'another member flags on');
});

test('posts: 60 an hour from one address, whichever members write them', { timeout: 120000 }, async (t) => {
  // No setting lowers this one: one member writes 10 questions, 30 answers and 20 comments,
  // each within that member's own limits; the next post from the address is refused.
  const s = await limited({}, ['nina', 'omar']);
  t.after(() => s.stop());
  const { nina, omar } = s.clients;
  const questions = [];
  for (let n = 0; n < 10; n++) {
    const r = await nina.api('POST', '/questions', { title: `Question ${n} of many from one address`, body: body(n), tags: ['limits'] });
    assert.equal(r.status, 201, r.text);
    questions.push(r.body.id);
  }
  for (let n = 0; n < 30; n++) {
    const r = await nina.api('POST', `/questions/${questions[n % 10]}/answers`, { body: body(100 + n) });
    assert.equal(r.status, 201, r.text);
  }
  for (let n = 0; n < 20; n++) {
    const r = await nina.api('POST', `/posts/${questions[n % 10]}/comments`, { body: body(200 + n) });
    assert.equal(r.status, 201, r.text);
  }
  assertLimited(await nina.api('POST', `/posts/${questions[0]}/comments`, { body: body(300) }), { seconds: 60, action: 'posts' });
  const other = await omar.api('POST', '/questions', { title: 'A question from a second member here', body: body(301), tags: ['limits'] });
  assertLimited(other, { seconds: 60, action: 'posts' });

  // The same member from another address posts on.
  const elsewhere = await fromOtherAddress(s.server.url, 'POST', '/api/v1/questions', {
    body: JSON.stringify({ title: 'A question from another address', body: body(302), tags: ['limits'] }),
    headers: { 'content-type': 'application/json', cookie: omar.cookieHeader(), 'x-csrf-token': omar.csrf },
  });
  assert.equal(elsewhere.status, 201, elsewhere.text);
});

test('the defaults are the README\'s numbers: sign-ups 10, questions 10, answers 30, comments 60, votes 120, flags 30 an hour, searches 120 a minute', { timeout: 120000 }, async (t) => {
  const s = await limited({ 'privilege.upvote': 1 }, ['pat', 'quin', 'ravi', 'sol']);
  t.after(() => s.stop());
  const { pat, quin, ravi, sol } = s.clients;
  // Everything that counts as a post also counts toward the address's 60 an hour: the
  // questions and answers come from another address than the comments.
  const elsewhere = async (who, path, payload) => {
    const r = await fromOtherAddress(s.server.url, 'POST', '/api/v1' + path, {
      body: JSON.stringify(payload),
      headers: { 'content-type': 'application/json', cookie: who.cookieHeader(), 'x-csrf-token': who.csrf },
    });
    return { status: r.status, headers: { get: (h) => r.headers[h] }, body: JSON.parse(r.text), text: r.text };
  };
  const until = async (n, attempt) => {
    for (let i = 0; i < n; i++) {
      const r = await attempt(i);
      assert.ok(r.status === 200 || r.status === 201, `attempt ${i + 1} of ${n}: ${r.text}`);
    }
    return attempt(n);
  };

  const anon = new Client(s.server.url);
  assertLimited(await until(10, (i) => anon.api('POST', '/users', { username: `newbie${i}`, email: `newbie${i}@example.com`, password })), { seconds: 360, action: 'sign-up' });
  const questions = [];
  assertLimited(await until(10, async (i) => {
    const r = await elsewhere(pat, '/questions', { title: `Default limit question ${i} here`, body: body(i), tags: ['limits'] });
    if (r.status === 201) questions.push(r.body.id);
    return r;
  }), { seconds: 360, action: 'questions' });
  const answers = [];
  assertLimited(await until(30, async (i) => {
    const r = await elsewhere(quin, `/questions/${questions[i % 10]}/answers`, { body: body(100 + i) });
    if (r.status === 201) answers.push(r.body.id);
    return r;
  }), { seconds: 120, action: 'answers' });
  assertLimited(await until(60, (i) => pat.api('POST', `/posts/${questions[i % 10]}/comments`, { body: body(200 + i) })), { seconds: 60, action: 'comments' });
  assertLimited(await until(120, (i) => ravi.api('POST', `/posts/${questions[0]}/vote`, { value: i % 2 })), { seconds: 30, action: 'votes' });
  // A post takes one flag from each member: thirty answers, then one of the questions.
  const targets = [...answers, questions[0]];
  const flagged = await until(30, (i) => sol.api('POST', `/posts/${targets[i]}/flags`, { reason: 'off_topic' }));
  assert.equal(flagged.status, 429, flagged.text);
  const wait = Number(flagged.headers.get('retry-after'));
  assert.ok(wait > 108 && wait <= 120, `Retry-After ${wait}`);
  // Searches: a burst of 120, and a token back every half second while the burst runs.
  const started = Date.now();
  let served = 0;
  let searched;
  while (served < 1000) {
    searched = await anon.request('GET', `/api/v1/search?q=default+limit+${served}`);
    if (searched.status !== 200) break;
    served++;
  }
  const refilled = Math.ceil((Date.now() - started) / 500);
  assert.equal(searched.status, 429, searched.text);
  assert.ok(served >= 120 && served <= 120 + refilled, `${served} searches served in a burst, ${refilled} tokens refilled meanwhile`);
  assert.equal(searched.headers.get('retry-after'), '1', 'half a second, rounded up');
});
