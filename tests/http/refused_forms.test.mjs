// A refused comment form is answered at the thread's address (POST, redirect, GET), so that a
// reload sends nothing again; the message and what was typed are shown once. Flags lead back
// to the thread, and a comment flag needs a reason chosen, as a post flag does.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { startWithThread, Client, setCookies } from '../support/server.mjs';

let server, alice, bob, q, a;
before(async () => {
  ({ server, alice, bob, q, a } = await startWithThread());
});
after(async () => {
  await server.stop();
  assert.deepEqual(server.errors, []);
});

const csrfFrom = (html) => /name="csrf_token" value="([^"]+)"/.exec(html)[1];

test('a refused comment redirects to the thread, shows the message and the text once, then is gone', async () => {
  const sent = await alice.form(`/posts/${a.id}/comments`, { csrf_token: alice.csrf, body: 'no' });
  assert.equal(sent.status, 303);
  assert.equal(sent.headers.get('location'), `/questions/${q.id}#add-comment-${a.id}`);
  const flash = setCookies(sent.headers).find((c) => c.startsWith('peerdesk_flash='));
  assert.match(flash, new RegExp(`Path=/questions/${q.id};`));
  assert.match(flash, /HttpOnly/);
  assert.match(flash, /Max-Age=\d+/);

  const shown = await alice.request('GET', `/questions/${q.id}`);
  assert.equal(shown.status, 422, 'the page that shows the refusal says so in its status');
  // The comment form is open again (the page has no other), with the message and the text.
  assert.match(shown.text, new RegExp(`<form method="post" action="/posts/${a.id}/comments" class="comment-form comment-box open-form" id="add-comment-${a.id}">`));
  assert.match(shown.text, /<p class="error" role="alert" id="comment-\d+-error">[^<]*characters/);
  assert.match(shown.text, />no<\/textarea>/);
  const again = await alice.request('GET', `/questions/${q.id}`);
  assert.equal(again.status, 200, 'a reload shows the thread as it is');
  assert.doesNotMatch(again.text, /class="error"/);
});

test('a carried refusal is only shown to the session that made it', async () => {
  const sent = await alice.form(`/posts/${a.id}/comments`, { csrf_token: alice.csrf, body: 'no' });
  const value = setCookies(sent.headers).find((c) => c.startsWith('peerdesk_flash=')).split(';')[0];
  const mallory = new Client(server.url);
  await mallory.signUp('mallory');
  const r = await mallory.request('GET', `/questions/${q.id}`, { headers: { cookie: `${mallory.cookieHeader()}; ${value}` } });
  assert.equal(r.status, 200);
  assert.doesNotMatch(r.text, /class="error"/);
  await alice.request('GET', `/questions/${q.id}`);
});

test('a comment flag has no reason chosen in advance, and without one is refused with a clear 422', async () => {
  const comment = (await alice.api('POST', `/posts/${a.id}/comments`, { body: 'Does this also work on the phone app?' })).body.id;
  const page = await bob.request('GET', `/questions/${q.id}?flag_comment=${comment}`);
  const form = new RegExp(`<form method="post" action="/comments/${comment}/flag"[\\s\\S]*?</form>`).exec(page.text)[0];
  assert.doesNotMatch(form, /\b(selected|checked)\b/, 'nothing is chosen for the flagger');
  assert.match(form, /type="radio" name="reason" value="spam" required/);
  const refused = await bob.form(`/comments/${comment}/flag`, { csrf_token: csrfFrom(page.text), note: '' });
  assert.equal(refused.status, 422);
  assert.match(refused.text, /Choose what is wrong/);
  const api = await bob.api('POST', `/comments/${comment}/flags`, {});
  assert.equal(api.status, 422);
  assert.equal(api.body.error.field, 'reason');
});

test('after flagging, the way back leads to the thread at the flagged post or comment', async () => {
  const comment = (await alice.api('POST', `/posts/${a.id}/comments`, { body: 'A comment that someone will flag.' })).body.id;
  const flaggedComment = await bob.form(`/comments/${comment}/flag`, { csrf_token: bob.csrf, reason: 'off_topic' });
  assert.equal(flaggedComment.status, 201);
  assert.match(flaggedComment.text, new RegExp(`<a href="/questions/${q.id}#comment-${comment}">Back to the thread</a>`));
  const flaggedAnswer = await alice.form(`/posts/${a.id}/flag`, { csrf_token: alice.csrf, reason: 'needs_improvement' });
  assert.equal(flaggedAnswer.status, 201);
  assert.match(flaggedAnswer.text, new RegExp(`<a href="/questions/${q.id}#answer-${a.id}">Back to the thread</a>`));
  const flaggedQuestion = await bob.form(`/posts/${q.id}/flag`, { csrf_token: bob.csrf, reason: 'off_topic' });
  assert.match(flaggedQuestion.text, new RegExp(`<a href="/questions/${q.id}#post-${q.id}">Back to the thread</a>`));
  assert.doesNotMatch(flaggedQuestion.text, /Back to the questions/);
});

test('a refused vote or acceptance from a form also lands on the thread, with the reason at the top', async () => {
  const vote = await bob.form(`/posts/${q.id}/vote`, { csrf_token: bob.csrf, value: '1' });
  assert.equal(vote.status, 303);
  assert.equal(vote.headers.get('location'), `/questions/${q.id}`);
  const shown = await bob.request('GET', `/questions/${q.id}`);
  assert.equal(shown.status, 403);
  assert.match(shown.text, /<p class="notice error" role="alert">[^<]*needs 15 reputation; you have 1\.<\/p>/);
  assert.equal((await bob.request('GET', `/questions/${q.id}`)).status, 200, 'once');

  const accept = await bob.form(`/answers/${a.id}/accept`, { csrf_token: bob.csrf, action: 'accept' });
  assert.equal(accept.status, 303);
  const refused = await bob.request('GET', `/questions/${q.id}`);
  assert.equal(refused.status, 403);
  assert.match(refused.text, /<p class="notice error" role="alert">[^<]+<\/p>/);
});
