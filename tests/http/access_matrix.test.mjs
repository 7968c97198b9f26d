// Every endpoint × every kind of caller: only the cells the product allows succeed. Each
// cell acts on objects made for it, so that no cell's outcome depends on another's.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { startServer, freshDataDir, peerdesk, createAccount, Client } from '../support/server.mjs';

const roles = ['anonymous', 'owner', 'other', 'moderator', 'admin', 'suspended'];
const password = 'correct horse battery staple';
let server, clients, owner, n = 0;
const unique = () => `${Date.now().toString(36)}${++n}`;

before(async () => {
  const dir = await freshDataDir();
  await createAccount(dir, 'theadmin', 'admin', password);
  await createAccount(dir, 'themod', 'moderator', password);
  // Voting and commenting open to every member, so that "other" is refused for ownership,
  // not for want of reputation; editing others' posts stays a privilege.
  for (const key of ['privilege.upvote', 'privilege.comment', 'privilege.downvote'])
    await peerdesk(['settings', 'set', key, '1', '--data', dir]);
  server = await startServer({ dataDir: dir });
  clients = { anonymous: new Client(server.url) };
  for (const role of ['owner', 'other', 'suspended']) {
    clients[role] = new Client(server.url);
    await clients[role].signUp(`${role}${unique()}`, password);
  }
  clients.moderator = new Client(server.url);
  await clients.moderator.signIn('themod', password);
  clients.admin = new Client(server.url);
  await clients.admin.signIn('theadmin', password);
  owner = clients.owner;
  const s = await clients.moderator.api('POST', `/users/${clients.suspended.user.id}/suspend`, { days: 7, reason: 'matrix test' });
  assert.equal(s.status, 200, s.text);
});
after(async () => {
  await server?.stop();
  assert.deepEqual(server.errors, []);
});

// Objects each cell needs, made fresh by their author.
async function question(by = owner) {
  const r = await by.api('POST', '/questions', { title: `Matrix question ${unique()} about printers`, body: 'How do I make the printer print?', tags: ['matrix'] });
  assert.equal(r.status, 201, r.text);
  return r.body;
}
async function answer(q, by = clients.other) {
  const r = await by.api('POST', `/questions/${q.id}/answers`, { body: `Answer ${unique()}: turn it off and on again.` });
  assert.equal(r.status, 201, r.text);
  return r.body;
}
async function comment(post, by = owner) {
  const r = await by.api('POST', `/posts/${post.id}/comments`, { body: `A comment ${unique()} asking for the model number.` });
  assert.equal(r.status, 201, r.text);
  return r.body;
}
async function reviewItem() {
  const q = await question();
  const r = await clients.other.api('POST', `/posts/${q.id}/flags`, { reason: 'needs_improvement', note: 'unclear' });
  assert.equal(r.status, 201, r.text);
  const queue = await clients.moderator.api('GET', '/review');
  return queue.body.items.find((i) => i.post_id === q.id || i.post?.id === q.id) || queue.body.items[0];
}
async function widgetKey() {
  const r = await clients.admin.api('POST', '/admin/widget-keys', { name: `k${unique()}`, allowed_origins: ['https://help.example.com'] });
  assert.equal(r.status, 201, r.text);
  return r.body;
}
async function idea(by = clients.admin) {
  const r = await by.api('POST', '/ideas', { title: `Matrix idea ${unique()} for printers`, body: 'Printers could print on both sides.', tags: ['matrix'] });
  assert.equal(r.status, 201, r.text);
  return r.body;
}
// An idea by a fresh member that every writer has voted for.
async function votedIdea() {
  const author = new Client(server.url);
  await author.signUp(`author${unique()}`, password);
  const i = await idea(author);
  for (const role of writers) assert.equal((await clients[role].api('POST', `/ideas/${i.id}/vote`)).status, 200);
  return i;
}
const made = {};
async function target() {
  const c = new Client(server.url);
  await c.signUp(`target${unique()}`, password);
  return c.user;
}

const everyone = roles;
const members = ['owner', 'other', 'moderator', 'admin', 'suspended'];
const writers = ['owner', 'other', 'moderator', 'admin'];
const staff = ['moderator', 'admin'];
const ownerOrStaff = ['owner', 'moderator', 'admin'];

