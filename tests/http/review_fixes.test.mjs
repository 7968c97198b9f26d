// The holes an outside review found, each proven closed against the real server: script from
// the query string, redirects through control characters, access to what was deleted, powers
// kept while suspended, review races, counts that drift, and the smaller ones.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, peerdesk, freshDataDir, eventually, ask, answer } from '../support/server.mjs';

let server, mod, mod2, admin, alice, bob, carol, dave, anon;
const password = 'keeper of order 1';

const reputationOf = async (user) => (await anon.api('GET', `/users/${user.id}`)).body.reputation;
const ledgerOf = async (user) => (await anon.api('GET', `/users/${user.id}/reputation?pagesize=100`)).body;

before(async () => {
  const dir = await freshDataDir();
  await writeFile(join(dir, 'pw'), password + '\n');
  for (const [name, role] of [['mod', 'moderator'], ['mod2', 'moderator'], ['boss', 'admin']])
    await peerdesk(['user', 'create', name, '--email', `${name}@example.com`, '--password-file', join(dir, 'pw'), '--role', role, '--data', dir]);
  await peerdesk(['settings', 'set', 'flags.established_reputation', '1', '--data', dir]);
  await peerdesk(['settings', 'set', 'flags.hide_after', '3', '--data', dir]);
  server = await startServer({ dataDir: dir });
  [mod, mod2, admin, alice, bob, carol, dave, anon] = Array.from({ length: 8 }, () => new Client(server.url));
  await mod.signIn('mod', password);
  await mod2.signIn('mod2', password);
  await admin.signIn('boss', password);
  for (const [c, name] of [[alice, 'alice'], [bob, 'bob'], [carol, 'carol'], [dave, 'dave']]) await c.signUp(name);
});

after(async () => {
  await server?.stop();
});

test('the widget demo page loads only this community\'s widget, whatever the query string says', async () => {
  for (const evil of ['https://evil.example', 'http://127.0.0.1.evil.example', 'javascript:alert(1)']) {
    const r = await anon.request('GET', `/widget/demo?key=abc&community=${encodeURIComponent(evil)}`);
    assert.equal(r.status, 200);
    assert.ok(!r.text.includes('evil.example'), 'no script source from the query string');
    assert.ok(!r.headers.get('content-security-policy').includes('evil'), 'no CSP source from the query string');
    // Served on 127.0.0.1, the demo stands in for another site: the widget comes from localhost.
    const port = new URL(server.url).port;
    assert.ok(r.text.includes(`<script src="http://localhost:${port}/widget.js" data-key="abc" async>`), r.text);
    assert.match(r.headers.get('content-security-policy'), new RegExp(`script-src http://localhost:${port};`));
  }
});

test('a redirect after signing in never leaves the site through a tab, a form feed or a backslash', async () => {
  const signedIn = new Client(server.url);
  await signedIn.signIn('alice');
  for (const next of ['/\t/evil.example', '/\u000b/evil.example', '/\u000c/evil.example', '/\\evil.example',
    '/ /evil.example', '//evil.example', 'https://evil.example', '/\u007f/evil.example']) {
    const r = await signedIn.request('GET', `/signin?next=${encodeURIComponent(next)}`);
    assert.equal(r.status, 303, JSON.stringify(next));
    assert.equal(r.headers.get('location'), '/', JSON.stringify(next));
    const form = await anon.request('GET', `/signin?next=${encodeURIComponent(next)}`);
    assert.ok(!form.text.includes('evil.example'), 'the form does not carry the target on');
  }
  const fine = await signedIn.request('GET', `/signin?next=${encodeURIComponent('/questions?page=2#top')}`);
  assert.equal(fine.headers.get('location'), '/questions?page=2#top');
});

