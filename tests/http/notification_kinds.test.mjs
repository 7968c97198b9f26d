// The notification kinds and removals the main notification suite does not reach: a moderator's
// decision on an account (suspended, silenced, lifted), a post hidden by flags or a question
// deleted under its answers and comments (their notifications leave the inbox), activity of a
// followed member, a mention in a comment or an idea, and the ideas feed read by a real feed parser.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { Client, ask, answer, eventually } from '../support/server.mjs';
import { parseFeed } from '../support/feeds.mjs';
import { startCommunity } from '../support/community.mjs';
import { membersSettled } from '../support/members.mjs';

let server, mod, alice, bob, carol, dave;

before(async () => {
  let clients;
  ({ server, clients } = await startCommunity({
    staff: { mod: 'moderator' },
    // One spam flag from any member hides a post at once, so that hiding can be shown.
    settings: { 'privilege.comment': 0, 'flags.established_reputation': 1, 'flags.hide_after': 1 },
    members: ['alice', 'bob', 'carol', 'dave'],
  }));
  ({ mod, alice, bob, carol, dave } = clients);
});
after(async () => {
  await server?.stop();
});

const inbox = async (who) => {
  const r = await who.api('GET', '/notifications?pagesize=100');
  assert.equal(r.status, 200, r.text);
  return r.body;
};
let titles = 0;
const title = (what) => `${what}: why does the printer stop, case ${++titles}`;

test('a suspension, a silence and their lifting reach the member, linking to the account', async () => {
  const s = await mod.api('POST', `/users/${dave.user.id}/suspend`, { days: 2, reason: 'posting adverts' });
  assert.equal(s.status, 200, s.text);
  let box = await inbox(dave);
  const suspended = box.items.find((n) => n.kind === 'moderation' && /suspended until/.test(n.text));
  assert.ok(suspended, JSON.stringify(box.items));
  assert.match(suspended.text, /^Your account: suspended until .+: posting adverts$/);
  assert.equal(suspended.url, '/account');
  assert.equal(suspended.actor.username, 'mod');
  assert.equal(suspended.read, false);
  // The inbox page shows it to the suspended member, who may still read.
  const page = await dave.request('GET', '/notifications');
  assert.equal(page.status, 200);
  assert.match(page.text, /Your account: suspended until [^<]*: posting adverts/);

  assert.equal((await mod.api('POST', `/users/${dave.user.id}/unsuspend`)).status, 200);
  box = await inbox(dave);
  assert.ok(box.items.some((n) => n.kind === 'moderation' && n.text === 'Your account: your suspension was lifted'), JSON.stringify(box.items));
  const silence = await mod.api('POST', `/users/${dave.user.id}/silence`, { reason: 'shouting' });
  assert.equal(silence.status, 200, silence.text);
  box = await inbox(dave);
  assert.ok(box.items.some((n) => n.kind === 'moderation' && n.text === 'Your account: silenced: shouting'), JSON.stringify(box.items));
  assert.equal((await mod.api('POST', `/users/${dave.user.id}/unsuspend`)).status, 200);
  // Nobody else hears of it.
  assert.ok(!(await inbox(alice)).items.some((n) => n.kind === 'moderation'));
});

test('a post hidden by a flag, a deleted comment and a deleted question leave the inbox', async () => {
  const q = await ask(alice, title('hidden'));
  const a = await answer(bob, q, 'Visit my shop for cheap printers, great prices every day.');
  const c = await carol.api('POST', `/posts/${q}/comments`, { body: 'Which model is it exactly?' });
  assert.equal(c.status, 201, c.text);
  // A badge the member worker awards a moment later would change the counts compared below.
  await membersSettled(server);
  let box = await inbox(alice);
  assert.ok(box.items.some((n) => n.post_id === a && n.kind === 'answer'));
  assert.ok(box.items.some((n) => n.comment_id === c.body.id));
  const unread = box.unread;

  const flag = await dave.api('POST', `/posts/${a}/flags`, { reason: 'spam' });
  assert.equal(flag.status, 201, flag.text);
  assert.equal(flag.body.hidden, true);
  box = await inbox(alice);
  assert.ok(!box.items.some((n) => n.post_id === a), 'the hidden answer left the inbox');
  assert.equal(box.unread, unread - 1);
  assert.doesNotMatch((await alice.request('GET', '/notifications')).text, new RegExp(`#answer-${a}"`));

  assert.equal((await carol.api('DELETE', `/comments/${c.body.id}`)).status, 204);
  box = await inbox(alice);
  assert.ok(!box.items.some((n) => n.comment_id === c.body.id), 'the deleted comment left the inbox');
  assert.equal(box.unread, unread - 2);

  // A question deleted takes the notifications about its answers with it.
  const q2 = await ask(carol, title('deleted question'));
  const a2 = await answer(bob, q2, 'Turn it off and on again, then wait a minute.');
  assert.ok((await inbox(carol)).items.some((n) => n.post_id === a2));
  const r = await mod.api('DELETE', `/posts/${q2}`, { reason: 'Asked twice.' });
  assert.equal(r.status, 204, r.text);
  assert.ok(!(await inbox(carol)).items.some((n) => n.post_id === a2 && n.kind !== 'moderation'));
});

