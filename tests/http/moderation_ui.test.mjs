// What the pages offer matches what the server allows: locked threads, suspended members and
// new members see only the controls they may use, and are told what they need; moderators see
// deleted posts (marked) and can restore them, suspend from a profile, list suspended members,
// see who raised a flag and read the audit log in words.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { Client, ask, answer } from '../support/server.mjs';
import { startCommunity } from '../support/community.mjs';

let server, mod, admin, alice, bob, newbie, dave, anon;

// The page's HTML form post, as a browser without scripts sends it.
const formPost = (who, path, fields) => who.form(path, { csrf_token: who.csrf, ...fields });

before(async () => {
  let clients;
  ({ server, clients } = await startCommunity({
    staff: { mod: 'moderator', boss: 'admin' },
    // Thresholds other than the defaults, to see that the page reads them from the settings.
    settings: { 'privilege.upvote': 12, 'privilege.comment': 40 },
    members: ['alice', 'bob', 'newbie', 'dave'],
  }));
  ({ mod, boss: admin, alice, bob, newbie, dave } = clients);
  anon = new Client(server.url);
  // Bob earns 16: alice accepts his answer. He may vote up and nothing more.
  const q = await ask(alice, 'How do I reset the router to factory settings?');
  const a = await answer(bob, q, 'Hold the reset button for ten seconds until the lights blink.');
  assert.equal((await alice.api('POST', `/answers/${a}/accept`)).status, 200);
});

after(async () => {
  await server.stop();
  await rm(server.dir, { recursive: true, force: true });
  assert.deepEqual(server.errors, [], 'no request made the server log an error');
});

test('a locked thread offers no vote, comment, reply or answer controls, and says it is locked', async () => {
  const q = await ask(alice, 'Locked thread about the billing cycle start');
  const a = await answer(bob, q);
  await bob.api('POST', `/posts/${q}/comments`, { body: 'A comment before the lock came down.' });
  assert.equal((await mod.api('POST', `/questions/${q}/lock`)).status, 200);
  for (const who of [bob, alice, mod]) {
    const html = (await who.request('GET', `/questions/${q}`)).text;
    assert.match(html, /This thread is locked/);
    assert.doesNotMatch(html, /action="\/posts\/\d+\/vote"/, `${who.user.username}: no vote forms`);
    assert.doesNotMatch(html, /Add a comment|class="reply-box"/, `${who.user.username}: no comment or reply boxes`);
    assert.doesNotMatch(html, /Your answer/, `${who.user.username}: no answer form`);
    assert.match(html, new RegExp(`id="answer-${a}"[\\s\\S]*class="score"`), 'scores stay visible');
  }
  await mod.api('POST', `/questions/${q}/unlock`);
  assert.match((await bob.request('GET', `/questions/${q}`)).text, /action="\/posts\/\d+\/vote"/);
});