test('the answers of a deleted question are deleted too: no reading, voting, commenting, editing or flagging', async () => {
  const q = await ask(alice, 'Why does my thermostat forget its schedule overnight?');
  const a = await answer(bob, q, 'The backup battery is flat: replace the coin cell behind the front panel.');
  assert.equal((await carol.api('GET', `/posts/${a}/revisions`)).status, 200);
  const bobBefore = await reputationOf(bob.user);
  assert.equal((await mod.api('DELETE', `/posts/${q}`, { reason: 'asked twice' })).status, 204);

  for (const who of [anon, carol, bob]) {
    assert.equal((await who.api('GET', `/posts/${a}/revisions`)).status, 404);
    assert.equal((await who.request('GET', `/posts/${a}/revisions`)).status, 404);
  }
  assert.equal((await mod.api('POST', `/posts/${a}/vote`, { value: 1 })).status, 404);
  assert.equal((await carol.api('POST', `/posts/${a}/comments`, { body: 'Did that fix it for you in the end?' })).status, 404);
  assert.equal((await bob.api('PATCH', `/answers/${a}`, { body: 'The backup battery is flat; here is how to replace it.' })).status, 404);
  assert.equal((await carol.api('POST', `/posts/${a}/flags`, { reason: 'spam' })).status, 404);
  assert.equal((await bob.api('DELETE', `/posts/${a}`)).status, 404);
  assert.equal(await reputationOf(bob.user), bobBefore, 'no vote moved reputation');

  // Moderators read it, marked as deleted.
  const seen = await mod.api('GET', `/posts/${a}/revisions`);
  assert.equal(seen.status, 200);
  assert.equal(seen.body.post_deleted, true);
  assert.match(seen.body.items[0].body_markdown, /coin cell/);
  const page = await mod.request('GET', `/posts/${a}/revisions`);
  assert.equal(page.status, 200);
  assert.match(page.text, /This post is deleted/);

  // Undeleted, the thread is live again for everyone.
  assert.equal((await mod.api('POST', `/posts/${q}/undelete`, {})).status, 200);
  assert.equal((await mod.api('POST', `/posts/${a}/vote`, { value: 1 })).status, 200);
  assert.equal((await anon.api('GET', `/posts/${a}/revisions`)).status, 200);
  assert.ok(await reputationOf(bob.user) > bobBefore, 'a vote on the live answer counts');
});

test('a suspended moderator holds no moderator power until the suspension ends', async () => {
  const q = await ask(alice, 'How do I pair a second remote with the soundbar?');
  assert.equal((await admin.api('POST', `/users/${mod2.user.id}/suspend`, { days: 2, reason: 'careless closing' })).status, 200);
  assert.equal((await mod2.api('POST', `/questions/${q}/lock`)).status, 403);
  assert.equal((await mod2.api('POST', `/questions/${q}/close`, { reason: 'off_topic' })).status, 403);
  assert.equal((await mod2.api('DELETE', `/posts/${q}`, { reason: 'x' })).status, 403);
  assert.equal((await mod2.api('POST', `/users/${dave.user.id}/suspend`, { days: 1, reason: 'x' })).status, 403);
  assert.equal((await mod2.api('GET', '/review')).status, 403);
  assert.equal((await mod2.api('GET', '/audit')).status, 403);
  assert.equal((await mod2.request('GET', '/review')).status, 403);
  const thread = await anon.api('GET', `/questions/${q}`);
  assert.equal(thread.body.locked, false, 'nothing changed');
  // A moderator cannot lift what an admin imposed; the admin can.
  assert.equal((await mod.api('POST', `/users/${mod2.user.id}/unsuspend`)).status, 403);
  assert.equal((await admin.api('POST', `/users/${mod2.user.id}/unsuspend`)).status, 200);
  assert.equal((await mod2.api('POST', `/questions/${q}/lock`)).status, 200);
});