test('following a member: their new question and answer reach the follower, once each', async () => {
  assert.equal((await alice.api('POST', `/users/${carol.user.id}/follow`)).status, 204);
  const q = await ask(carol, title('followed member asks'), 'A body long enough to post here.', ['scanners']);
  const asked = await eventually(async () => (await inbox(alice)).items.find((n) => n.question_id === q), 'alice told of the question');
  assert.equal(asked.kind, 'followed_user');
  assert.match(asked.text, /^carol, whom you follow, asked “followed member asks/);
  assert.equal(asked.url, `/questions/${q}#post-${q}`);
  const other = await ask(bob, title('someone asks'), 'A body long enough to post here.', ['scanners']);
  const a = await answer(carol, other, 'Clean the glass and run the calibration again.');
  const answered = await eventually(async () => (await inbox(alice)).items.find((n) => n.post_id === a), 'alice told of the answer');
  assert.equal(answered.kind, 'followed_user');
  assert.match(answered.text, /^carol, whom you follow, answered /);
  assert.equal(answered.url, `/questions/${other}#answer-${a}`);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await inbox(alice)).items.filter((n) => n.question_id === q).length, 1);
  // Dave follows nobody: he hears of none of it.
  assert.ok(!(await inbox(dave)).items.some((n) => n.question_id === q || n.post_id === a));
});

test('a mention in a comment links and notifies once, an edit only the newly mentioned; commenting follows the thread', async () => {
  const q = await ask(bob, title('comment mention'));
  const c = await alice.api('POST', `/posts/${q}/comments`, { body: 'Maybe @dave has seen this one before?' });
  assert.equal(c.status, 201, c.text);
  const thread = (await alice.api('GET', `/questions/${q}`)).body;
  const comment = thread.comments.find((x) => x.id === c.body.id);
  assert.match(comment.body_html, new RegExp(`<a class="mention" href="/users/${dave.user.id}">@dave</a>`));
  const told = (await inbox(dave)).items.filter((n) => n.kind === 'mention' && n.comment_id === c.body.id);
  assert.equal(told.length, 1);
  assert.equal(told[0].url, `/questions/${q}#comment-${c.body.id}`);
  assert.match(told[0].text, /^alice mentioned you on /);
  // An edit tells only the newly mentioned, as a post's edit does.
  const edit = await alice.api('PATCH', `/comments/${c.body.id}`, { body: 'Maybe @dave has seen this one before? Or @carol? Thanks!' });
  assert.equal(edit.status, 200, edit.text);
  assert.equal((await inbox(dave)).items.filter((n) => n.kind === 'mention' && n.comment_id === c.body.id).length, 1);
  assert.equal((await inbox(carol)).items.filter((n) => n.kind === 'mention' && n.comment_id === c.body.id).length, 1);
  assert.equal((await alice.api('PATCH', `/comments/${c.body.id}`, { body: 'Maybe @dave or @carol has seen this before?' })).status, 200);
  assert.equal((await inbox(carol)).items.filter((n) => n.kind === 'mention' && n.comment_id === c.body.id).length, 1);
  // The post's author hears of the comment once, as a comment, not as a mention too.
  const bobs = (await inbox(bob)).items.filter((n) => n.comment_id === c.body.id);
  assert.deepEqual(bobs.map((n) => n.kind), ['comment']);
  // Asking and commenting followed the thread; a later answer reaches the commenter.
  for (const who of [bob, alice])
    assert.ok((await who.api('GET', '/me/following')).body.questions.some((x) => x.id === q), who.user.username);
  // (Dave answers: alice follows carol as a member, which would tell her of it another way.)
  const a = await answer(dave, q, 'Reset the printer to its factory settings first.');
  await eventually(async () => (await inbox(alice)).items.some((n) => n.kind === 'followed_question' && n.post_id === a), 'alice told of the answer');
});


