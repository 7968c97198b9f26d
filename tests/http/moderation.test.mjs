// Moderation over HTTP against the real server: every moderator action works for a moderator
// and is refused for members and anonymous visitors; flags hide, review decides, reputation and
// the audit log follow; each spam rule refuses or holds, and lets through what is fine; rate
// limits answer 429 with Retry-After and recover.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, peerdesk, freshDataDir, eventually, ask, answer } from '../support/server.mjs';
import { startCommunity } from '../support/community.mjs';

const sqlite = promisify(execFile);
let server, mod, admin, alice, bob, carol, dave, anon;

before(async () => {
  let clients;
  ({ server, clients } = await startCommunity({
    staff: { mod: 'moderator', boss: 'admin' },
    settings: {
      'flags.established_reputation': 15,
      'flags.hide_after': 2,
      'spam.blocked_domains': 'spam.example, bad.test',
      'spam.blocked_words': 'casino bonus',
    },
    members: ['alice', 'bob', 'carol', 'dave'],
  }));
  ({ mod, boss: admin, alice, bob, carol, dave } = clients);
  anon = new Client(server.url);
  // Bob and carol become established (16): alice accepts an answer of each.
  for (const who of [bob, carol]) {
    const q = await ask(alice, `How do I reset the router of ${who.user.username} to factory settings?`);
    const a = await answer(who, q, `Hold the reset button for ten seconds, says ${who.user.username}.`);
    assert.equal((await alice.api('POST', `/answers/${a}/accept`)).status, 200);
  }
  assert.equal(await bob.reputation(), 16);
});

after(async () => {
  await server?.stop();
  await rm(server.dir, { recursive: true, force: true });
  assert.deepEqual(server.errors, [], 'no request made the server log an error');
});

test('every moderator action: done for a moderator, 403 for a member, 401 for anonymous', async () => {
  const q = await ask(alice, 'Printer shows a paper jam that is not there');
  const a = await answer(bob, q);
  const target = await ask(dave, 'Some other question about the printer tray');
  const actions = [
    ['POST', `/questions/${q}/lock`], ['POST', `/questions/${q}/unlock`],
    ['POST', `/questions/${q}/pin`], ['POST', `/questions/${q}/unpin`],
    ['POST', `/questions/${q}/close`, { reason: 'off_topic' }], ['POST', `/questions/${q}/reopen`],
    ['POST', `/answers/${a}/endorse`], ['DELETE', `/answers/${a}/endorse`],
    ['DELETE', `/posts/${target}`, { reason: 'test' }], ['POST', `/posts/${target}/undelete`],
    ['POST', `/users/${dave.user.id}/suspend`, { days: 1, reason: 'test' }], ['POST', `/users/${dave.user.id}/unsuspend`],
    ['GET', '/review'], ['GET', '/audit'],
  ];
  for (const [method, path, body] of actions) {
    const asAnon = await anon.api(method, path, body);
    assert.equal(asAnon.status, 401, `${method} ${path} anonymous: ${asAnon.text}`);
    const asMember = await carol.api(method, path, body);
    assert.equal(asMember.status, 403, `${method} ${path} member: ${asMember.text}`);
    const asMod = await mod.api(method, path, body);
    assert.ok([200, 204].includes(asMod.status), `${method} ${path} moderator: ${asMod.status} ${asMod.text}`);
  }
  // A review item that does not exist: 404 for a moderator, still 403 for a member.
  assert.equal((await carol.api('POST', '/review/999999', { action: 'approve' })).status, 403);
  assert.equal((await mod.api('POST', '/review/999999', { action: 'approve' })).status, 404);
});