test('a suspended member reads when the suspension ends instead of the ask and answer forms', async () => {
  const q = await ask(alice, 'Printer drops off the network every night');
  const s = await mod.api('POST', `/users/${dave.user.id}/suspend`, { days: 7, reason: 'repeated spam' });
  assert.equal(s.status, 200, s.text);
  const until = new Date(s.body.suspended_until);
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][until.getUTCMonth()];
  const two = (n) => String(n).padStart(2, '0');
  const readable = `${until.getUTCDate()} ${month} ${until.getUTCFullYear()}, ${two(until.getUTCHours())}:${two(until.getUTCMinutes())} UTC`;
  const page = (await dave.request('GET', `/questions/${q}`)).text;
  assert.ok(new RegExp(`suspended until <time[^>]*>${readable}</time>`).test(page), `the end date in words (${readable})`);
  assert.match(page, /repeated spam/);
  assert.ok(page.includes(`You cannot answer until ${readable}`), 'beside the answer form\'s place');
  assert.doesNotMatch(page, /action="\/questions\/\d+\/answers"/, 'no answer form');
  assert.doesNotMatch(page, /action="\/posts\/\d+\/vote"|Add a comment|href="\?flag=\d+/, 'no votes, comments or flags');
  assert.doesNotMatch(page, /href="\/questions\/ask"/, 'no "Ask a question" in the header');
  const askPage = await dave.request('GET', '/questions/ask');
  assert.equal(askPage.status, 200);
  assert.ok(askPage.text.includes(`You cannot ask a question until ${readable}`));
  assert.doesNotMatch(askPage.text, /action="\/questions\/ask"/, 'no ask form');
  // The server still refuses, whatever the page shows.
  const refused = await formPost(dave, `/questions/${q}/answers`, { body: 'An answer written while suspended.' });
  assert.equal(refused.status, 403);
  await mod.api('POST', `/users/${dave.user.id}/silence`, { reason: 'cooling off' });
  const silenced = (await dave.request('GET', `/questions/${q}`)).text;
  assert.match(silenced, /silenced until a moderator lifts it/);
  assert.doesNotMatch(silenced, /action="\/questions\/\d+\/answers"/);
  await mod.api('POST', `/users/${dave.user.id}/unsuspend`);
  assert.match((await dave.request('GET', `/questions/${q}`)).text, /action="\/questions\/\d+\/answers"/, 'forms come back');
});

