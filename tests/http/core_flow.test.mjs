// The core loop over HTTP, against the real server and database: two users, a question, an
// answer, privileges refused then earned, votes, acceptance, edits, with the ledger checked.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, peerdesk, freshDataDir } from '../support/server.mjs';

let server;
before(async () => {
  // A moderator made on the command line, as an operator would.
  const dir = await freshDataDir();
  await writeFile(join(dir, 'pw'), 'keeper of order 1\n');
  await peerdesk(['user', 'create', 'mod', '--email', 'mod@example.com', '--password-file', join(dir, 'pw'), '--role', 'moderator', '--data', dir]);
  server = await startServer({ dataDir: dir });
});
after(async () => {
  await server?.stop();
  await rm(server.dir, { recursive: true, force: true });
  assert.deepEqual(server.errors, [], 'no request made the server log an error');
});

const body = 'I open Settings → Billing and there is no **Export** button anywhere.';

test('ask, answer, vote, accept and edit, with reputation following each step', async () => {
  const alice = new Client(server.url);
  const bob = new Client(server.url);
  await alice.signUp('alice');
  await bob.signUp('bob');
  assert.equal(await alice.reputation(), 1, 'new users start at 1');

  const asked = await alice.api('POST', '/questions', {
    title: 'How do I export my invoices as CSV?', body, tags: ['Billing', 'export'],
  });
  assert.equal(asked.status, 201, asked.text);
  const q = asked.body;
  assert.deepEqual(q.tags, ['billing', 'export']);
  assert.match(q.body_html, /<strong>Export<\/strong>/);
  assert.equal(q.accepted_answer_id, null);

  const answered = await bob.api('POST', `/questions/${q.id}/answers`, {
    body: 'Use the **Download** menu, then choose CSV. See https://example.com/help',
  });
  assert.equal(answered.status, 201, answered.text);
  const a = answered.body;
  assert.match(a.body_html, /rel="nofollow ugc noopener"/);

  // Alice has 1 reputation: voting up needs 15, and the refusal says so.
  const refused = await alice.api('POST', `/posts/${a.id}/vote`, { value: 1 });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, 'missing_privilege');
  assert.equal(refused.body.error.message, 'Voting up needs 15 reputation; you have 1.');

  // Nobody votes on their own post.
  const own = await bob.api('POST', `/posts/${a.id}/vote`, { value: 1 });
  assert.equal(own.status, 403);
  assert.equal(own.body.error.code, 'own_post');

  // Bob cannot accept on Alice's question.
  const notAsker = await bob.api('POST', `/answers/${a.id}/accept`);
  assert.equal(notAsker.status, 403);

  // Alice accepts: Bob +15, Alice +2.
  const accepted = await alice.api('POST', `/answers/${a.id}/accept`);
  assert.equal(accepted.status, 200, accepted.text);
  assert.equal(accepted.body.accepted_answer_id, a.id);
  assert.equal(await bob.reputation(), 16);
  assert.equal(await alice.reputation(), 3);

  // Bob now has 16: he may vote up Alice's question (+10 to Alice), but not down (needs 125).
  const up = await bob.api('POST', `/posts/${q.id}/vote`, { value: 1 });
  assert.equal(up.status, 200, up.text);
  assert.deepEqual(up.body, { score: 1, my_vote: 1 });
  assert.equal(await alice.reputation(), 13);
  const again = await bob.api('POST', `/posts/${q.id}/vote`, { value: 1 });
  assert.deepEqual(again.body, { score: 1, my_vote: 1 }, 'voting twice counts once');
  assert.equal(await alice.reputation(), 13);
  const down = await bob.api('POST', `/posts/${q.id}/vote`, { value: -1 });
  assert.equal(down.status, 403);
  assert.match(down.body.error.message, /Voting down needs 125 reputation; you have 16\./);

  // Retracting the vote writes the reverse row.
  const retract = await bob.api('POST', `/posts/${q.id}/vote`, { value: 0 });
  assert.deepEqual(retract.body, { score: 0, my_vote: 0 });
  assert.equal(await alice.reputation(), 3);

  // Un-accepting reverses both ledger rows.
  const unaccepted = await alice.api('DELETE', `/answers/${a.id}/accept`);
  assert.equal(unaccepted.status, 200, unaccepted.text);
  assert.equal(unaccepted.body.accepted_answer_id, null);
  assert.equal(await bob.reputation(), 1);
  assert.equal(await alice.reputation(), 1);

  const ledger = await bob.api('GET', `/users/${bob.user.id}/reputation`);
  assert.deepEqual(ledger.body.items.map((r) => [r.reason, r.delta]), [
    ['accepted_undone', -15],
    ['accepted', 15],
  ]);
  assert.equal(ledger.body.total, 2);
  const aliceLedger = await alice.api('GET', `/users/${alice.user.id}/reputation`);
  assert.deepEqual(aliceLedger.body.items.map((r) => [r.reason, r.delta]), [
    ['accept_undone', -2],
    ['upvote_undone', -10],
    ['upvote', 10],
    ['accept', 2],
  ]);

  // Accept again, and the thread shows the accepted answer first.
  const second = await (new Client(server.url)).signUp('carol');
  const carol = new Client(server.url);
  await carol.signIn('carol');
  const other = await carol.api('POST', `/questions/${q.id}/answers`, { body: 'Another way: the API has /invoices.csv for this.' });
  assert.equal(other.status, 201);
  await alice.api('POST', `/answers/${other.body.id}/accept`);
  const thread = await alice.api('GET', `/questions/${q.id}`);
  assert.equal(thread.body.accepted_answer_id, other.body.id);
  assert.equal(thread.body.answers[0].id, other.body.id);
  assert.equal(thread.body.answers[0].accepted, true);
  assert.ok(second.id > 0);

  // Edits keep every revision.
  const edited = await alice.api('PATCH', `/questions/${q.id}`, {
    title: 'How do I export all my invoices as CSV?', summary: 'clearer title',
  });
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.body.title, 'How do I export all my invoices as CSV?');
  assert.ok(edited.body.edited_at);
  const editedAnswer = await bob.api('PATCH', `/answers/${a.id}`, { body: 'Use the **Download** menu, then CSV.', summary: 'shorter' });
  assert.equal(editedAnswer.status, 200, editedAnswer.text);
  const revisions = await alice.api('GET', `/posts/${q.id}/revisions`);
  assert.equal(revisions.body.total, 2);
  assert.equal(revisions.body.items[0].title, 'How do I export my invoices as CSV?');
  assert.equal(revisions.body.items[1].title, 'How do I export all my invoices as CSV?');
  assert.equal(revisions.body.items[1].summary, 'clearer title');
  assert.equal(revisions.body.items[1].author.username, 'alice');

  // Editing someone else's post needs 2000 reputation.
  const notMine = await bob.api('PATCH', `/questions/${q.id}`, { body: 'Rewritten by someone else entirely.' });
  assert.equal(notMine.status, 403);
  assert.match(notMine.body.error.message, /Editing other people's posts needs 2000 reputation/);
});