test('close as duplicate: the duplicate links to its original, search leads there, reopen undoes it', async () => {
  const original = await ask(alice, 'Zebra-striped screen after waking the laptop');
  await answer(bob, original, 'Update the graphics driver; the stripes are a known driver bug.');
  const dup = await ask(dave, 'Stripes on my display when the laptop wakes up zebraish');
  const bad = await mod.api('POST', `/questions/${dup}/close`, { reason: 'duplicate' });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.error.field, 'duplicate_of');
  const closed = await mod.api('POST', `/questions/${dup}/close`, { reason: 'duplicate', duplicate_of: original });
  assert.equal(closed.status, 200, closed.text);
  assert.equal(closed.body.closed, true);
  assert.equal(closed.body.duplicate_of, original);
  const page = await anon.request('GET', `/questions/${dup}`);
  assert.match(page.text, new RegExp(`href="/questions/${original}"`));
  assert.match(page.text, /Closed as a duplicate/);
  const hit = await eventually(async () => {
    const r = await anon.request('GET', '/api/v1/search?q=zebraish');
    return r.body.items[0]?.question_id === original ? r.body.items[0] : null;
  }, 'the duplicate to lead to its original');
  assert.equal(hit.url, `/questions/${original}`);
  const refused = await carol.api('POST', `/questions/${dup}/answers`, { body: 'An answer to a closed duplicate question.' });
  assert.equal(refused.status, 409);
  assert.match(refused.body.error.message, /closed as a duplicate/);
  const reopened = await mod.api('POST', `/questions/${dup}/reopen`);
  assert.equal(reopened.body.closed, false);
});

test('lock stops answers, comments and votes; pin puts a question first in its tag', async () => {
  const q = await ask(alice, 'Locked thread about billing cycles', 'When does the billing cycle start each month?', ['billing']);
  const a = await answer(bob, q);
  assert.equal((await mod.api('POST', `/questions/${q}/lock`)).body.locked, true);
  for (const [path, body] of [[`/questions/${q}/answers`, { body: 'Another answer that is long enough.' }],
    [`/posts/${a}/comments`, { body: 'A comment on a locked thread here.' }], [`/posts/${a}/vote`, { value: 1 }]]) {
    const r = await bob.api('POST', path, body);
    assert.equal(r.status, 409, `${path}: ${r.text}`);
    assert.equal(r.body.error.code, 'locked');
  }
  assert.match((await anon.request('GET', `/questions/${q}`)).text, /This thread is locked/);
  await mod.api('POST', `/questions/${q}/unlock`);
  const older = await ask(alice, 'An older billing question to pin', 'Is there a discount for yearly billing plans?', ['billing']);
  await ask(alice, 'A newer billing question after it', 'Can I change the billing currency later on?', ['billing']);
  await mod.api('POST', `/questions/${older}/pin`);
  const list = await anon.request('GET', '/api/v1/questions?tag=billing');
  assert.equal(list.body.items[0].id, older);
  assert.match((await anon.request('GET', '/tags/billing')).text, /Pinned/);
});

test('endorse, accept on the asker\'s behalf (in the thread\'s history), edit with a reason', async () => {
  const q = await ask(dave, 'VPN client asks for a certificate every morning');
  const a = await answer(carol, q, 'Import the certificate into the user store, not the machine store.');
  const e = await mod.api('POST', `/answers/${a}/endorse`);
  assert.equal(e.body.answers[0].endorsed, true);
  const before = await carol.reputation();
  const accepted = await mod.api('POST', `/answers/${a}/accept`);
  assert.equal(accepted.status, 200);
  assert.equal(accepted.body.accepted_answer_id, a);
  assert.equal(await carol.reputation(), before + 15, 'the same ledger rules as the asker accepting');
  const page = await anon.request('GET', `/questions/${q}`);
  assert.match(page.text, /Moderator-endorsed/);
  assert.match(page.text, /mod<\/a> accepted an answer on the asker’s behalf/);

  const noReason = await mod.api('PATCH', `/answers/${a}`, { body: 'Import the certificate into the user store (certmgr.msc).' });
  assert.equal(noReason.status, 422);
  assert.equal(noReason.body.error.field, 'summary');
  const edited = await mod.api('PATCH', `/answers/${a}`, { body: 'Import the certificate into the user store (certmgr.msc).', summary: 'name the tool' });
  assert.equal(edited.status, 200, edited.text);
  const audit = await mod.api('GET', `/audit?action=edit&post=${a}`);
  assert.equal(audit.body.items.length, 1);
  assert.equal(audit.body.items[0].reason, 'name the tool');
  assert.equal(audit.body.items[0].before.body_markdown, 'Import the certificate into the user store, not the machine store.');
});