// method, path, body, who may; setup makes what the path and body refer to.
const endpoints = [
  ['GET', () => '/questions', null, everyone],
  ['GET', async () => `/questions/${(await question()).id}`, null, everyone],
  ['GET', async () => `/posts/${(await question()).id}/revisions`, null, everyone],
  ['GET', async () => `/questions/${(await question()).id}/similar`, null, everyone],
  ['GET', () => `/users/${owner.user.id}`, null, everyone],
  ['GET', () => `/users/${owner.user.id}/reputation`, null, everyone],
  ['GET', () => '/tags', null, everyone],
  ['GET', () => '/search?q=printer', null, everyone],
  ['GET', () => '/similar?title=printer', null, everyone],
  ['POST', () => '/preview', () => ({ body: '*hello*' }), everyone],
  ['GET', () => '/me', null, members],
  ['POST', () => '/tokens', () => ({ name: 'script' }), members],
  ['POST', () => '/questions', () => ({ title: `New question ${unique()} about scanners`, body: 'The scanner does not scan.', tags: ['matrix'] }), writers],
  ['PATCH', async () => `/questions/${(await question()).id}`, () => ({ body: `Edited body ${unique()}, with the model number.`, summary: 'details' }), ownerOrStaff],
  ['POST', async () => `/questions/${(await question()).id}/answers`, () => ({ body: `Another answer ${unique()}: check the cable.` }), writers],
  ['PATCH', async () => `/answers/${(await answer(await question(), owner)).id}`, () => ({ body: `Edited answer ${unique()}: check the power cable.`, summary: 'more detail' }), ownerOrStaff],
  ['POST', async () => `/answers/${(await answer(await question())).id}/accept`, null, ownerOrStaff],
  ['DELETE', async () => {
    const q = await question();
    const a = await answer(q);
    assert.equal((await owner.api('POST', `/answers/${a.id}/accept`)).status, 200);
    return `/answers/${a.id}/accept`;
  }, null, ownerOrStaff],
  ['POST', async () => `/posts/${(await question(clients.admin)).id}/comments`, () => ({ body: `A comment ${unique()} on the thread.` }), writers],
  ['POST', async () => `/posts/${(await question(clients.admin)).id}/vote`, () => ({ value: 1 }), ['owner', 'other', 'moderator']],
  ['POST', async () => `/posts/${(await question(clients.admin)).id}/flags`, () => ({ reason: 'needs_improvement', note: 'unclear' }), ['owner', 'other', 'moderator']],
  ['POST', async () => `/comments/${(await comment(await question(clients.admin), clients.admin)).id}/flags`, () => ({ reason: 'rude' }), ['owner', 'other', 'moderator']],
  ['DELETE', async () => `/posts/${(await question()).id}`, null, ownerOrStaff],
  ['PATCH', async () => `/comments/${(await comment(await question(clients.admin))).id}`, () => ({ body: `An edited comment ${unique()} with the model.` }), ['owner']],
  ['DELETE', async () => `/comments/${(await comment(await question(clients.admin))).id}`, null, ownerOrStaff],
  ['POST', async () => {
    const c = await comment(await question(clients.admin));
    assert.equal((await clients.moderator.api('DELETE', `/comments/${c.id}`)).status, 204);
    return `/comments/${c.id}/undelete`;
  }, null, staff],
  ['POST', async () => {
    const q = await question();
    assert.equal((await clients.moderator.api('DELETE', `/posts/${q.id}`)).status, 204);
    return `/posts/${q.id}/undelete`;
  }, null, staff],
  ['POST', async () => `/questions/${(await question()).id}/close`, () => ({ reason: 'off_topic' }), staff],
  ['POST', async () => {
    const q = await question();
    assert.equal((await clients.moderator.api('POST', `/questions/${q.id}/close`, { reason: 'off_topic' })).status, 200);
    return `/questions/${q.id}/reopen`;
  }, null, staff],
  ['POST', async () => `/questions/${(await question()).id}/lock`, null, staff],
  ['POST', async () => `/questions/${(await question()).id}/unlock`, null, staff],
  ['POST', async () => `/questions/${(await question()).id}/pin`, null, staff],
  ['POST', async () => `/questions/${(await question()).id}/unpin`, null, staff],
  ['POST', async () => `/answers/${(await answer(await question())).id}/endorse`, null, staff],
  ['DELETE', async () => `/answers/${(await answer(await question())).id}/endorse`, null, staff],
  ['GET', () => '/review', null, staff],
  ['POST', async () => `/review/${(await reviewItem()).id}`, () => ({ action: 'dismiss', note: 'fine' }), staff],
  ['POST', async () => `/users/${(await target()).id}/suspend`, () => ({ days: 1, reason: 'testing' }), staff],
  ['POST', async () => `/users/${(await target()).id}/silence`, () => ({ reason: 'testing' }), staff],
  ['POST', async () => `/users/${(await target()).id}/unsuspend`, null, staff],
  ['GET', () => '/audit', null, staff],
  ['GET', () => '/notifications', null, members],
  ['POST', () => '/notifications/read', () => ({ all: true }), members],
  ['GET', () => '/me/preferences', null, members],
  ['PATCH', () => '/me/preferences', () => ({ comment: 'inbox' }), members],
  ['GET', () => '/me/following', null, members],
  ['POST', async () => `/questions/${(await question(clients.admin)).id}/follow`, null, members],
  ['DELETE', async () => `/questions/${(await question(clients.admin)).id}/follow`, null, members],
  ['POST', async () => { await question(); return '/tags/matrix/follow'; }, null, members],
  ['DELETE', async () => { await question(); return '/tags/matrix/follow'; }, null, members],
  ['POST', async () => `/users/${(await target()).id}/follow`, null, members],
  ['DELETE', async () => `/users/${(await target()).id}/follow`, null, members],
  ['GET', () => '/usernames?prefix=ow', null, members],
  ['GET', () => '/ideas', null, everyone],
  ['GET', async () => `/ideas/${(await idea()).id}`, null, everyone],
  ['GET', () => '/ideas/similar?title=printer', null, everyone],
  ['POST', () => '/ideas', () => ({ title: `New idea ${unique()} about scanners`, body: 'Scanners could send to e-mail.', tags: ['matrix'] }), writers],
  // The admin proposed it: no vote for one's own idea.
  ['POST', async () => `/ideas/${(await idea()).id}/vote`, null, ['owner', 'other', 'moderator']],
  ['DELETE', async () => `/ideas/${(await votedIdea()).id}/vote`, null, writers],
  ['POST', async () => `/ideas/${(await idea()).id}/status`, () => ({ status: 'planned', response: 'We will build it.' }), staff],
  // Bodies naming what the path's setup made for the cell.
  ['POST', async () => { made.into = (await idea()).id; return `/ideas/${(await idea()).id}/merge`; }, () => ({ into: made.into }), staff],
  ['POST', async () => { made.question = (await question()).id; return `/ideas/${(await idea()).id}/links`; }, () => ({ question_id: made.question }), ownerOrStaff],
  ['POST', async () => `/ideas/${(await idea()).id}/follow`, null, members],
  ['DELETE', async () => `/ideas/${(await idea()).id}/follow`, null, members],
  ['PUT', () => '/drafts/ask', () => ({ title: 'Half a title', body: 'Half a question' }), members],
  ['DELETE', () => '/drafts/ask', null, members],
  ['PATCH', async () => { await question(); return '/tags/matrix'; }, () => ({ description: `Printers and scanners ${unique()}` }), staff],
  ['POST', async () => { await question(); return '/tags/matrix/synonyms'; }, () => ({ name: `syn${unique()}` }), staff],
  ['GET', () => '/admin/searches', null, ['admin']],
  ['POST', () => '/admin/widget-keys', () => ({ name: 'help site', allowed_origins: ['https://help.example.com'] }), ['admin']],
  ['GET', () => '/admin/widget-keys', null, ['admin']],
  ['PATCH', async () => `/admin/widget-keys/${(await widgetKey()).id}`, () => ({ enabled: false }), ['admin']],
  ['POST', async () => `/admin/widget-keys/${(await widgetKey()).id}/rotate`, null, ['admin']],
  ['GET', async () => `/admin/widget-keys/${(await widgetKey()).id}/usage`, null, ['admin']],
  ['GET', () => '/users?sort=newest', null, everyone],
  ['GET', () => `/users/${owner.user.id}/badges`, null, everyone],
  ['GET', () => '/badges', null, everyone],
  ['GET', () => '/badges/1', null, everyone],
  ['GET', () => '/admin/settings', null, ['admin']],
  ['PATCH', () => '/admin/settings', () => ({ 'rate.votes_per_hour': 120 }), ['admin']],
  ['PUT', async () => `/users/${(await target()).id}/role`, () => ({ role: 'moderator' }), ['admin']],
  ['GET', () => '/admin/insights', null, ['moderator', 'admin']],
  ['POST', () => '/admin/searches/forget', () => ({ query: 'matrix search' }), ['admin']],
];

