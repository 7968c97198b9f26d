// Own content: members edit their comments for five minutes and delete them; delete their own
// question while it has no answers and their own answer while it is not accepted; take a
// deletion back for a day. Decided on the current state, with what derives from the content
// (the thread, search, counts, notifications, feeds) forgetting what was deleted.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { Client, ask, eventually } from '../support/server.mjs';
import { startCommunity } from '../support/community.mjs';
import { sql } from '../support/reach.mjs';

let server, alice, bob, carol, mod, anon;
before(async () => {
  let clients;
  ({ server, clients } = await startCommunity({ staff: { mod: 'moderator' }, members: ['alice', 'bob', 'carol'] }));
  ({ mod, alice, bob, carol } = clients);
  anon = new Client(server.url);
  // Reputation enough to comment on others' posts, as established members have.
  await sql(server, `UPDATE users SET reputation = 100 WHERE username IN ('bob', 'carol')`);
});
after(async () => {
  await server?.stop();
  assert.deepEqual(server.errors, [], 'the server logged no errors');
});

const body = 'The scanner stops after the first page and shows error E42 on its small screen.';
async function answer(who, q, text = 'Update the scanner firmware; E42 was fixed in version 3.') {
  const r = await who.api('POST', `/questions/${q}/answers`, { body: text });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}
async function comment(who, post, text) {
  const r = await who.api('POST', `/posts/${post}/comments`, { body: text });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
}
const thread = async (q) => (await anon.api('GET', `/questions/${q}`)).body;
const commentsOf = (t) => [...t.comments, ...t.answers.flatMap((a) => a.comments)].map((c) => c.body_markdown);
const csrfOf = (html) => /name="csrf_token" value="([^"]+)"/.exec(html)[1];

test('a comment is edited by its author within five minutes, and by nobody else', async () => {
  const q = await ask(alice, 'Scanner stops after the first page with E42', body);
  const c = await comment(bob, q, 'Which scanner model is it exactly?');
  const edited = await bob.api('PATCH', `/comments/${c}`, { body: 'Which scanner model and firmware is it?' });
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.body.body_markdown, 'Which scanner model and firmware is it?');
  assert.match(edited.body.edited_at, /^\d{4}-\d{2}-\d{2}T/);
  assert.match((await anon.request('GET', `/questions/${q}`)).text, /Which scanner model and firmware is it\?<\/p>\s*<\/div>\s*<span class="comment-meta">— <a href="\/users\/\d+">bob<\/a> <time[^>]*>[^<]*<\/time> · edited<\/span>/);
  assert.deepEqual(commentsOf(await thread(q)), ['Which scanner model and firmware is it?']);

  assert.equal((await carol.api('PATCH', `/comments/${c}`, { body: 'Someone else rewriting it.' })).status, 403);
  assert.equal((await mod.api('PATCH', `/comments/${c}`, { body: 'A moderator rewriting it.' })).status, 403);
  assert.equal((await anon.api('PATCH', `/comments/${c}`, { body: 'Nobody rewriting it here.' })).status, 401);
  // Bad input: a clear 4xx naming what to fix, and nothing changed.
  for (const [input, status, field] of [[{ body: '' }, 422, 'body'], [{ body: 'x'.repeat(601) }, 422, 'body'], [{}, 422, 'body'], [{ body: 42 }, 422, 'body'], ['not json', 400, undefined]]) {
    const r = await bob.api('PATCH', `/comments/${c}`, input);
    assert.equal(r.status, status, JSON.stringify(input) + ' ' + r.text);
    assert.ok(r.body.error.message.length > 10);
    if (field) assert.equal(r.body.error.field, field);
  }
  for (const id of ['abc', '0', '999999']) assert.equal((await bob.api('PATCH', `/comments/${id}`, { body: 'A fine comment text.' })).status, 404, id);
  assert.deepEqual(commentsOf(await thread(q)), ['Which scanner model and firmware is it?']);

  // Six minutes later (the clock moved in the database file): too late, and said so.
  await sql(server, `UPDATE comments SET created_at = created_at - 360 WHERE id = ${c}`);
  const late = await bob.api('PATCH', `/comments/${c}`, { body: 'Too late to change this one now.' });
  assert.equal(late.status, 409);
  assert.equal(late.body.error.code, 'edit_window_closed');
  assert.match(late.body.error.message, /5 minutes after it is posted; this one was posted 6 minutes ago/);
});