test('delete and undelete: gone from the thread, the counts and search; back again', async () => {
  const q = await ask(alice, 'Quartzite keyboard makes double letters');
  const a = await answer(bob, q, 'Clean the quartzite keyboard switch with compressed air.');
  await eventually(async () => (await anon.request('GET', '/api/v1/search?q=compressed')).body.total === 1, 'the answer to be indexed');
  assert.equal((await bob.api('DELETE', `/posts/${q}`)).status, 403, 'not his question');
  assert.equal((await alice.api('DELETE', `/posts/${q}`)).status, 409, 'a question with answers stays');
  assert.equal((await mod.api('DELETE', `/posts/${a}`, { reason: 'wrong advice' })).status, 204);
  const thread = await anon.api('GET', `/questions/${q}`);
  assert.equal(thread.body.answers.length, 0);
  assert.equal(thread.body.answer_count, 0);
  assert.equal((await anon.request('GET', '/api/v1/search?q=compressed')).body.items.length, 0);
  assert.equal((await bob.api('POST', `/posts/${a}/undelete`)).status, 403, "authors cannot undo a moderator's deletion");
  assert.equal((await mod.api('POST', `/posts/${a}/undelete`)).status, 200);
  assert.equal((await anon.api('GET', `/questions/${q}`)).body.answer_count, 1);
  // Authors may delete their own answer, and take that back.
  assert.equal((await bob.api('DELETE', `/posts/${a}`)).status, 204);
  assert.equal((await bob.api('POST', `/posts/${a}/undelete`)).status, 200);
});

test('flag → hidden at once by established members → review → rejected: author loses reputation, all audited', async () => {
  const q = await ask(alice, 'Where do I find the serial number of the device?');
  const spam = await answer(dave, q, 'Visit my shop for cheap serial numbers and watches, great prices.');
  const daveBefore = await dave.reputation();
  const first = await alice.api('POST', `/posts/${spam}/flags`, { reason: 'spam' });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.body.hidden, false, 'alice (1 reputation) is not established');
  assert.equal((await alice.api('POST', `/posts/${spam}/flags`, { reason: 'rude' })).status, 409, 'one flag per member per post');
  assert.equal((await alice.api('POST', `/posts/${spam}/flags`, { reason: 'other', note: 'again' })).status, 409);
  assert.equal((await bob.api('POST', `/posts/${spam}/flags`, { reason: 'other' })).status, 422, 'other needs a note');
  const second = await bob.api('POST', `/posts/${spam}/flags`, { reason: 'spam', note: 'advertising' });
  assert.equal(second.body.hidden, false, 'one established flag is not enough');
  const third = await carol.api('POST', `/posts/${spam}/flags`, { reason: 'spam' });
  assert.equal(third.body.hidden, true, 'two established spam flags hide it');
  assert.equal((await anon.api('GET', `/questions/${q}`)).body.answers.length, 0, 'hidden at once');

  const queue = await mod.api('GET', '/review');
  const item = queue.body.items.find((i) => i.post_id === spam);
  assert.ok(item, 'the post is in the review queue');
  assert.equal(item.state, 'hidden');
  assert.equal(item.flags.spam, 3);
  assert.deepEqual(item.notes, ['advertising']);
  const decided = await mod.api('POST', `/review/${item.id}`, { action: 'reject', note: 'shop spam' });
  assert.equal(decided.status, 200, decided.text);
  // The ledger keeps the whole penalty; what people see never goes below 1.
  const ledger = await anon.api('GET', `/users/${dave.user.id}/reputation`);
  assert.ok(ledger.body.items.some((row) => row.delta === -100 && row.reason === 'removed_as_spam_or_abuse'), 'removed as spam costs 100');
  assert.equal(daveBefore - 100 < 1, true);
  assert.equal(await dave.reputation(), 1, 'the API shows the floor of 1, not the sum');
  const profile = await anon.request('GET', `/users/${dave.user.id}`);
  assert.match(profile.text, /<dd class="reputation">1<\/dd>/);
  assert.match(profile.text, /post removed by a moderator as spam or abuse/);
  assert.doesNotMatch(profile.text, /removed_as_spam_or_abuse|-9\d\b|−9\d/, 'no raw label, no negative total');
  assert.ok(!(await mod.api('GET', '/review')).body.items.some((i) => i.id === item.id), 'the item is done');
  assert.equal((await mod.api('POST', `/review/${item.id}`, { action: 'approve' })).status, 404);
  const audit = await mod.api('GET', `/audit?action=review_reject&post=${spam}`);
  assert.equal(audit.body.items[0].actor.username, 'mod');
  assert.equal(audit.body.items[0].reason, 'shop spam');
  assert.match(audit.body.items[0].before.body_markdown, /cheap serial numbers/);
});

