// Notifications, following, preferences and mentions against the real server: who is told of
// what, what the inbox shows (and stops showing when a post goes), the bell, the API's bad input.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { Client, ask, answer, eventually } from '../support/server.mjs';
import { startCommunity } from '../support/community.mjs';
import { membersSettled } from '../support/members.mjs';

let server, dir, mod, alice, bob, carol, dave;

before(async () => {
  let clients;
  ({ dir, server, clients } = await startCommunity({
    staff: { mod: 'moderator' },
    // Newcomers may vote and comment everywhere here, so that reputation and replies can be shown.
    settings: { 'privilege.upvote': 0, 'privilege.comment': 0 },
    members: ['alice', 'bob', 'carol', 'dave'],
  }));
  ({ mod, alice, bob, carol, dave } = clients);
});
after(async () => {
  await server?.stop();
});

const inbox = async (who, query = '') => {
  const r = await who.api('GET', '/notifications' + query);
  assert.equal(r.status, 200, r.text);
  return r.body;
};
const kinds = (list) => list.items.map((n) => n.kind);
let titles = 0;
const title = (what) => `${what}: a question about the router, number ${++titles}`;

test('an answer tells the asker, with a link to the exact answer; never the actor', async () => {
  const q = await ask(alice, title('answered'));
  // A first question earns a badge, told a moment later: counted before the answer comes.
  await membersSettled(server);
  const before = (await inbox(alice)).unread;
  const a = await answer(bob, q);
  const box = await inbox(alice);
  const n = box.items.find((x) => x.kind === 'answer' && x.post_id === a);
  assert.ok(n, JSON.stringify(box));
  assert.equal(n.actor.username, 'bob');
  assert.equal(n.question_id, q);
  assert.equal(n.url, `/questions/${q}#answer-${a}`);
  assert.equal(n.read, false);
  assert.match(n.text, /bob answered your question/);
  assert.match(n.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(box.unread, before + 1);
  // The asker answering their own question tells nobody.
  const mine = await answer(alice, q, 'I found it myself: the switch on the back.');
  assert.ok(!(await inbox(alice)).items.some((x) => x.post_id === mine));
  // The page the link leads to has the answer at that anchor.
  const page = await alice.request('GET', `/questions/${q}`);
  assert.match(page.text, new RegExp(`id="answer-${a}"`));
});

test('comments, replies, acceptance and reputation reach the right member', async () => {
  const q = await ask(alice, title('thread'));
  const a = await answer(bob, q);
  const comment = await alice.api('POST', `/posts/${a}/comments`, { body: 'Which button do you mean exactly?' });
  assert.equal(comment.status, 201, comment.text);
  const reply = await carol.api('POST', `/posts/${a}/comments`, { body: 'The small one next to the power plug.', reply_to: comment.body.id });
  assert.equal(reply.status, 201, reply.text);
  const bobs = await inbox(bob);
  assert.ok(bobs.items.some((n) => n.kind === 'comment' && n.comment_id === comment.body.id && n.actor.username === 'alice'));
  assert.ok(bobs.items.some((n) => n.kind === 'comment' && n.comment_id === reply.body.id && n.actor.username === 'carol'));
  const alices = await inbox(alice);
  const r = alices.items.find((n) => n.kind === 'reply' && n.comment_id === reply.body.id);
  assert.ok(r, JSON.stringify(alices));
  assert.equal(r.url, `/questions/${q}#comment-${reply.body.id}`);

  const repBefore = (await inbox(bob)).items.find((n) => n.kind === 'reputation')?.amount ?? 0;
  assert.equal((await carol.api('POST', `/posts/${a}/vote`, { value: 1 })).status, 200);
  assert.equal((await dave.api('POST', `/posts/${a}/vote`, { value: 1 })).status, 200);
  assert.equal((await alice.api('POST', `/answers/${a}/accept`)).status, 200);
  const after = await inbox(bob);
  // Two votes and the acceptance are one row for the day, summed.
  const reputation = after.items.filter((n) => n.kind === 'reputation');
  assert.equal(reputation.length, 1, JSON.stringify(reputation));
  assert.equal(reputation[0].amount - repBefore, 10 + 10 + 15);
  assert.match(reputation[0].text, /You earned \d+ reputation/);
  const accepted = after.items.find((n) => n.kind === 'accepted' && n.post_id === a);
  assert.equal(accepted.actor.username, 'alice');
});

test('a deleted, held or removed post drops out of the inbox and the count', async () => {
  const q = await ask(carol, title('removed'));
  const a = await answer(dave, q, 'Buy a new router; this one is broken beyond repair.');
  const before = await inbox(carol);
  assert.ok(before.items.some((n) => n.post_id === a));
  const r = await mod.api('DELETE', `/posts/${a}`, { reason: 'Not an answer to the question.' });
  assert.equal(r.status, 204, r.text);
  const afterDelete = await inbox(carol);
  assert.ok(!afterDelete.items.some((n) => n.post_id === a && n.kind !== 'moderation'));
  assert.equal(afterDelete.unread, before.unread - 1);
  // The author hears of the decision; the notice stays, without a link to the deleted post.
  const daves = await inbox(dave);
  const decision = daves.items.find((n) => n.kind === 'moderation' && n.post_id === a);
  assert.ok(decision, JSON.stringify(daves));
  assert.match(decision.text, /deleted by a moderator: Not an answer/);
  assert.equal(decision.url, null);
  // The inbox page does not show it either.
  const page = await carol.request('GET', '/notifications');
  assert.doesNotMatch(page.text, new RegExp(`#answer-${a}"`));
});

test('a moderator closing a question tells the asker why', async () => {
  const q = await ask(dave, title('closed'));
  const r = await mod.api('POST', `/questions/${q}/close`, { reason: 'off_topic' });
  assert.equal(r.status, 200, r.text);
  const n = (await inbox(dave)).items.find((x) => x.kind === 'moderation' && x.question_id === q);
  assert.ok(n);
  assert.match(n.text, /was closed as off-topic/);
  assert.equal(n.actor.username, 'mod');
});

test('marking read: one, several, all; bad input is a clear 4xx', async () => {
  const q = await ask(alice, title('read'));
  await answer(bob, q);
  await answer(carol, q);
  const unread = await inbox(alice, '?unread=true');
  assert.ok(unread.items.length >= 2);
  assert.ok(unread.items.every((n) => !n.read));
  const [first, second] = unread.items;
  assert.equal((await alice.api('POST', '/notifications/read', { ids: [first.id] })).status, 204);
  const after = await inbox(alice, '?unread=true');
  assert.equal(after.unread, unread.unread - 1);
  assert.ok(!after.items.some((n) => n.id === first.id));
  assert.ok((await inbox(alice)).items.find((n) => n.id === first.id).read);
  // Another member's id changes nothing.
  assert.equal((await bob.api('POST', '/notifications/read', { ids: [second.id] })).status, 204);
  assert.equal((await inbox(alice, '?unread=true')).unread, after.unread);
  for (const [body, field] of [[{}, 'ids'], [{ ids: [] }, 'ids'], [{ ids: ['x'] }, 'ids'], [{ ids: [1], all: true }, 'ids'],
    [{ all: false }, 'all'], [{ ids: Array.from({ length: 101 }, (_, i) => i + 1) }, 'ids']]) {
    const r = await alice.api('POST', '/notifications/read', body);
    assert.equal(r.status, 422, JSON.stringify(body) + r.text);
    assert.equal(r.body.error.field, field);
  }
  assert.equal((await alice.api('POST', '/notifications/read', 'not json')).status, 400);
  assert.equal((await alice.api('GET', '/notifications?unread=maybe')).status, 422);
  assert.equal((await alice.api('GET', '/notifications?pagesize=1000')).status, 422);
  assert.equal((await alice.api('POST', '/notifications/read', { all: true })).status, 204);
  assert.equal((await inbox(alice)).unread, 0);
  const anon = new Client(server.url);
  assert.equal((await anon.api('GET', '/notifications')).status, 401);
  assert.equal((await anon.api('POST', '/notifications/read', { all: true })).status, 401);
  assert.equal((await anon.request('GET', '/notifications')).status, 303);
});

test('the inbox page groups answers on one question, and the bell counts unread', async () => {
  await alice.api('POST', '/notifications/read', { all: true });
  const q = await ask(alice, title('grouped'));
  await answer(bob, q);
  await answer(carol, q);
  await answer(dave, q);
  // A badge or the day's reputation the member worker writes a moment later is not what this
  // test counts: once it has written them, they are marked read.
  await membersSettled(server);
  const others = (await inbox(alice, '?unread=true')).items.filter((n) => n.question_id !== q);
  if (others.length) assert.equal((await alice.api('POST', '/notifications/read', { ids: others.map((n) => n.id) })).status, 204);
  const page = await alice.request('GET', '/notifications');
  assert.equal(page.status, 200);
  assert.match(page.text, /3 new answers on your question “grouped: a question about the router/);
  assert.match(page.text, /class="bell"[^>]*aria-label="Notifications: 3 unread"/);
  // Marking the group read by the form (no JavaScript) marks its three.
  const ids = [...page.text.matchAll(/name="id" value="(\d+)"/g)].map((m) => m[1]);
  assert.equal(ids.length, 3);
  const form = new URLSearchParams([['csrf_token', alice.csrf], ...ids.map((id) => ['id', id])]);
  const r = await alice.request('POST', '/notifications/read', { body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 303);
  assert.equal((await inbox(alice)).unread, 0);
  const home = await alice.request('GET', '/questions');
  assert.match(home.text, /aria-label="Notifications: 0 unread"/);
  // The bell is current on the next page: a new answer counts, and stops counting once deleted.
  const bell = async () => (await alice.request('GET', '/questions')).text.match(/aria-label="Notifications: (\d+) unread"/)[1];
  const inboxPage = async () => (await alice.request('GET', '/notifications')).text;
  const seen = await inboxPage();
  const late = await answer(bob, q, 'One more way: reset the router, then set it up again.');
  assert.doesNotMatch(seen, new RegExp(`#answer-${late}"`));
  await eventually(async () => (await bell()) === '1', 'the bell to count the new answer');
  // The inbox page seen a moment ago is not shown again once the notification has come.
  assert.match(await inboxPage(), new RegExp(`#answer-${late}"`));
  const r2 = await mod.api('DELETE', `/posts/${late}`, { reason: 'Repeats an answer above.' });
  assert.equal(r2.status, 204, r2.text);
  assert.equal(await bell(), '0');
  assert.doesNotMatch(await inboxPage(), new RegExp(`#answer-${late}"`));
});

test('following: my own questions and threads I take part in; tags and members by choice', async () => {
  const q = await ask(dave, title('followed'), 'A body long enough to post here.', ['wifi']);
  await answer(bob, q);
  // Bob follows the thread he answered: a later answer by carol reaches him through the worker.
  const a2 = await answer(carol, q, 'Move the router away from the microwave oven.');
  await eventually(async () => (await inbox(bob)).items.some((n) => n.kind === 'followed_question' && n.post_id === a2), 'bob told of the new answer');
  // Dave hears of carol's answer as the asker, once: not again as a follower.
  const daves = (await inbox(dave)).items.filter((n) => n.post_id === a2);
  assert.deepEqual(daves.map((n) => n.kind), ['answer']);

  assert.equal((await alice.api('POST', '/tags/wifi/follow')).status, 204);
  assert.equal((await alice.api('POST', `/users/${carol.user.id}/follow`)).status, 204);
  const following = (await alice.api('GET', '/me/following')).body;
  assert.deepEqual(following.tags.map((t) => t.name), ['wifi']);
  assert.deepEqual(following.users.map((u) => u.username), ['carol']);
  const q2 = await ask(carol, title('in a followed tag'), 'A body long enough to post here.', ['wifi']);
  // Alice follows both the tag and carol: one notification, of the first kind that reached her.
  await eventually(async () => (await inbox(alice)).items.some((n) => n.question_id === q2), 'alice told of the new question');
  await new Promise((r) => setTimeout(r, 1500));
  const about = (await inbox(alice)).items.filter((n) => n.question_id === q2);
  assert.deepEqual(about.map((n) => n.kind), ['followed_tag']);

  // Unfollowing stops it; an unfollowed thread is not followed again by taking part.
  assert.equal((await alice.api('DELETE', '/tags/wifi/follow')).status, 204);
  assert.equal((await alice.api('DELETE', `/users/${carol.user.id}/follow`)).status, 204);
  assert.equal((await bob.api('DELETE', `/questions/${q}/follow`)).status, 204);
  await bob.api('POST', `/posts/${q}/comments`, { body: 'Did moving it help at all?' });
  assert.ok(!(await bob.api('GET', '/me/following')).body.questions.some((x) => x.id === q));
  const q3 = await ask(carol, title('after unfollowing'), 'A body long enough to post here.', ['wifi']);
  const a3 = await answer(dave, q, 'Another answer after bob unfollowed the thread.');
  const marker = await ask(dave, title('marker'), 'A body long enough to post here.', ['wifi']);
  await eventually(async () => (await inbox(carol)).items.some((n) => n.post_id === a3), 'carol told of the answer');
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(!(await inbox(alice)).items.some((n) => n.question_id === q3 || n.question_id === marker));
  assert.ok(!(await inbox(bob)).items.some((n) => n.post_id === a3));

  // Bad targets.
  assert.equal((await alice.api('POST', '/questions/999999/follow')).status, 404);
  assert.equal((await alice.api('POST', '/tags/no-such-tag/follow')).status, 404);
  assert.equal((await alice.api('POST', '/users/999999/follow')).status, 404);
  const self = await alice.api('POST', `/users/${alice.user.id}/follow`);
  assert.equal(self.status, 422);
  assert.equal((await new Client(server.url).api('POST', `/questions/${q}/follow`)).status, 401);
});

test('follow buttons on question, tag and member pages work without JavaScript', async () => {
  const q = await ask(bob, title('button'), 'A body long enough to post here.', ['buttons']);
  const page = await carol.request('GET', `/questions/${q}`);
  assert.match(page.text, new RegExp(`action="/questions/${q}/follow"[\\s\\S]*?Follow this question`));
  const r = await carol.form(`/questions/${q}/follow`, { csrf_token: carol.csrf, action: 'follow' });
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), `/questions/${q}`);
  assert.ok((await carol.api('GET', '/me/following')).body.questions.some((x) => x.id === q));
  assert.match((await carol.request('GET', `/questions/${q}`)).text, /aria-pressed="true"[^>]*>Following</);
  const tag = await carol.request('GET', '/tags/buttons');
  assert.match(tag.text, /action="\/tags\/buttons\/follow"/);
  assert.equal((await carol.form('/tags/buttons/follow', { csrf_token: carol.csrf, action: 'follow' })).status, 303);
  const user = await carol.request('GET', `/users/${bob.user.id}`);
  assert.match(user.text, new RegExp(`action="/users/${bob.user.id}/follow"`));
  assert.equal((await carol.form(`/users/${bob.user.id}/follow`, { csrf_token: carol.csrf, action: 'follow' })).status, 303);
  const account = await carol.request('GET', '/account');
  assert.match(account.text, /id="following"/);
  assert.match(account.text, /href="\/tags\/buttons"/);
  assert.match(account.text, new RegExp(`href="/users/${bob.user.id}">bob<`));
  // A forged form is refused.
  assert.equal((await carol.form(`/questions/${q}/follow`, { csrf_token: 'wrong', action: 'unfollow' })).status, 403);
  // No button for visitors or on one's own profile.
  assert.doesNotMatch((await new Client(server.url).request('GET', `/questions/${q}`)).text, /\/follow"/);
  assert.doesNotMatch((await bob.request('GET', `/users/${bob.user.id}`)).text, /\/follow"/);
});

test('preferences: defaults, changes, unknown kinds and values refused; "off" tells nothing', async () => {
  const defaults = (await dave.api('GET', '/me/preferences')).body;
  assert.equal(defaults.answer, 'email');
  assert.equal(defaults.followed_tag, 'weekly');
  assert.equal(defaults.comment, 'inbox');
  const changed = await dave.api('PATCH', '/me/preferences', { comment: 'off', mention: 'daily' });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.body.comment, 'off');
  assert.equal(changed.body.mention, 'daily');
  for (const body of [{ answer: 'sometimes' }, { nonsense: 'inbox' }, { answer: 3 }, {}, { answer: 'inbox', bad: 'inbox' }]) {
    const r = await dave.api('PATCH', '/me/preferences', body);
    assert.equal(r.status, 422, JSON.stringify(body) + r.text);
  }
  // The refused map with one good pair changed nothing.
  assert.equal((await dave.api('GET', '/me/preferences')).body.answer, 'email');
  const q = await ask(dave, title('quiet comments'));
  const c = await bob.api('POST', `/posts/${q}/comments`, { body: 'A comment dave chose not to hear of.' });
  assert.equal(c.status, 201, c.text);
  assert.ok(!(await inbox(dave)).items.some((n) => n.comment_id === c.body.id));
  // The form on /account, without JavaScript.
  const account = await dave.request('GET', '/account');
  assert.match(account.text, /<select id="pref-comment" name="comment">[\s\S]*?<option value="off" selected>/);
  const r = await dave.form('/account/notifications', { csrf_token: dave.csrf, comment: 'inbox', answer: 'inbox' });
  assert.equal(r.status, 303);
  assert.equal((await dave.api('GET', '/me/preferences')).body.comment, 'inbox');
  assert.equal((await dave.form('/account/notifications', { csrf_token: dave.csrf, comment: 'loud' })).status, 422);
  assert.equal((await new Client(server.url).api('GET', '/me/preferences')).status, 401);
});

test('mentions link to the member, notify once (not again on edit), at most ten per post', async () => {
  const q = await ask(alice, title('mentions'), 'Can @carol or @nobody_here help? Mail me at alice@example.com. `@dave` is code.');
  const thread = (await alice.api('GET', `/questions/${q}`)).body;
  assert.match(thread.body_html, new RegExp(`<a class="mention" href="/users/${carol.user.id}">@carol</a>`));
  assert.doesNotMatch(thread.body_html, /class="mention"[^>]*>@nobody_here/);
  assert.doesNotMatch(thread.body_html, /href="\/users\/\d+">@example/);
  assert.match(thread.body_html, /<code>@dave<\/code>/);
  const carols = (await inbox(carol)).items.filter((n) => n.kind === 'mention' && n.post_id === q);
  assert.equal(carols.length, 1);
  assert.match(carols[0].text, /alice mentioned you/);
  assert.ok(!(await inbox(dave)).items.some((n) => n.kind === 'mention' && n.post_id === q));
  const edit = await alice.api('PATCH', `/questions/${q}`, { body: 'Can @carol help? And maybe @dave knows it too.' });
  assert.equal(edit.status, 200, edit.text);
  assert.equal((await inbox(carol)).items.filter((n) => n.kind === 'mention' && n.post_id === q).length, 1);
  await eventually(async () => (await dave.api('GET', '/me/preferences')).status === 200, 'dave');
  // Dave's mentions go to the daily digest (the previous test): still in the inbox.
  assert.equal((await inbox(dave)).items.filter((n) => n.kind === 'mention' && n.post_id === q).length, 1);

  // Eleven members mentioned: the first ten are linked and told.
  const names = [];
  for (let i = 0; i < 11; i++) {
    const c = new Client(server.url);
    await c.signUp(`crowd${i}`);
    names.push(c);
  }
  const crowd = await ask(bob, title('crowd'), 'Thanks ' + names.map((c) => '@' + c.user.username).join(', ') + '.');
  const html = (await bob.api('GET', `/questions/${crowd}`)).body.body_html;
  assert.equal([...html.matchAll(/class="mention"/g)].length, 10);
  for (const [i, c] of names.entries()) {
    const told = (await inbox(c)).items.some((n) => n.kind === 'mention' && n.post_id === crowd);
    assert.equal(told, i < 10, c.user.username);
  }
});

test('names for the mention suggestions: bounded, validated, signed in', async () => {
  const r = await bob.api('GET', '/usernames?prefix=CRO');
  assert.equal(r.status, 200);
  assert.equal(r.body.items.length, 8);
  assert.ok(r.body.items.every((u) => u.username.startsWith('crowd')));
  assert.deepEqual((await bob.api('GET', '/usernames?prefix=alic')).body.items.map((u) => u.username), ['alice']);
  for (const bad of ['', '?prefix=', '?prefix=%20x', '?prefix=' + 'a'.repeat(31), '?prefix=a%27']) {
    const res = await bob.api('GET', '/usernames' + bad);
    assert.equal(res.status, 422, bad);
    assert.equal(res.body.error.field, 'prefix');
  }
  assert.equal((await new Client(server.url).api('GET', '/usernames?prefix=a')).status, 401);
});

test('a mention in a held post tells nobody until a moderator approves it', async (t) => {
  const { dir, server: s, clients } = await startCommunity({
    staff: { mod: 'moderator' },
    settings: { 'spam.hold_first_post': 1 },
    members: ['gina', 'hugo'],
    server: { t },
  });
  const { mod: m, gina, hugo } = clients;
  const held = await gina.api('POST', '/questions', { title: 'My very first question on this site', body: 'Hello @hugo, do you know this?', tags: ['hello'] });
  assert.equal(held.status, 202, held.text);
  const box = (await hugo.api('GET', '/notifications')).body;
  assert.equal(box.unread, 0);
  assert.equal(box.items.length, 0);
  // The author is told the post waits for review.
  const ginas = (await gina.api('GET', '/notifications')).body.items;
  assert.match(ginas[0].text, /was held for review/);
  const review = (await m.api('GET', '/review')).body;
  const item = review.items.find((i) => i.post_id === held.body.id);
  assert.equal((await m.api('POST', `/review/${item.id}`, { action: 'approve' })).status, 200);
  const after = (await hugo.api('GET', '/notifications')).body;
  assert.equal(after.unread, 1);
  assert.equal(after.items[0].kind, 'mention');
  const approved = (await gina.api('GET', '/notifications')).body.items;
  assert.ok(approved.some((n) => /approved by a moderator/.test(n.text)));
});

test('the inbox pages through a long history by Previous and Next, and only unread ones on request', async () => {
  const erin = new Client(server.url);
  await erin.signUp('erin');
  const q = await ask(erin, title('paged'));
  await membersSettled(server);
  // 70 old, read answer notifications written straight into the database file (as a long
  // history would leave them), then two new ones over HTTP.
  const a = await answer(bob, q);
  const sql = `INSERT INTO notifications (user_id, kind, actor_id, question_id, post_id, delivery, created_at, read_at)
    SELECT ${erin.user.id}, 'answer', ${bob.user.id}, ${q}, ${a}, 'inbox', 1000 + value, 2000 FROM generate_series(1, 70)`;
  await promisify(execFile)('sqlite3', ['-cmd', '.timeout 5000', join(dir, 'peerdesk.db'), sql]);
  await answer(carol, q);
  const first = await erin.request('GET', '/notifications');
  assert.equal(first.status, 200);
  assert.match(first.text, /<span>Page 1<\/span>/, 'no page count is promised');
  assert.match(first.text, /<a rel="next" href="\/notifications\?page=2">/);
  assert.doesNotMatch(first.text, /rel="prev"/);
  const third = await erin.request('GET', '/notifications?page=3');
  assert.match(third.text, /<a rel="prev" href="\/notifications\?page=2">/);
  assert.doesNotMatch(third.text, /rel="next"/, 'the last page');
  const unread = await erin.request('GET', '/notifications?unread=1');
  assert.doesNotMatch(unread.text, /rel="next"/);
  const api = await inbox(erin, '?unread=true');
  assert.ok(api.items.every((n) => !n.read) && api.items.length >= 2, JSON.stringify(api.items.map((n) => n.kind)));
  assert.equal((await inbox(erin, '?pagesize=100')).total, (await inbox(erin, '?pagesize=10&page=8')).total);
  assert.ok((await inbox(erin)).total >= 72);
});
