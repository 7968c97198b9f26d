// The HTML pages and their forms, as a browser without JavaScript uses them.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { startServer, Client, setCookies } from '../support/server.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => {
  await server?.stop();
  assert.deepEqual(server.errors, [], 'the server logged no errors');
});

function csrfFrom(html) {
  return /name="csrf_token" value="([^"]+)"/.exec(html)[1];
}

test('sign up, ask, answer and accept through the forms alone', async () => {
  const alice = new Client(server.url);
  const signupPage = await alice.request('GET', '/signup');
  assert.equal(signupPage.status, 200);
  const token = csrfFrom(signupPage.text);
  const signedUp = await alice.form('/signup', { csrf_token: token, username: 'alice', email: 'alice@example.com', password: 'correct horse battery', next: '/questions/ask' });
  assert.equal(signedUp.status, 303);
  assert.equal(signedUp.headers.get('location'), '/questions/ask');
  const cookie = setCookies(signedUp.headers).find((c) => c.startsWith('peerdesk_session='));
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);

  const askPage = await alice.request('GET', '/questions/ask');
  assert.equal(askPage.status, 200);
  const csrf = csrfFrom(askPage.text);

  // A bad form comes back with the message and what was typed.
  const bad = await alice.form('/questions/ask', { csrf_token: csrf, title: 'Too short', body: 'A body that is long enough to pass.', tags: 'forms' });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /The title must be at least 15 characters; it has 9\./);
  assert.match(bad.text, /A body that is long enough to pass\./);
  assert.match(bad.text, /aria-invalid="true"/);

  const asked = await alice.form('/questions/ask', { csrf_token: csrf, title: 'How do I reset my password by email?', body: 'The **reset** link never arrives.', tags: 'account email' });
  assert.equal(asked.status, 303);
  const url = asked.headers.get('location');
  assert.match(url, /^\/questions\/\d+$/);

  const bob = new Client(server.url);
  await bob.signUp('bob');
  const pageForBob = await bob.request('GET', url);
  assert.match(pageForBob.text, /<strong>reset<\/strong>/);
  const answered = await bob.form(url + '/answers', { csrf_token: csrfFrom(pageForBob.text), body: 'Check the spam folder, then ask support to resend.' });
  assert.equal(answered.status, 303);
  const answerId = /#answer-(\d+)/.exec(answered.headers.get('location'))[1];

  const emptyAnswer = await bob.form(url + '/answers', { csrf_token: csrfFrom(pageForBob.text), body: 'meh' });
  assert.equal(emptyAnswer.status, 422);
  assert.match(emptyAnswer.text, /The body must be at least 20 characters; it has 3\./);

  const pageForAlice = await alice.request('GET', url);
  assert.match(pageForAlice.text, new RegExp(`action="/answers/${answerId}/accept"`));
  assert.doesNotMatch(pageForBob.text, /action="\/answers\/\d+\/accept"/, 'only the asker sees Accept');
  const accepted = await alice.form(`/answers/${answerId}/accept`, { csrf_token: csrf, action: 'accept' });
  assert.equal(accepted.status, 303);
  const after = await alice.request('GET', url);
  assert.match(after.text, /Accepted answer/);

  const list = await alice.request('GET', '/questions');
  assert.match(list.text, /How do I reset my password by email\?/);
  assert.match(list.text, /stat answers some accepted/);

  const profile = await alice.request('GET', `/users/${bob.user.id}`);
  assert.match(profile.text, /class="reputation">16</);
  assert.match(profile.text, /answer accepted/);
});

test('forms without the CSRF token are refused and change nothing', async () => {
  const c = new Client(server.url);
  await c.signUp('mallory');
  const before = (await c.api('GET', '/questions')).body.total;
  const r = await c.form('/questions/ask', { title: 'A forged question from elsewhere', body: 'Posted by another site on my behalf.', tags: 'csrf' });
  assert.equal(r.status, 403);
  assert.match(r.text, /came from another site/);
  const wrong = await c.form('/questions/ask', { csrf_token: 'not-the-token', title: 'A forged question from elsewhere', body: 'Posted by another site on my behalf.', tags: 'csrf' });
  assert.equal(wrong.status, 403);
  assert.equal((await c.api('GET', '/questions')).body.total, before);

  const anonymous = new Client(server.url);
  const noCookie = await anonymous.form('/signin', { login: 'mallory', password: 'correct horse battery staple' });
  assert.equal(noCookie.status, 403);
});