test('new members see disabled vote buttons and what each privilege needs, read from the settings', async () => {
  const q = await ask(alice, 'Laptop fan is loud after the update');
  const a = await answer(bob, q);
  const page = (await newbie.request('GET', `/questions/${q}`)).text;
  assert.match(page, /<button type="button" class="vote up" disabled aria-label="Vote up: Voting up needs 12 reputation; you have 1.">/);
  assert.match(page, /title="Voting down needs 125 reputation; you have 1."/);
  assert.match(page, /Commenting on other people(&#39;|')s posts needs 40 reputation; you have 1\./);
  assert.doesNotMatch(page, /Add a comment/, 'no comment box on others\' posts');
  assert.match(page, /id="privilege-hint"[^>]*>Voting up needs 12, commenting on other people(&#39;|')s posts needs 40 and voting down needs 125 reputation; you have 1/);
  assert.match(page, /action="\/questions\/\d+\/answers"/, 'answering needs no reputation');
  // Bob (16) votes up but not down, and is told so.
  const bobs = (await bob.request('GET', `/questions/${q}`)).text;
  assert.match(bobs, new RegExp(`action="/posts/${q}/vote"[\\s\\S]*?aria-label="Vote up: this is useful"`));
  assert.match(bobs, /Vote down: Voting down needs 125 reputation; you have 16\./);
  assert.match(bobs, /You cannot vote on your own post\./, 'his own answer');
  // On their own question a new member may comment, on every post of it.
  const own = await ask(newbie, 'Where is the export button in the new layout?');
  await answer(bob, own);
  const ownPage = (await newbie.request('GET', `/questions/${own}`)).text;
  assert.equal((ownPage.match(/Add a comment/g) || []).length, 2);
  // Anonymous visitors keep their buttons: pressing one leads to sign-in.
  assert.match((await anon.request('GET', `/questions/${q}`)).text, /aria-label="Vote up: this is useful"/);
  assert.equal((await newbie.api('POST', `/posts/${a}/vote`, { value: 1 })).status, 403, 'the server refuses as before');
});

test('moderators see a deleted question and deleted answers, marked, with Undelete; others get 404', async () => {
  const q = await ask(alice, 'Monitor goes dark when the laptop sleeps');
  const a = await answer(bob, q, 'Turn off adaptive sync in the monitor menu first.');
  assert.equal((await mod.api('DELETE', `/posts/${a}`, { reason: 'wrong' })).status, 204);
  const withAnswer = (await mod.request('GET', `/questions/${q}`)).text;
  assert.match(withAnswer, new RegExp(`class="post answer deleted" id="answer-${a}" aria-label="Deleted answer by bob"`));
  assert.match(withAnswer, /Deleted answer<\/strong>/);
  assert.match(withAnswer, new RegExp(`action="/posts/${a}/moderate"[\\s\\S]*?value="undelete"`));
  assert.match(withAnswer, /0 Answers/, 'the heading counts live answers');
  for (const who of [anon, alice, bob]) assert.doesNotMatch((await who.request('GET', `/questions/${q}`)).text, /adaptive sync/);

  assert.equal((await mod.api('DELETE', `/posts/${q}`, { reason: 'spam' })).status, 204);
  const modPage = await mod.request('GET', `/questions/${q}`);
  assert.equal(modPage.status, 200);
  assert.match(modPage.text, /This question is deleted/);
  assert.match(modPage.text, /Undelete question/);
  assert.doesNotMatch(modPage.text, /Your answer|Moderator tools/, 'nothing else to do with a deleted question');
  assert.equal((await admin.request('GET', `/questions/${q}`)).status, 200, 'admins too');
  for (const who of [anon, alice, bob]) assert.equal((await who.request('GET', `/questions/${q}`)).status, 404);

  // The audit log's link to the deleted question opens for a moderator.
  const audit = (await mod.request('GET', `/audit?post=${q}`)).text;
  const link = new RegExp(`href="(/questions/${q})">question ${q}</a>`).exec(audit);
  assert.ok(link, 'the audit row links to the question');
  assert.equal((await mod.request('GET', link[1])).status, 200);
  const answerLink = new RegExp(`href="(/questions/${q}#answer-${a})">answer ${a}</a>`).exec((await mod.request('GET', `/audit?post=${a}`)).text);
  assert.ok(answerLink, 'an answer\'s row links to the answer itself');

  // Undelete from the page (a plain form post), then everyone reads it again.
  const restored = await formPost(mod, `/posts/${q}/moderate`, { action: 'undelete' });
  assert.equal(restored.status, 303);
  assert.equal((await anon.request('GET', `/questions/${q}`)).status, 200);
  assert.equal((await formPost(alice, `/posts/${a}/moderate`, { action: 'undelete' })).status, 403, 'members cannot');
});

test('delete, reject and rotate-key buttons ask first; the policy lets app.js do it', async () => {
  const q = await ask(alice, 'Keyboard repeats letters after waking up');
  const a = await answer(bob, q);
  const page = await mod.request('GET', `/questions/${q}`);
  assert.match(page.text, /value="delete" class="button danger" data-confirm="Delete this question\?/);
  assert.match(page.text, new RegExp(`action="/posts/${a}/moderate"[\\s\\S]*?value="delete" class="link danger" data-confirm="Delete this answer\\?`));
  assert.match(page.headers.get('content-security-policy'), /script-src 'self'/);
  const js = await anon.request('GET', '/static/app.js');
  const script = js.status === 200 ? js.text : (await anon.request('GET', /src="([^"]*app[^"]*\.js)"/.exec(page.text)[1])).text;
  assert.match(script, /data-confirm/);
  await newbie.api('POST', `/posts/${a}/flags`, { reason: 'spam', note: 'an advert' });
  assert.match((await mod.request('GET', '/review')).text, /value="reject" class="button danger" data-confirm="Reject this post\?/);
  assert.equal((await admin.api('POST', '/admin/widget-keys', { name: 'Help center', allowed_origins: ['https://help.example.com'] })).status, 201);
  assert.match((await admin.request('GET', '/admin/widgets')).text, /value="rotate" class="button danger" data-confirm="Rotate this key\?/);
});

test('the header shows moderators how many review items wait', async () => {
  const before = /Review \((\d+)\)/.exec((await mod.request('GET', '/')).text);
  const q = await ask(alice, 'Headset microphone is too quiet in calls');
  await newbie.api('POST', `/posts/${q}/flags`, { reason: 'off_topic' });
  const after = /<a href="\/review"[^>]*>Review \((\d+)\)<\/a>/.exec((await mod.request('GET', '/')).text);
  assert.ok(after, 'a count beside Review');
  assert.equal(Number(after[1]), Number(before ? before[1] : 0) + 1);
  assert.doesNotMatch((await bob.request('GET', '/')).text, /href="\/review"/, 'members have no Review link');
});

test('flags in the review queue say who raised them, linked to their profiles', async () => {
  const q = await ask(alice, 'Webcam shows a black picture in the browser');
  const a = await answer(newbie, q, 'Buy my cheap webcams at the shop, deals every day.');
  await bob.api('POST', `/posts/${a}/flags`, { reason: 'spam', note: 'an advert' });
  await alice.api('POST', `/posts/${a}/flags`, { reason: 'rude' });
  const html = (await mod.request('GET', '/review')).text;
  assert.match(html, new RegExp(`Flagged as spam by <a href="/users/${bob.user.id}">bob</a> \\(\\d+\\): “an advert”`));
  assert.match(html, new RegExp(`Flagged as rude or abusive by <a href="/users/${alice.user.id}">alice</a>`));
  assert.match(html, /href="\/moderation\/suspended"/, 'the review page links to the suspended members');
});

test('moderators suspend and lift from a profile, which shows until when, why and by whom', async () => {
  const target = new Client(server.url);
  await target.signUp('troubled');
  const profile = `/users/${target.user.id}`;
  assert.doesNotMatch((await bob.request('GET', profile)).text, /Moderation<\/h2>/, 'members see no moderation panel');
  const clean = (await mod.request('GET', profile)).text;
  assert.match(clean, /In good standing/);
  assert.match(clean, new RegExp(`<form method="post" action="/users/${target.user.id}/suspend" class="suspend-form">`));

  // Wrong input: a clear 4xx that says what to fix, never a 500.
  for (const [fields, status, message] of [
    [{ kind: 'suspend', days: '0', reason: 'spam' }, 422, /days must be a whole number from 1 to 3650/],
    [{ kind: 'suspend', days: 'seven', reason: 'spam' }, 422, /days must be a whole number/],
    [{ kind: 'suspend', days: '99999999999999999999999', reason: 'spam' }, 422, /days must be a whole number/],
    [{ kind: 'suspend', days: '7', reason: '' }, 422, /Say why/],
    [{ kind: 'suspend', days: '7', reason: 'x'.repeat(501) }, 422, /at most 500/],
  ]) {
    const r = await formPost(mod, `${profile}/suspend`, { back: profile, ...fields });
    assert.equal(r.status, status, JSON.stringify(fields).slice(0, 80));
    assert.match(r.text, message);
  }
  assert.equal((await formPost(bob, `${profile}/suspend`, { back: profile, kind: 'suspend', days: '7', reason: 'x' })).status, 403);
  assert.equal((await formPost(mod, `/users/${admin.user.id}/suspend`, { kind: 'suspend', days: '7', reason: 'x' })).status, 403);
  assert.doesNotMatch((await mod.request('GET', `/users/${admin.user.id}`)).text, /class="suspend-form"/, 'no form a moderator could not use');

  const done = await formPost(mod, `${profile}/suspend`, { back: profile, kind: 'suspend', days: '7', reason: 'heated replies' });
  assert.equal(done.status, 303);
  assert.equal(done.headers.get('location'), profile);
  const suspended = (await mod.request('GET', profile)).text;
  assert.match(suspended, /Suspended until \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC\./);
  assert.match(suspended, /Reason: “heated replies”/);
  assert.match(suspended, new RegExp(`By <a href="/users/${mod.user.id}">mod</a>`));
  assert.match(suspended, /Lift the suspension/);

  const list = await mod.request('GET', '/moderation/suspended');
  assert.equal(list.status, 200);
  assert.match(list.text, new RegExp(`<a href="/users/${target.user.id}">troubled</a></td>\\s*<td>Suspended until \\d{1,2} \\w{3} \\d{4}, \\d\\d:\\d\\d UTC`));
  assert.match(list.text, /heated replies/);
  assert.equal((await bob.request('GET', '/moderation/suspended')).status, 403);
  assert.equal((await anon.request('GET', '/moderation/suspended')).status, 303);

  const silenced = await formPost(mod, `${profile}/suspend`, { back: profile, kind: 'silence', reason: 'cool down' });
  assert.equal(silenced.status, 303);
  assert.match((await mod.request('GET', profile)).text, /Silenced until a moderator lifts it/);
  assert.equal((await formPost(mod, `${profile}/suspend`, { back: profile, lift: '1' })).status, 303);
  assert.match((await mod.request('GET', profile)).text, /In good standing/);
  assert.doesNotMatch((await mod.request('GET', '/moderation/suspended')).text, />troubled</);
});

test('the audit log filters by name (actor or target) and says what happened in words', async () => {
  const original = await ask(alice, 'Scanner saves every page as a separate file');
  const dup = await ask(bob, 'Scanner makes one file per page instead of one PDF');
  assert.equal((await mod.api('POST', `/questions/${dup}/close`, { reason: 'duplicate', duplicate_of: original })).status, 200);
  await mod.api('POST', `/users/${bob.user.id}/suspend`, { days: 7, reason: 'testing the log' });
  await mod.api('POST', `/users/${bob.user.id}/unsuspend`);
  const byTarget = await mod.request('GET', '/audit?user=bob');
  assert.equal(byTarget.status, 200);
  assert.match(byTarget.text, /suspended for 7 days/);
  assert.match(byTarget.text, /testing the log/);
  assert.doesNotMatch(byTarget.text, /7 days: testing/, 'the reason without the code in front');
  assert.match(byTarget.text, /<td title="close">closed as a duplicate of <a href="\/questions\/\d+">question \d+<\/a><\/td>/);
  assert.doesNotMatch(byTarget.text, /<td[^>]*>(lift_suspension|review_reject|suspend)<\/td>/, 'no raw action codes');
  const byActor = (await mod.request('GET', '/audit?user=mod')).text;
  assert.match(byActor, /lifted a suspension/);
  const someoneElse = (await mod.request('GET', '/audit?user=alice')).text;
  assert.doesNotMatch(someoneElse, /testing the log/, 'only rows by or about alice');
  const unknown = await mod.request('GET', '/audit?user=nobody-here');
  assert.equal(unknown.status, 404);
  assert.match(unknown.text, /No member is called “nobody-here”/);
  assert.equal((await mod.request('GET', '/audit?user=' + 'x'.repeat(5000))).status, 404);
});

test('closing as a duplicate offers a picker, and the plain id field still works without scripts', async () => {
  const original = await ask(alice, 'Tablet will not charge with the new cable');
  const dup = await ask(bob, 'Tablet does not charge using a new cable');
  const page = (await mod.request('GET', `/questions/${dup}`)).text;
  assert.match(page, new RegExp(`data-dup-picker="${dup}" hidden`));
  assert.match(page, /<input id="duplicate-of" name="duplicate_of"/);
  const closed = await formPost(mod, `/posts/${dup}/moderate`, { action: 'close', reason: 'duplicate', duplicate_of: String(original) });
  assert.equal(closed.status, 303);
  assert.match((await anon.request('GET', `/questions/${dup}`)).text, /Closed as a duplicate/);
  const bad = await formPost(mod, `/posts/${original}/moderate`, { action: 'close', reason: 'duplicate', duplicate_of: 'abc' });
  assert.equal(bad.status, 422);
  assert.match(bad.text, /Give the id of the original question/);
});