test('a flag dismissed: the post stays, its author keeps the reputation', async () => {
  const q = await ask(alice, 'Is the charger compatible with the older model?');
  const fine = await answer(dave, q, 'Yes, the 65 W charger works with every model since 2019.');
  const before = await dave.reputation();
  await bob.api('POST', `/posts/${fine}/flags`, { reason: 'rude' });
  await carol.api('POST', `/posts/${fine}/flags`, { reason: 'rude' });
  assert.equal((await anon.api('GET', `/questions/${q}`)).body.answers.length, 0);
  const item = (await mod.api('GET', '/review')).body.items.find((i) => i.post_id === fine);
  assert.equal((await mod.api('POST', `/review/${item.id}`, { action: 'dismiss' })).status, 200);
  assert.equal((await anon.api('GET', `/questions/${q}`)).body.answers.length, 1, 'back in the thread');
  assert.equal(await dave.reputation(), before);
  // Comments can be flagged too.
  const comment = (await alice.api('POST', `/posts/${fine}/comments`, { body: 'Does it also charge the phone?' })).body.id;
  assert.equal((await bob.api('POST', `/comments/${comment}/flags`, { reason: 'off_topic' })).status, 201);
  // And from the page: its Flag link opens the form beside the comment.
  const page = await carol.request('GET', `/questions/${q}`);
  assert.ok(page.text.includes(`href="?flag_comment=${comment}#flag-comment-${comment}"`));
  assert.ok(!page.text.includes(`action="/comments/${comment}/flag"`), 'no form until it is asked for');
  const opened = await carol.request('GET', `/questions/${q}?flag_comment=${comment}`);
  assert.ok(opened.text.includes(`action="/comments/${comment}/flag"`));
  const sent = await carol.form(`/comments/${comment}/flag`, { reason: 'spam', note: 'looks like an ad', csrf_token: carol.csrf });
  assert.equal(sent.status, 201);
  assert.match(sent.text, /Thank you for the flag/);
  const commentItem = (await mod.api('GET', '/review')).body.items.find((i) => i.comment_id === comment);
  assert.equal(commentItem.type, 'comment');
  assert.deepEqual(commentItem.flags, { off_topic: 1, spam: 1 });
});

test('spam rules refuse thank-you answers and noise comments, and let real ones through', async () => {
  const q = await ask(alice, 'Battery drains overnight in standby');
  for (const body of ['Thanks, I have the same problem!!', 'Thank you so much', '+1 same here', 'me too, thanks a lot']) {
    const r = await bob.api('POST', `/questions/${q}/answers`, { body: body.padEnd(20, '!') });
    assert.equal(r.status, 422, body);
    assert.match(r.body.error.message, /upvote/);
  }
  await answer(bob, q, 'Turn off "wake on network" in the power settings.');
  for (const body of ['+1', 'thanks', 'Thank you!', 'good post', 'great answer thanks']) {
    const r = await alice.api('POST', `/posts/${q}/comments`, { body: body.padEnd(15, '!') });
    assert.equal(r.status, 422, body);
    assert.match(r.body.error.message, /upvote the post instead/);
  }
  assert.equal((await alice.api('POST', `/posts/${q}/comments`, { body: 'Thanks — that setting was it.' })).status, 201);
});

test('new members: more than one link, blocked sites or words hold the post for review; approval publishes it', async () => {
  const q = await ask(alice, 'Which cable supports 4K at 120 Hz?');
  const links = 'See https://example.com/a and https://example.org/b for the cable list.';
  const held = await dave.api('POST', `/questions/${q}/answers`, { body: links });
  assert.equal(held.status, 202, held.text);
  assert.equal(held.body.state, 'held');
  assert.match(held.body.message, /1 link per post/);
  assert.equal((await anon.api('GET', `/questions/${q}`)).body.answers.length, 0, 'not public while held');
  assert.equal((await bob.api('POST', `/questions/${q}/answers`, { body: links })).status, 201, 'established members may link');
  assert.equal((await dave.api('POST', `/questions/${q}/answers`, { body: 'One link is fine: https://example.com/cables' })).status, 201);
  const domain = await bob.api('POST', `/questions/${q}/answers`, { body: 'Buy it at https://www.spam.example/cable today.' });
  assert.equal(domain.status, 202);
  assert.match(domain.body.message, /blocked site/);
  const word = await bob.api('POST', '/questions', { title: 'Free casino bonus for every reader', body: 'Claim the casino bonus now, it is free.', tags: ['general'] });
  assert.equal(word.status, 202);
  assert.match(word.body.message, /blocked word/);

  const item = (await mod.api('GET', '/review')).body.items.find((i) => i.post_id === held.body.id);
  assert.equal(item.kind, 'held');
  assert.equal(item.state, 'held');
  assert.equal((await mod.api('POST', `/review/${item.id}`, { action: 'approve' })).status, 200);
  const thread = await anon.api('GET', `/questions/${q}`);
  assert.ok(thread.body.answers.some((a) => a.id === held.body.id), 'published after approval');
  assert.equal(thread.body.answer_count, 3);
});