test('a moderator cannot lift a suspension an admin imposed, nor edit or delete an admin\'s post', async () => {
  assert.equal((await admin.api('POST', `/users/${dave.user.id}/suspend`, { days: 1, reason: 'spam wave' })).status, 200);
  const lift = await mod.api('POST', `/users/${dave.user.id}/unsuspend`);
  assert.equal(lift.status, 403);
  assert.match(lift.body.error.message, /admin/);
  assert.equal((await mod.api('POST', `/users/${dave.user.id}/suspend`, { days: 9, reason: 'longer' })).status, 403);
  assert.equal((await admin.api('POST', `/users/${dave.user.id}/unsuspend`)).status, 200);
  // A moderator's own suspension can be lifted by another moderator.
  assert.equal((await mod.api('POST', `/users/${dave.user.id}/suspend`, { days: 1, reason: 'again' })).status, 200);
  assert.equal((await mod2.api('POST', `/users/${dave.user.id}/unsuspend`)).status, 200);

  const q = await ask(admin, 'Announcement: the firmware 4.2 rollout schedule for all routers');
  const edit = await mod.api('PATCH', `/questions/${q}`, { body: 'Rewritten by a moderator, which must not happen.', summary: 'tidy' });
  assert.equal(edit.status, 403);
  assert.equal((await mod.api('DELETE', `/posts/${q}`, { reason: 'x' })).status, 403);
  assert.equal((await anon.api('GET', `/questions/${q}`)).status, 200);
  assert.equal((await admin.api('PATCH', `/questions/${q}`, { body: 'The rollout starts on Monday for every router.' })).status, 200);
});

test('an author cannot undelete a post a moderator removed as spam after the author deleted it', async () => {
  const q = await ask(alice, 'Which cable do I need for the 4K projector?');
  const a = await answer(dave, q, 'Buy the cable from my shop, it is the only one that works, trust me.');
  assert.equal((await carol.api('POST', `/posts/${a}/flags`, { reason: 'spam' })).status, 201);
  assert.equal((await dave.api('DELETE', `/posts/${a}`)).status, 204);
  const item = (await mod.api('GET', '/review')).body.items.find((i) => i.post_id === a);
  assert.ok(item, 'the flagged answer is in the queue');
  assert.equal((await mod.api('POST', `/review/${item.id}`, { action: 'reject', note: 'shop spam' })).status, 200);
  const undo = await dave.api('POST', `/posts/${a}/undelete`, {});
  assert.equal(undo.status, 403);
  assert.equal((await anon.api('GET', `/questions/${q}`)).body.answers.length, 0);
});

test('two decisions on one review item: the first counts, the second gets 409 and changes nothing', async () => {
  const q = await ask(alice, 'Can I use the old charger with the new headset?');
  const a = await answer(bob, q, 'Cheap pills and casino bonus codes at my totally legit site.');
  assert.equal((await carol.api('POST', `/posts/${a}/flags`, { reason: 'spam' })).status, 201);
  const item = (await mod.api('GET', '/review')).body.items.find((i) => i.post_id === a);
  const before = await ledgerOf(bob.user);
  const results = await Promise.all([
    mod.api('POST', `/review/${item.id}`, { action: 'reject', note: 'spam' }),
    mod2.api('POST', `/review/${item.id}`, { action: 'reject', note: 'spam' }),
    mod.api('POST', `/review/${item.id}`, { action: 'approve' }),
  ]);
  const statuses = results.map((r) => r.status).sort();
  assert.equal(statuses.filter((s) => s === 200).length, 1, JSON.stringify(statuses));
  assert.ok(statuses.filter((s) => s !== 200).every((s) => s === 409 || s === 404), JSON.stringify(statuses));
  const after = await ledgerOf(bob.user);
  const penalties = after.items.filter((r) => r.reason === 'removed_as_spam_or_abuse').length -
    before.items.filter((r) => r.reason === 'removed_as_spam_or_abuse').length;
  const decided = results.find((r) => r.status === 200);
  assert.equal(penalties, decided.body.outcome === 'reject' ? 1 : 0, 'the penalty at most once');
  const audit = (await mod.api('GET', `/audit?pagesize=100`)).body.items.filter((e) => e.post_id === a && e.action.startsWith('review_'));
  assert.equal(audit.length, 1, 'one audit row');
});

