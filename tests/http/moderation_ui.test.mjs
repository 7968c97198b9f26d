// What the pages offer matches what the server allows: locked threads, suspended members and
// new members see only the controls they may use, and are told what they need; moderators see
// deleted posts (marked) and can restore them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, peerdesk, freshDataDir } from '../support/server.mjs';

let server, mod, admin, alice, bob, newbie, dave, anon;

const ask = async (who, title, body = 'A question body that is long enough to post.', tags = ['general']) => {
  const r = await who.api('POST', '/questions', { title, body, tags });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
};
const answer = async (who, q, body = 'An answer that explains what to do, step by step.') => {
  const r = await who.api('POST', `/questions/${q}/answers`, { body });
  assert.equal(r.status, 201, r.text);
  return r.body.id;
};
// The page's HTML form post, as a browser without scripts sends it.
const formPost = (who, path, fields) => who.form(path, { csrf_token: who.csrf, ...fields });

before(async () => {
  const dir = await freshDataDir();
  await writeFile(join(dir, 'pw'), 'keeper of order 1\n');
  await peerdesk(['user', 'create', 'mod', '--email', 'mod@example.com', '--password-file', join(dir, 'pw'), '--role', 'moderator', '--data', dir]);
  await peerdesk(['user', 'create', 'boss', '--email', 'boss@example.com', '--password-file', join(dir, 'pw'), '--role', 'admin', '--data', dir]);
  // Thresholds other than the defaults, to see that the page reads them from the settings.
  await peerdesk(['settings', 'set', 'privilege.upvote', '12', '--data', dir]);
  await peerdesk(['settings', 'set', 'privilege.comment', '40', '--data', dir]);
  server = await startServer({ dataDir: dir });
  mod = new Client(server.url);
  admin = new Client(server.url);
  await mod.signIn('mod', 'keeper of order 1');
  await admin.signIn('boss', 'keeper of order 1');
  alice = new Client(server.url);
  bob = new Client(server.url);
  newbie = new Client(server.url);
  dave = new Client(server.url);
  anon = new Client(server.url);
  await alice.signUp('alice');
  await bob.signUp('bob');
  await newbie.signUp('newbie');
  await dave.signUp('dave');
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
  const readable = `${until.toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'UTC' })} ${until.getUTCDate()} ${until.toLocaleDateString('en-GB', { month: 'long', timeZone: 'UTC' })} ${until.getUTCFullYear()}`;
  const page = (await dave.request('GET', `/questions/${q}`)).text;
  assert.ok(page.includes(`suspended until ${readable}`), `the end date in words (${readable})`);
  assert.match(page, /repeated spam/);
  assert.ok(page.includes(`You cannot answer until ${readable}`), 'beside the answer form\'s place');
  assert.doesNotMatch(page, /action="\/questions\/\d+\/answers"/, 'no answer form');
  assert.doesNotMatch(page, /action="\/posts\/\d+\/vote"|Add a comment|<summary>Flag<\/summary>/, 'no votes, comments or flags');
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
  assert.match(page, /Commenting on other people(&apos;|')s posts needs 40 reputation; you have 1\./);
  assert.doesNotMatch(page, /Add a comment/, 'no comment box on others\' posts');
  assert.match(page, /id="privilege-hint"[^>]*>Voting up needs 12, commenting on other people(&apos;|')s posts needs 40 and voting down needs 125 reputation; you have 1/);
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
  const link = new RegExp(`href="(/questions/${q})">(question|post) ${q}</a>`).exec(audit);
  assert.ok(link, 'the audit row links to the question');
  assert.equal((await mod.request('GET', link[1])).status, 200);
  const answerLink = new RegExp(`href="(/questions/${q}#answer-${a})">(answer|post) ${a}</a>`).exec((await mod.request('GET', `/audit?post=${a}`)).text);
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