test('signed-out visitors are sent to sign in, and sign-in returns them only to this site', async () => {
  const c = new Client(server.url);
  const ask = await c.request('GET', '/questions/ask');
  assert.equal(ask.status, 303);
  assert.equal(ask.headers.get('location'), '/signin?next=%2Fquestions%2Fask');
  await (new Client(server.url)).signUp('returner');
  // A signed-out vote goes to sign in, and from there back to the question, not to the form's address.
  const asker = new Client(server.url);
  await asker.signUp('voted-on');
  const q = (await asker.api('POST', '/questions', { title: 'A question a visitor wants to vote on', body: 'Visitors see the vote buttons too.', tags: ['votes'] })).body;
  const vote = await c.form(`/posts/${q.id}/vote`, { value: '1' });
  assert.equal(vote.status, 303);
  assert.equal(vote.headers.get('location'), `/signin?next=%2Fquestions%2F${q.id}`);
  const page = await c.request('GET', '/signin?next=//evil.example/');
  const signedIn = await c.form('/signin', { csrf_token: csrfFrom(page.text), login: 'returner', password: 'correct horse battery staple', next: '//evil.example/' });
  assert.equal(signedIn.status, 303);
  assert.equal(signedIn.headers.get('location'), '/');
  const d = new Client(server.url);
  const fresh = await d.request('GET', '/signin');
  const wrong = await d.form('/signin', { csrf_token: csrfFrom(fresh.text), login: 'returner', password: 'nope nope nope' });
  assert.equal(wrong.status, 401);
  assert.match(wrong.text, /do not match/);
});

test('tag pages, the tag list and user pages render; unknown ones are 404 pages', async () => {
  const c = new Client(server.url);
  await c.signUp('tagger');
  await c.api('POST', '/questions', { title: 'Question for the tag page test', body: 'Tags should list this question.', tags: ['c++', 'tag-page'] });
  const tags = await c.request('GET', '/tags');
  assert.match(tags.text, /href="\/tags\/c%2B%2B"/);
  const tag = await c.request('GET', '/tags/c%2B%2B');
  assert.equal(tag.status, 200);
  assert.match(tag.text, /Question for the tag page test/);
  assert.equal((await c.request('GET', '/tags/no-such-tag')).status, 404);
  assert.equal((await c.request('GET', '/users/424242')).status, 404);
  const sorted = await c.request('GET', '/questions?sort=unanswered');
  assert.match(sorted.text, /aria-current="page" class="current">Unanswered/);
});

test('edits through the form keep revisions, and the revisions page shows who changed what', async () => {
  const c = new Client(server.url);
  await c.signUp('editor');
  const q = (await c.api('POST', '/questions', { title: 'Original title for the edit test', body: 'The original body of the question.', tags: ['edits'] })).body;
  const form = await c.request('GET', `/posts/${q.id}/edit`);
  assert.equal(form.status, 200);
  const saved = await c.form(`/posts/${q.id}/edit`, { csrf_token: csrfFrom(form.text), title: 'Improved title for the edit test', body: 'The improved body of the question.', tags: 'edits', summary: 'made it clearer' });
  assert.equal(saved.status, 303);
  const revisions = await c.request('GET', `/posts/${q.id}/revisions`);
  assert.match(revisions.text, /Revision 2/);
  assert.match(revisions.text, /made it clearer/);
  assert.match(revisions.text, /class="line removed">− The original body of the question\./);
  assert.match(revisions.text, /class="line added">\+ The improved body of the question\./);
  assert.match(revisions.text, /<del>Original title for the edit test<\/del> → <ins>Improved title for the edit test<\/ins>/);
  const other = new Client(server.url);
  await other.signUp('stranger');
  const refused = await other.request('GET', `/posts/${q.id}/edit`);
  assert.equal(refused.status, 403);
  assert.match(refused.text, /Editing other people&#39;s posts needs 2000 reputation/);
});

test('the question list pages by 30, with links to the next and previous pages', async () => {
  const c = new Client(server.url);
  await c.signUp('pager');
  for (let i = 0; i < 31; i++) {
    const r = await c.api('POST', '/questions', { title: `Paged question number ${i} for the list`, body: 'Enough questions for two pages.', tags: ['paging'] });
    assert.equal(r.status, 201);
  }
  const first = await c.request('GET', '/tags/paging');
  assert.match(first.text, /Page 1 of 2/);
  assert.equal((first.text.match(/class="summary"/g) || []).length, 30);
  const next = /rel="next" href="([^"]+)"/.exec(first.text)[1].replaceAll('&amp;', '&');
  const second = await c.request('GET', next);
  assert.match(second.text, /Page 2 of 2/);
  assert.match(second.text, /Paged question number 0 for the list/);
  assert.match(second.text, /rel="prev"/);
  assert.doesNotMatch(second.text, /rel="next"/);
});