test('a question hidden by flags and approved again leaves the site and tag counts as they were', async () => {
  const count = async () => ({
    site: (await anon.api('GET', '/questions')).body.total,
    tag: ((await anon.api('GET', '/tags?pagesize=100')).body.items.find((t) => t.name === 'countme') || { count: 0 }).count,
  });
  await ask(alice, 'A question that stays in the countme tag for good', 'Body of the question that stays around.', ['countme']);
  const q = await ask(alice, 'A question that three members will flag as spam', 'Body of the question that gets flagged.', ['countme']);
  const start = await count();
  for (const name of ['flagger1', 'flagger2', 'flagger3']) {
    const who = new Client(server.url);
    await who.signUp(name);
    assert.equal((await who.api('POST', `/posts/${q}/flags`, { reason: 'spam' })).status, 201);
  }
  assert.equal((await anon.api('GET', `/questions/${q}`)).status, 404, 'hidden');
  assert.deepEqual(await count(), { site: start.site - 1, tag: start.tag - 1 });
  const item = (await mod.api('GET', '/review')).body.items.find((i) => i.post_id === q);
  assert.equal((await mod.api('POST', `/review/${item.id}`, { action: 'approve' })).status, 200);
  assert.deepEqual(await count(), start);
});

test('a moderator can hide the text of an earlier revision, with an audit row; never the current one', async () => {
  const q = await ask(alice, 'How do I move my account to a new phone number?', 'My number is +44 7700 900123 and it changed last week.');
  assert.equal((await alice.api('PATCH', `/questions/${q}`, { body: 'My number changed last week; how do I move the account?', summary: 'remove my number' })).status, 200);
  const revisions = (await anon.api('GET', `/posts/${q}/revisions`)).body.items;
  assert.equal(revisions.length, 2);
  assert.equal((await alice.api('POST', `/revisions/${revisions[0].id}/redact`, { reason: 'personal data' })).status, 403);
  assert.equal((await mod.api('POST', `/revisions/${revisions[0].id}/redact`, {})).status, 422, 'a reason is required');
  assert.equal((await mod.api('POST', `/revisions/${revisions[1].id}/redact`, { reason: 'x' })).status, 409, 'not the current text');
  const done = await mod.api('POST', `/revisions/${revisions[0].id}/redact`, { reason: 'a phone number' });
  assert.equal(done.status, 200, done.text);
  for (const who of [anon, mod]) {
    const api = (await who.api('GET', `/posts/${q}/revisions`)).body.items;
    assert.equal(api[0].redacted, true);
    assert.equal(api[0].body_markdown, '');
    const page = await who.request('GET', `/posts/${q}/revisions`);
    assert.ok(!page.text.includes('7700 900123'));
    assert.match(page.text, /A moderator hid the text of this revision/);
  }
  assert.equal((await mod.api('POST', `/revisions/${revisions[0].id}/redact`, { reason: 'again' })).status, 409);
  const audit = (await mod.api('GET', '/audit?pagesize=100')).body.items;
  assert.ok(audit.some((e) => e.action === 'redact_revision' && e.post_id === q && /a phone number/.test(e.reason)));
});

test('signed-in pages are never stored by the browser', async () => {
  for (const path of ['/', `/users/${alice.user.id}`, '/questions']) {
    assert.equal((await alice.request('GET', path)).headers.get('cache-control'), 'no-store', path);
    assert.notEqual((await anon.request('GET', path)).headers.get('cache-control'), 'no-store', path);
  }
});

test('widget clicks count only for live questions', async () => {
  const k = (await admin.api('POST', '/admin/widget-keys', { name: 'Clicks', allowed_origins: ['https://help.example'] })).body;
  const q = await ask(alice, 'Where do I find the serial number of the speaker?');
  const gone = await ask(alice, 'A question that will be deleted before anyone clicks');
  assert.equal((await alice.api('DELETE', `/posts/${gone}`)).status, 204);
  for (const id of [999999, gone]) assert.equal((await anon.request('GET', `/widget/go/${id}?key=${k.key}`)).status, 404);
  assert.equal((await anon.request('GET', `/widget/go/${q}?key=${k.key}`)).status, 302);
  await eventually(async () => (await admin.api('GET', `/admin/widget-keys/${k.id}/usage`)).body.clicks === 1, 'the click');
  assert.equal((await admin.api('GET', `/admin/widget-keys/${k.id}/usage`)).body.clicks, 1);
});