test('the page offers Edit and Delete on one\'s own comments only, and the forms work without JavaScript', async () => {
  const q = await ask(alice, 'Scanner feeds two sheets at once from the tray', body);
  const c = await comment(bob, q, 'Does it happen with thick paper too?');
  const other = await comment(carol, q, 'Same here with the office scanner.');
  const page = (await bob.request('GET', `/questions/${q}`)).text;
  assert.match(page, new RegExp(`<a class="edit-comment" href="/comments/${c}/edit">Edit</a>`));
  assert.match(page, new RegExp(`formaction="/comments/${c}/delete"`));
  assert.doesNotMatch(page, new RegExp(`/comments/${other}/(edit|delete)`), 'not on someone else\'s');
  assert.doesNotMatch((await anon.request('GET', `/questions/${q}`)).text, /\/comments\/\d+\/(edit|delete)/);
  assert.match((await mod.request('GET', `/questions/${q}`)).text, new RegExp(`formaction="/comments/${other}/delete"`), 'moderators delete any');

  const form = await bob.request('GET', `/comments/${c}/edit`);
  assert.equal(form.status, 200);
  assert.match(form.text, /Does it happen with thick paper too\?<\/textarea>/);
  const csrf = csrfOf(form.text);
  const saved = await bob.form(`/comments/${c}/edit`, { csrf_token: csrf, body: 'Does it happen with thick paper or envelopes?' });
  assert.equal(saved.status, 303);
  assert.match(saved.headers.get('location'), new RegExp(`^/questions/${q}/[a-z0-9-]+#comment-${c}$`));
  const bad = await bob.form(`/comments/${c}/edit`, { csrf_token: csrf, body: 'no' });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /aria-invalid="true"/);
  assert.equal((await carol.request('GET', `/comments/${c}/edit`)).status, 403);
  assert.equal((await bob.form(`/comments/${c}/edit`, { csrf_token: 'forged', body: 'A forged edit of it.' })).status, 403);

  const deleted = await bob.form(`/comments/${c}/delete`, { csrf_token: csrf });
  assert.equal(deleted.status, 200);
  assert.match(deleted.text, /Your comment is deleted/);
  assert.match(deleted.text, new RegExp(`action="/comments/${c}/undelete"`));
  assert.doesNotMatch((await anon.request('GET', `/questions/${q}`)).text, /thick paper or envelopes/);
  const undone = await bob.form(`/comments/${c}/undelete`, { csrf_token: csrfOf(deleted.text) });
  assert.equal(undone.status, 303);
  assert.match((await anon.request('GET', `/questions/${q}`)).text, /thick paper or envelopes/);
});

test('a deleted comment leaves the thread, search and notifications; the author brings it back for a day', async () => {
  const q = await ask(alice, 'Scanner makes a grinding noise when it starts', body);
  const c = await comment(bob, q, 'Grinding usually means the zanzibarquux gear slipped.');
  await eventually(async () => (await anon.api('GET', '/search?q=zanzibarquux')).body.items.length === 1, 'the comment indexed');
  const notified = async () => (await alice.api('GET', '/notifications')).body.items.some((n) => n.kind === 'comment' && n.post_id === q);
  assert.ok(await notified(), 'the asker was told of the comment');

  assert.equal((await carol.api('DELETE', `/comments/${c}`)).status, 403, 'not someone else\'s');
  assert.equal((await anon.api('DELETE', `/comments/${c}`)).status, 401);
  assert.equal((await bob.api('DELETE', `/comments/${c}`)).status, 204);
  assert.equal((await bob.api('DELETE', `/comments/${c}`)).status, 404, 'gone for its author too, but for taking it back');
  assert.deepEqual(commentsOf(await thread(q)), []);
  await eventually(async () => (await anon.api('GET', '/search?q=zanzibarquux&exact=true')).body.items.length === 0, 'search to forget it');
  assert.ok(!(await notified()), 'the notification of a deleted comment is gone');
  assert.equal((await carol.api('POST', `/comments/${c}/undelete`)).status, 403, 'only its author or a moderator restores it');
  assert.equal((await bob.api('PATCH', `/comments/${c}`, { body: 'Editing a deleted comment here.' })).status, 404);

  const back = await bob.api('POST', `/comments/${c}/undelete`);
  assert.equal(back.status, 200, back.text);
  assert.deepEqual(commentsOf(await thread(q)), ['Grinding usually means the zanzibarquux gear slipped.']);
  await eventually(async () => (await anon.api('GET', '/search?q=zanzibarquux')).body.items.length === 1, 'the comment indexed again');
  assert.equal((await bob.api('POST', `/comments/${c}/undelete`)).status, 409);

  // Deleted again, and a day passes: only a moderator restores it now.
  assert.equal((await bob.api('DELETE', `/comments/${c}`)).status, 204);
  await sql(server, `UPDATE comments SET deleted_at = deleted_at - 90000 WHERE id = ${c}`);
  const late = await bob.api('POST', `/comments/${c}/undelete`);
  assert.equal(late.status, 403);
  assert.equal(late.body.error.code, 'undo_window_closed');
  assert.equal((await mod.api('POST', `/comments/${c}/undelete`)).status, 200);

  // A moderator's deletion is audited, and its author cannot undo it.
  assert.equal((await mod.api('DELETE', `/comments/${c}`)).status, 204);
  assert.equal((await bob.api('POST', `/comments/${c}/undelete`)).status, 403, 'not a moderator\'s deletion');
  const audit = (await mod.api('GET', '/audit')).body.items;
  assert.ok(audit.some((e) => e.action === 'delete_comment' && e.comment_id === c));
});