test('a mention in a proposed idea notifies once and links to the idea; an edit tells only the newly mentioned', async () => {
  const idea = await bob.api('POST', '/ideas', {
    title: title('idea mention'), body: 'Could @dave and the team add a night mode to the printer app?', tags: ['printers'],
  });
  assert.equal(idea.status, 201, idea.text);
  const mentions = async (who) => (await inbox(who)).items.filter((n) => n.kind === 'mention' && n.question_id === idea.body.id);
  const told = await mentions(dave);
  assert.equal(told.length, 1, 'dave told of the mention');
  assert.equal(told[0].url, `/ideas/${idea.body.id}`);
  assert.match(told[0].text, /^bob mentioned you on /);
  const form = await bob.request('GET', `/posts/${idea.body.id}/edit`);
  assert.equal(form.status, 200);
  const csrf = /name="csrf_token" value="([^"]+)"/.exec(form.text)[1];
  const edit = await bob.form(`/posts/${idea.body.id}/edit`, {
    csrf_token: csrf, title: title('idea mention, edited'), body: 'Could @dave or @carol add a night mode to the printer app?', tags: 'printers',
  });
  assert.equal(edit.status, 303, edit.text);
  assert.equal((await mentions(dave)).length, 1, 'dave not told again');
  assert.equal((await mentions(carol)).length, 1, 'carol told once');
  // The proposer is not told of their own idea.
  assert.equal((await mentions(bob)).length, 0);
});

test('the ideas feed is valid Atom with the status changes, linked from the roadmap, with conditional GET', async () => {
  const idea = await alice.api('POST', '/ideas', {
    title: 'Export the <whole> history as "CSV" & JSON',
    body: 'It would help us a lot to take the history elsewhere.',
    tags: ['export'],
  });
  assert.equal(idea.status, 201, idea.text);
  const anon = new Client(server.url);
  const planned = await mod.api('POST', `/ideas/${idea.body.id}/status`, { status: 'planned', response: 'We build this in **spring**.' });
  assert.equal(planned.status, 200, planned.text);
  const r = await anon.request('GET', '/feeds/ideas.atom');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/atom\+xml/);
  const f = await parseFeed(r.text);
  assert.equal(f.bozo, false, f.bozo_exception);
  assert.equal(f.version, 'atom10');
  assert.equal(f.title, 'Idea status changes');
  const e = f.entries.find((x) => x.link.startsWith(`${server.url}/ideas/${idea.body.id}#status-`));
  assert.ok(e, JSON.stringify(f.entries));
  assert.match(e.title, /Export the <whole> history as "CSV" & JSON/);
  assert.match(e.content, /<strong>spring<\/strong>/);

  const etag = r.headers.get('etag');
  assert.ok(etag);
  assert.equal((await anon.request('GET', '/feeds/ideas.atom', { headers: { 'if-none-match': etag } })).status, 304);
  assert.equal((await mod.api('POST', `/ideas/${idea.body.id}/status`, { status: 'in_progress', response: 'Begun.' })).status, 200);
  const again = await anon.request('GET', '/feeds/ideas.atom', { headers: { 'if-none-match': etag } });
  assert.equal(again.status, 200);
  assert.equal((await parseFeed(again.text)).entries.filter((x) => x.link.startsWith(`${server.url}/ideas/${idea.body.id}#status-`)).length, 2);

  const roadmap = await anon.request('GET', '/ideas/roadmap');
  assert.match(roadmap.text, /<link rel="alternate" type="application\/atom\+xml" title="[^"]*" href="\/feeds\/ideas\.atom">/);
});

test('the account page: five choices for every kind, the followed questions, and no promise of mail', async () => {
  const q = await ask(bob, title('listed on the account page'));
  assert.equal((await dave.api('POST', `/questions/${q}/follow`)).status, 204);
  const account = await dave.request('GET', '/account');
  assert.equal(account.status, 200);
  const selects = [...account.text.matchAll(/<select id="pref-([a-z_]+)" name="\1">([\s\S]*?)<\/select>/g)];
  assert.deepEqual(selects.map((m) => m[1]), ['answer', 'comment', 'reply', 'mention', 'accepted', 'reputation',
    'moderation', 'followed_question', 'followed_tag', 'followed_user']);
  for (const [, kind, options] of selects)
    assert.deepEqual([...options.matchAll(/<option value="([a-z]+)"/g)].map((m) => m[1]), ['inbox', 'email', 'daily', 'weekly', 'off'], kind);
  assert.match(account.text, /<select id="pref-answer" name="answer">[\s\S]*?<option value="email" selected>/);
  assert.match(account.text, /<select id="pref-followed_tag" name="followed_tag">[\s\S]*?<option value="weekly" selected>/);
  assert.match(account.text, new RegExp(`<h2 id="following">[\\s\\S]*?href="/questions/${q}">listed on the account page`));
  // This server has no relay: the page says mail waits in the inbox instead of promising it.
  assert.match(account.text, /This site is not set up to send mail: e-mail and digests stay in your inbox/);
});