test('comments need 50 reputation on other people\'s posts, but not on your own thread; replies thread', async () => {
  const dan = new Client(server.url);
  const erin = new Client(server.url);
  await dan.signUp('dan');
  await erin.signUp('erin');
  const q = (await dan.api('POST', '/questions', { title: 'Why is my sync stuck at 99 percent?', body: 'It stays at 99% for hours on Windows 11.', tags: ['sync'] })).body;
  const refused = await erin.api('POST', `/posts/${q.id}/comments`, { body: 'Which version are you on?' });
  assert.equal(refused.status, 403);
  assert.match(refused.body.error.message, /Commenting on other people's posts needs 50 reputation; you have 1\./);

  const a = (await erin.api('POST', `/questions/${q.id}/answers`, { body: 'Restart the sync service from the tray icon.' })).body;
  const onOwnThread = await dan.api('POST', `/posts/${a.id}/comments`, { body: 'Which tray icon do you mean?' });
  assert.equal(onOwnThread.status, 201, onOwnThread.text);
  const reply = await erin.api('POST', `/posts/${a.id}/comments`, { body: 'The blue cloud, bottom right.', reply_to: onOwnThread.body.id });
  assert.equal(reply.status, 201, reply.text);
  assert.equal(reply.body.reply_to, onOwnThread.body.id);

  const thread = await dan.api('GET', `/questions/${q.id}`);
  const comments = thread.body.answers[0].comments;
  assert.deepEqual(comments.map((c) => [c.body_markdown, c.reply_to]), [
    ['Which tray icon do you mean?', null],
    ['The blue cloud, bottom right.', onOwnThread.body.id],
  ]);

  const wrongPost = await erin.api('POST', `/posts/${q.id}/comments`, { body: 'Reply on the wrong post.', reply_to: onOwnThread.body.id });
  assert.equal(wrongPost.status, 403, 'still refused for privilege first');
});

test('question lists sort and filter, and tags count their questions', async () => {
  const c = new Client(server.url);
  await c.signUp('frank');
  const one = (await c.api('POST', '/questions', { title: 'First question about printers', body: 'The printer is offline after the update.', tags: ['printing'] })).body;
  const two = (await c.api('POST', '/questions', { title: 'Second question about printers', body: 'Printing in colour makes grey pages.', tags: ['printing', 'colour'] })).body;
  const newest = await c.api('GET', '/questions?sort=newest&tag=printing');
  assert.deepEqual(newest.body.items.map((q) => q.id), [two.id, one.id]);
  assert.equal(newest.body.total, 2);
  const unanswered = await c.api('GET', '/questions?sort=unanswered&pagesize=100');
  assert.ok(unanswered.body.items.length > 0, 'there are unanswered questions to list');
  assert.ok(unanswered.body.items.every((q) => q.answer_count === 0));
  const paged = await c.api('GET', '/questions?tag=printing&pagesize=1&page=2');
  assert.deepEqual(paged.body.items.map((q) => q.id), [one.id]);
  assert.equal(paged.body.page, 2);
  const tags = await c.api('GET', '/tags');
  const printing = tags.body.items.find((t) => t.name === 'printing');
  assert.equal(printing.count, 2);
});

test('API tokens work without CSRF, and cookie calls need the CSRF token', async () => {
  const c = new Client(server.url);
  await c.signUp('gina');
  const token = await c.api('POST', '/tokens', { name: 'backup script' });
  assert.equal(token.status, 201);
  assert.match(token.body.token, /^pd_/);

  const noCsrf = await c.api('POST', '/questions', { title: 'Posting without a CSRF token', body: 'This must be refused by the server.', tags: ['x'] }, { 'x-csrf-token': '' });
  assert.equal(noCsrf.status, 403);
  assert.equal(noCsrf.body.error.code, 'csrf');

  const script = new Client(server.url);
  script.bearer = token.body.token;
  const me = await script.api('GET', '/me');
  assert.equal(me.body.username, 'gina');
  const posted = await script.api('POST', '/questions', { title: 'Posting from a script with a token', body: 'Bearer tokens need no CSRF token.', tags: ['api'] });
  assert.equal(posted.status, 201, posted.text);

  const badToken = new Client(server.url);
  badToken.bearer = 'pd_not-a-real-token';
  assert.equal((await badToken.api('GET', '/me')).status, 401);

  const out = await c.api('DELETE', '/session');
  assert.equal(out.status, 204);
  assert.equal((await c.api('GET', '/me')).status, 401, 'the session ends at sign-out');
});

test('moderators hold every privilege: they accept on the asker\'s behalf, vote down and edit any post', async () => {
  const mod = new Client(server.url);
  await mod.signIn('mod', 'keeper of order 1');
  assert.equal(mod.user.role, 'moderator');
  const asker = new Client(server.url);
  const helper = new Client(server.url);
  await asker.signUp('asker');
  await helper.signUp('helper');
  const q = (await asker.api('POST', '/questions', { title: 'A question the asker never comes back to', body: 'The asker asked and then went away.', tags: ['moderation'] })).body;
  const a = (await helper.api('POST', `/questions/${q.id}/answers`, { body: 'The answer that solves the problem.' })).body;
  const accepted = await mod.api('POST', `/answers/${a.id}/accept`);
  assert.equal(accepted.status, 200, accepted.text);
  assert.equal(await helper.reputation(), 16, 'the answerer gets the same 15');
  assert.equal(await asker.reputation(), 3, 'the asker gets the same 2');
  const down = await mod.api('POST', `/posts/${q.id}/vote`, { value: -1 });
  assert.equal(down.status, 200, down.text);
  const edited = await mod.api('PATCH', `/answers/${a.id}`, { body: 'The answer that solves the problem, formatted.', summary: 'formatting' });
  assert.equal(edited.status, 200, edited.text);
  const revisions = await mod.api('GET', `/posts/${a.id}/revisions`);
  assert.equal(revisions.body.items[1].author.username, 'mod');
});