test('a username that differs from a taken one only by case or trailing punctuation is refused', async () => {
  for (const name of ['alice.', 'Alice_', 'ALICE-', 'alice..']) {
    const r = await anon.api('POST', '/users', { username: name, email: `${name.replace(/[^a-z]/gi, '')}x@example.com`, password: 'a long enough password' });
    assert.equal(r.status, 409, name);
    assert.equal(r.body.error.field, 'username');
  }
  assert.equal((await anon.api('POST', '/users', { username: 'alice.b', email: 'aliceb@example.com', password: 'a long enough password' })).status, 201);
});

test('titles with direction overrides or zero-width characters are refused with a message', async () => {
  for (const hidden of ['\u202e', '\u200b', '\u2066', '\ufeff']) {
    const r = await alice.api('POST', '/questions', { title: `How do I reset ${hidden}the router to factory settings?`, body: 'A question body that is long enough to post.', tags: ['general'] });
    assert.equal(r.status, 422);
    assert.equal(r.body.error.field, 'title');
    assert.match(r.body.error.message, /invisible/);
  }
});

test('images from other sites and schemes behind https: never reach a reader\'s browser', async () => {
  const q = await ask(alice, 'What do the blinking lights on the modem mean?',
    'Mine look like this: ![lights](https://tracker.example/pixel.gif) and [docs](https:javascript:alert(1)) ![x](https:javascript:alert(1))');
  const page = await anon.request('GET', `/questions/${q}`);
  assert.ok(!/<img[^>]+tracker\.example/.test(page.text), 'no image from another site');
  assert.match(page.text, /<a href="https:\/\/tracker\.example\/pixel\.gif"[^>]*>Image: lights<\/a>/);
  assert.ok(!page.text.includes('javascript:alert'), 'no javascript target');
});

const searchApi = async (q) => (await anon.api('GET', `/search?q=${encodeURIComponent(q)}`)).body;

test('a closed duplicate never names an original that was removed, in search, similar or the widget', async () => {
  const original = await ask(alice, 'Original about the quokkaphone pairing failure', 'The quokkaphone will not pair at all.');
  const dup = await ask(bob, 'Duplicate wombatcable question kept for searching', 'The wombatcable pairing trouble again.');
  assert.equal((await mod.api('POST', `/questions/${dup}/close`, { reason: 'duplicate', duplicate_of: original })).status, 200);
  const led = await eventually(async () => (await searchApi('wombatcable')).items.find((h) => h.question_id === original), 'the duplicate indexed');
  assert.equal(led.title, 'Original about the quokkaphone pairing failure');
  assert.match(led.snippet_html, /quokkaphone/, 'the original\'s text goes with its title');

  assert.equal((await mod.api('DELETE', `/posts/${original}`, { reason: 'wrong' })).status, 204);
  const hits = await eventually(async () => {
    const items = (await searchApi('wombatcable')).items;
    return items.length && items.every((h) => h.question_id !== original) ? items : null;
  }, 'the removed original to drop out');
  assert.equal(hits[0].question_id, dup);
  assert.equal(hits[0].title, 'Duplicate wombatcable question kept for searching');
  const similar = (await anon.api('GET', `/similar?title=${encodeURIComponent('wombatcable question kept')}`)).body.items;
  assert.ok(similar.every((h) => !/quokkaphone/.test(h.title)), JSON.stringify(similar));
  const page = await anon.request('GET', '/search?q=wombatcable');
  assert.ok(!page.text.includes('quokkaphone'), 'the search page does not name the removed original');
  const k = (await admin.api('POST', '/admin/widget-keys', { name: 'Dups', allowed_origins: ['https://help.example'] })).body;
  const widget = await anon.request('GET', `/api/v1/widget/search?key=${k.key}&q=wombatcable`, { headers: { origin: 'https://help.example' } });
  assert.equal(widget.status, 200);
  assert.ok(!widget.text.includes('quokkaphone'));
});