test('an own question goes while unanswered, an own answer while not accepted; both come back for a day', async () => {
  const lone = await ask(alice, 'Scanner software asks for a licence key every day', body);
  assert.equal((await bob.api('DELETE', `/posts/${lone}`)).status, 403, 'not someone else\'s');
  const before = (await anon.api('GET', '/questions?sort=newest')).body.total;
  assert.equal((await alice.api('DELETE', `/posts/${lone}`)).status, 204);
  assert.equal((await anon.api('GET', `/questions/${lone}`)).status, 404);
  assert.equal((await anon.api('GET', '/questions?sort=newest')).body.total, before - 1, 'the count forgets it');
  assert.ok(!(await anon.request('GET', '/feeds/questions.atom')).text.includes(`/questions/${lone}`), 'the feed forgets it');
  assert.equal((await alice.api('POST', `/posts/${lone}/undelete`)).status, 200);
  assert.equal((await anon.api('GET', `/questions/${lone}`)).status, 200);
  assert.equal((await anon.api('GET', '/questions?sort=newest')).body.total, before);

  const answered = await ask(alice, 'Scanner saves every page as a separate file', body);
  const a = await answer(bob, answered);
  const refused = await alice.api('DELETE', `/posts/${answered}`);
  assert.equal(refused.status, 409);
  assert.equal(refused.body.error.code, 'has_answers');

  const taken = await answer(carol, answered, 'Tick "one file per scan" in the settings of the scan app.');
  assert.equal((await alice.api('POST', `/answers/${taken}/accept`)).status, 200);
  const acceptedRefusal = await carol.api('DELETE', `/posts/${taken}`);
  assert.equal(acceptedRefusal.status, 409);
  assert.equal(acceptedRefusal.body.error.code, 'accepted');

  // The page offers Delete where the server allows it, and not elsewhere.
  const bobPage = (await bob.request('GET', `/questions/${answered}`)).text;
  assert.match(bobPage, new RegExp(`formaction="/posts/${a}/delete"`));
  assert.doesNotMatch((await carol.request('GET', `/questions/${answered}`)).text, new RegExp(`formaction="/posts/${taken}/delete"`));
  assert.doesNotMatch((await alice.request('GET', `/questions/${answered}`)).text, new RegExp(`formaction="/posts/${answered}/delete"`));

  // The form, then Undo, without JavaScript.
  const gone = await bob.form(`/posts/${a}/delete`, { csrf_token: csrfOf(bobPage) });
  assert.equal(gone.status, 200);
  assert.match(gone.text, /Your answer is deleted/);
  const t = await thread(answered);
  assert.deepEqual(t.answers.map((x) => x.id), [taken]);
  assert.equal((await anon.request('GET', `/a/${a}`)).status, 404);
  const undone = await bob.form(`/posts/${a}/undelete`, { csrf_token: csrfOf(gone.text) });
  assert.equal(undone.status, 303);
  assert.match(undone.headers.get('location'), new RegExp(`#answer-${a}$`));
  assert.equal((await thread(answered)).answers.length, 2);

  // A day after the author's deletion, only a moderator brings it back.
  assert.equal((await bob.api('DELETE', `/posts/${a}`)).status, 204);
  await sql(server, `UPDATE posts SET deleted_at = deleted_at - 90000 WHERE id = ${a}`);
  const late = await bob.api('POST', `/posts/${a}/undelete`);
  assert.equal(late.status, 403);
  assert.equal(late.body.error.code, 'undo_window_closed');
  assert.equal((await mod.api('POST', `/posts/${a}/undelete`)).status, 200);

  for (const id of ['abc', '0', '999999']) assert.equal((await bob.api('DELETE', `/posts/${id}`)).status, 404, id);
});

test('the decision is taken on the state the deleting transaction reads', async () => {
  // An answer arriving just before the asker's deletion: the deletion sees it, whatever the
  // page showed. Many rounds, each racing an answer against the deletion.
  for (let i = 0; i < 8; i++) {
    const q = await ask(alice, `Scanner question number ${i} racing an answer`, body);
    const [deleted, answered] = await Promise.all([
      alice.api('DELETE', `/posts/${q}`),
      bob.api('POST', `/questions/${q}/answers`, { body: 'An answer racing the deletion of its question.' }),
    ]);
    const t = await anon.api('GET', `/questions/${q}`);
    if (deleted.status === 204) {
      // Deleted first: the answer found no live question, and nothing lives on.
      assert.equal(answered.status, 404, answered.text);
      assert.equal(t.status, 404);
    } else {
      assert.equal(deleted.status, 409, deleted.text);
      assert.equal(answered.status, 201);
      assert.equal(t.body.answers.length, 1);
    }
  }
});