for (const [method, path, body, allowed] of endpoints) {
  const literals = [...path.toString().matchAll(/[`'](\/[^`']*)[`']/g)].map((m) => m[1]);
  const name = `${method} ${literals.at(-1).replace(/\$\{[^}]*\}+[^/]*/g, '{id}')}`;
  test(`${name}: allowed for ${allowed.length === roles.length ? 'everyone' : allowed.join(', ')}`, async () => {
    const outcome = {};
    for (const role of roles) {
      const p = await path();
      const r = await clients[role].api(method, p, body ? body() : undefined);
      outcome[role] = r.status;
      if (allowed.includes(role)) {
        assert.ok(r.status >= 200 && r.status < 300, `${role} may ${method} ${p}: got ${r.status} ${r.text.slice(0, 200)}`);
      } else {
        const expected = role === 'anonymous' ? 401 : 403;
        assert.equal(r.status, expected, `${role} may not ${method} ${p}: got ${r.status} ${r.text.slice(0, 200)}`);
        assert.match(r.body.error.message, /\w/, 'the refusal says why');
      }
    }
  });
}

test('others\' private objects are out of reach: held and deleted posts, review items, audit rows, tokens', async () => {
  // A deleted question: gone for everyone but its moderators.
  const q = await question();
  assert.equal((await clients.moderator.api('DELETE', `/posts/${q.id}`)).status, 204);
  for (const role of ['anonymous', 'other', 'suspended']) {
    assert.equal((await clients[role].api('GET', `/questions/${q.id}`)).status, 404, `${role} cannot read a deleted question`);
    assert.equal((await clients[role].request('GET', `/questions/${q.id}`)).status, 404, `${role} cannot open its page`);
  }
  // A held post (a new member's post with links waits for a moderator) is read in the review
  // queue, and by nobody else until it is approved.
  const newcomer = new Client(server.url);
  await newcomer.signUp(`newcomer${unique()}`, password);
  const held = await newcomer.api('POST', '/questions', { title: `Held question ${unique()} about routers`, body: 'See https://a.example/x and https://b.example/y for the router.', tags: ['matrix'] });
  assert.equal(held.status, 202, held.text);
  for (const role of ['anonymous', 'other', 'suspended'])
    assert.equal((await clients[role].api('GET', `/questions/${held.body.id}`)).status, 404, `${role} cannot read a held question`);
  const queue = await clients.moderator.api('GET', '/review');
  assert.ok(queue.text.includes(`Held question`), 'moderators find it in the review queue');
  // Review items and the audit log, by id or by page.
  const item = await reviewItem();
  for (const role of ['anonymous', 'owner', 'other', 'suspended']) {
    const page = await clients[role].request('GET', '/review');
    assert.ok([302, 303, 403].includes(page.status), `${role}: review page ${page.status}`);
    assert.doesNotMatch(page.text, /review-page|unclear/, `${role} sees no queue and no flag note`);
    const audit = await clients[role].request('GET', '/audit');
    assert.ok([302, 303, 403].includes(audit.status), `${role}: audit page ${audit.status}`);
    assert.doesNotMatch(audit.text, /audit-page|"action"/, `${role} sees no audit row`);
    assert.equal((await clients[role].api('POST', `/review/${item.id}`, { action: 'approve' })).status, role === 'anonymous' ? 401 : 403);
    assert.equal((await clients[role].api('GET', '/audit?target=' + q.id)).status, role === 'anonymous' ? 401 : 403);
  }
  // API tokens are shown once and stored hashed: no endpoint lists or returns them again.
  const made = await clients.other.api('POST', '/tokens', { name: 'mine' });
  assert.equal(made.status, 201);
  const me = await clients.other.api('GET', '/me');
  assert.ok(!me.text.includes(made.body.token), 'the token is not shown again');
  const admin = await clients.admin.api('GET', `/users/${clients.other.user.id}`);
  assert.ok(!admin.text.includes(made.body.token) && !/"email"/.test(admin.text), 'not even to an admin; no email either');
  // Another member's email never shows on their public profile or in the API.
  const profile = await clients.anonymous.request('GET', `/users/${clients.other.user.id}`);
  assert.ok(!profile.text.includes('@example.com'), 'no email on the profile page');
});