test('a reputation history keeps every row but neither names nor links a removed post', async () => {
  const q = await ask(alice, 'Which fuse does the garden lighting transformer take?');
  const a = await answer(carol, q, 'A 3.15 A slow-blow fuse, the one printed on the lid.');
  assert.equal((await mod.api('POST', `/posts/${a}/vote`, { value: 1 })).status, 200);
  const rows = async () => (await anon.api('GET', `/users/${carol.user.id}/reputation?pagesize=100`)).body.items;
  assert.ok((await rows()).some((r) => r.post_id === a));
  assert.match((await anon.request('GET', `/users/${carol.user.id}`)).text, /garden lighting transformer/);
  assert.equal((await mod.api('DELETE', `/posts/${q}`, { reason: 'gone' })).status, 204);
  const after = await rows();
  assert.ok(after.some((r) => r.delta === 10), 'the row stays');
  assert.ok(after.every((r) => r.post_id !== a), 'but names no removed post');
  const profile = await anon.request('GET', `/users/${carol.user.id}`);
  assert.ok(!profile.text.includes('garden lighting transformer'), 'the profile does not name it');
  assert.ok(!profile.text.includes(`/questions/${q}`), 'nor link it');
});

test('a misspelt word is corrected only to words live text still holds', async () => {
  // Typo tolerance searches a misspelt word as the community's word ("corrected"), or offers it
  // ("suggestion") when that finds nothing; either way only words some indexed post still holds.
  const offered = async (q) => { const b = await searchApi(q); return b.corrected ?? b.suggestion; };
  const q = await ask(alice, 'Setting up the zanzibarquux hub for the first time');
  await eventually(async () => (await searchApi('zanzibarquux')).items.length > 0, 'indexed');
  assert.equal(await offered('zanzibarqux'), 'zanzibarquux');
  assert.equal((await searchApi('zanzibarqux')).items[0]?.question_id, q, 'the misspelt word finds the thread');
  assert.equal((await alice.api('PATCH', `/questions/${q}`, { title: 'Setting up the smart hub for the very first time' })).status, 200);
  await eventually(async () => (await searchApi('zanzibarquux')).items.length === 0, 'the edit indexed');
  assert.equal(await offered('zanzibarqux'), undefined, 'edited-away words are not offered');

  const other = await ask(alice, 'Where is the frobnicatorz reset switch on the base?');
  await eventually(async () => (await searchApi('frobnicatorz')).items.length > 0, 'indexed');
  assert.equal(await offered('frobnicatorx'), 'frobnicatorz');
  assert.equal((await alice.api('DELETE', `/posts/${other}`)).status, 204);
  // The page forgets the post at once; the index and its words follow within moments.
  assert.equal((await searchApi('frobnicatorz')).items.length, 0);
  await eventually(async () => (await offered('frobnicatorx')) === undefined, 'words of deleted posts to be forgotten');
});

test('/similar refuses a title longer than a title can be, and looks at a title\'s worth of words', async () => {
  const long = await anon.api('GET', `/similar?title=${encodeURIComponent('router '.repeat(150))}`);
  assert.equal(long.status, 422);
  assert.equal(long.body.error.field, 'title');
  assert.match(long.body.error.message, /at most 150 characters/);
  await ask(alice, 'The xylobrontic amplifier hums when the lights dim');
  await eventually(async () => {
    const r = await anon.api('GET', '/similar?title=xylobrontic');
    assert.equal(r.status, 200, r.text);
    return r.body.items.length > 0;
  }, 'indexed');
  // A full-length title of many short words is fine: the words past a title's worth are not looked at.
  const many = ('xylobrontic ' + Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ')).slice(0, 150);
  const r = await anon.api('GET', `/similar?title=${encodeURIComponent(many)}`);
  assert.equal(r.status, 200);
});