test('suspended and silenced members can read but not write, and are told why and until when', async () => {
  const q = await ask(dave, 'Suspension test question about exports');
  const s = await mod.api('POST', `/users/${dave.user.id}/suspend`, { days: 3, reason: 'repeated spam' });
  assert.equal(s.status, 200, s.text);
  assert.ok(s.body.suspended_until);
  for (const [method, path, body] of [['POST', `/questions/${q}/answers`, { body: 'An answer written while suspended.' }],
    ['POST', `/posts/${q}/vote`, { value: 1 }], ['POST', `/posts/${q}/flags`, { reason: 'spam' }],
    ['POST', '/questions', { title: 'A question while suspended', body: 'Body of the suspended question.', tags: ['x'] }]]) {
    const r = await dave.api(method, path, body);
    assert.equal(r.status, 403, `${path}: ${r.text}`);
    assert.equal(r.body.error.code, 'suspended');
    assert.match(r.body.error.message, /suspended until \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC\. Reason: repeated spam/);
  }
  const reading = await dave.request('GET', `/questions/${q}`);
  assert.equal(reading.status, 200, 'reading goes on');
  // The banner says until when in words, with the exact time for machines and on hover.
  const banner = /<p class="standing"[^>]*>(.*?)<\/p>/s.exec(reading.text)?.[1] ?? '';
  assert.match(banner, /suspended until <time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" title="[^"]+">\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC<\/time>/);
  assert.doesNotMatch(banner.replace(/<[^>]+>/g, ''), /\d{4}-\d\d-\d\dT/, 'no raw timestamp to read');
  assert.equal((await mod.api('POST', `/users/${dave.user.id}/unsuspend`)).status, 200);
  assert.equal((await dave.api('POST', `/posts/${q}/comments`, { body: 'I can comment again now.' })).status, 201);
  assert.equal((await mod.api('POST', `/users/${dave.user.id}/silence`, { reason: 'cooling off' })).status, 200);
  const silenced = await dave.api('POST', `/posts/${q}/comments`, { body: 'Silenced comment attempt.' });
  assert.equal(silenced.body.error.code, 'silenced');
  assert.equal((await mod.api('POST', `/users/${admin.user.id}/suspend`, { days: 1, reason: 'no' })).status, 403, 'moderators cannot suspend admins');
  await mod.api('POST', `/users/${dave.user.id}/unsuspend`);
});

test('the audit log filters by moderator, action and target, and its rows cannot be changed', async () => {
  const all = await mod.api('GET', '/audit?pagesize=100');
  assert.ok(all.body.total >= 10);
  const actions = new Set(all.body.items.map((i) => i.action));
  for (const a of ['close', 'reopen', 'lock', 'pin', 'endorse', 'delete', 'undelete', 'suspend', 'silence', 'review_reject', 'accept_on_behalf', 'edit'])
    assert.ok(actions.has(a), `audited: ${a}`);
  const byMod = await mod.api('GET', `/audit?moderator=${mod.user.id}&action=suspend`);
  assert.ok(byMod.body.items.length > 0, 'the filter finds the suspension');
  assert.ok(byMod.body.items.every((i) => i.action === 'suspend' && i.actor.id === mod.user.id));
  const byUser = await mod.api('GET', `/audit?user=${dave.user.id}`);
  assert.ok(byUser.body.items.length >= 3);
  // The server may hold the write lock for a moment (a group commit, the query log): wait for it.
  await assert.rejects(sqlite('sqlite3', ['-cmd', '.timeout 5000', join(server.dir, 'peerdesk.db'), 'UPDATE audit_log SET reason = \'x\'']), /never edited/);
  await assert.rejects(sqlite('sqlite3', ['-cmd', '.timeout 5000', join(server.dir, 'peerdesk.db'), 'DELETE FROM audit_log']), /never deleted/);
  const page = await mod.request('GET', '/audit?action=close');
  assert.equal(page.status, 200);
  assert.match(page.text, /close/);
  assert.equal((await carol.request('GET', '/audit')).status, 403);
});

test('rate limits: 429 with Retry-After past the limit, and recovery after it', async (t) => {
  const dir = await freshDataDir();
  await peerdesk(['settings', 'set', 'rate.searches_per_minute', '20', '--data', dir]);
  await peerdesk(['settings', 'set', 'rate.answers_per_hour', '2', '--data', dir]);
  await peerdesk(['settings', 'set', 'rate.failed_signins', '3', '--data', dir]);
  const s = await startServer({ t, dataDir: dir, args: ['--rate-limits', 'on'] });
  const c = new Client(s.url);
  await c.signUp('erin');
  const q = (await c.api('POST', '/questions', { title: 'Rate limited question title', body: 'A body for the rate limit test.', tags: ['x'] })).body.id;
  const other = new Client(s.url);
  await other.signUp('frank');
  assert.equal((await other.api('POST', `/questions/${q}/answers`, { body: 'First answer within the limit.' })).status, 201);
  assert.equal((await other.api('POST', `/questions/${q}/answers`, { body: 'Second answer within the limit.' })).status, 201);
  const third = await other.api('POST', `/questions/${q}/answers`, { body: 'Third answer over the limit.' });
  assert.equal(third.status, 429);
  assert.ok(Number(third.headers.get('retry-after')) > 60, 'two an hour: the next one in half an hour');
  assert.match(third.body.error.message, /try again in \d+ seconds/);
  // The page says when to try again, too.
  const formPage = await other.form(`/questions/${q}/answers`, { body: 'Fourth answer, through the form.', csrf_token: other.csrf });
  assert.equal(formPage.status, 429);
  assert.match(formPage.text, /try again in \d+ seconds/);

  let refused;
  for (let i = 0; i < 25 && !refused; i++) {
    const r = await c.request('GET', '/api/v1/search?q=rate');
    if (r.status === 429) refused = r;
    else assert.equal(r.status, 200);
  }
  assert.ok(refused, 'searches past 20 a minute are refused');
  const wait = Number(refused.headers.get('retry-after'));
  assert.ok(wait >= 1 && wait <= 3, `a token every 3 seconds, wait ${wait}`);
  await new Promise((r) => setTimeout(r, wait * 1000 + 200));
  assert.equal((await c.request('GET', '/api/v1/search?q=rate')).status, 200, 'recovered');

  const guesser = new Client(s.url);
  const tries = [];
  for (let i = 0; i < 5; i++) tries.push((await guesser.api('POST', '/session', { login: 'erin', password: 'wrong password ' + i })).status);
  assert.deepEqual(tries.slice(0, 3), [401, 401, 401]);
  assert.equal(tries[4], 429, 'failed sign-ins slow down');
  const right = await guesser.api('POST', '/session', { login: 'erin', password: 'correct horse battery staple' });
  assert.equal(right.status, 429, 'even the right password waits');
  assert.ok(Number(right.headers.get('retry-after')) > 0);
  await s.stop();
  await rm(dir, { recursive: true, force: true });
});

test('a new member\'s first post can be held (a setting); links in a new member\'s comment are refused', async (t) => {
  const dir = await freshDataDir();
  await peerdesk(['settings', 'set', 'spam.hold_first_post', '1', '--data', dir]);
  const s = await startServer({ t, dataDir: dir });
  const gina = new Client(s.url);
  await gina.signUp('gina');
  const first = await gina.api('POST', '/questions', { title: 'My very first question here', body: 'Hello, this is my first post ever.', tags: ['hello'] });
  assert.equal(first.status, 202);
  assert.match(first.body.message, /first post/);
  const second = await gina.api('POST', '/questions', { title: 'My second question follows', body: 'The second post is published at once.', tags: ['hello'] });
  assert.equal(second.status, 201, second.text);
  const comment = await gina.api('POST', `/posts/${second.body.id}/comments`, { body: 'See https://a.example/x and https://b.example/y please.' });
  assert.equal(comment.status, 422);
  assert.match(comment.body.error.message, /1 link per post/);
  assert.equal((await gina.api('POST', `/posts/${second.body.id}/comments`, { body: 'Details: https://a.example/x' })).status, 201);
  await s.stop();
  await rm(dir, { recursive: true, force: true });
});
