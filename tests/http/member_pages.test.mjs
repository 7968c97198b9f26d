// A thread's page is rendered once for all members and each member's part is added to it: their
// votes, their controls, their token. These tests hold that one member never sees another's
// part, that a write shows at once, and that the page, without scripts, still does its work
// through plain form posts.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, peerdesk, freshDataDir, ask, answer } from '../support/server.mjs';
import { membersSettled } from '../support/members.mjs';

let server, mod, alice, bob, carol, anon, q, a;

// The page's HTML form post, as a browser without scripts sends it (formaction and all).
const formPost = (who, path, fields) => who.form(path, { csrf_token: who.csrf, ...fields });
const page = async (who, path = `/questions/${q}`) => {
  const r = await who.request('GET', path);
  assert.equal(r.status, 200, r.text);
  return r.text;
};
const tokensIn = (html) => [...new Set([...html.matchAll(/name="csrf_token" value="([^"]+)"/g)].map((m) => m[1]))];
const pressed = (html, post, dir) =>
  new RegExp(`formaction="/posts/${post}/vote" name="value" value="[^"]*" class="vote ${dir} on" aria-pressed="true"`).test(html);

before(async () => {
  const dir = await freshDataDir();
  await writeFile(join(dir, 'pw'), 'keeper of order 1\n');
  await peerdesk(['user', 'create', 'mod', '--email', 'mod@example.com', '--password-file', join(dir, 'pw'), '--role', 'moderator', '--data', dir]);
  // Everyone may vote both ways and comment anywhere, so that each control shows.
  for (const key of ['privilege.upvote', 'privilege.downvote', 'privilege.comment'])
    await peerdesk(['settings', 'set', key, '0', '--data', dir]);
  server = await startServer({ dataDir: dir });
  mod = new Client(server.url);
  await mod.signIn('mod', 'keeper of order 1');
  [alice, bob, carol, anon] = [0, 1, 2, 3].map(() => new Client(server.url));
  await alice.signUp('alice');
  await bob.signUp('bob');
  await carol.signUp('carol');
  q = await ask(alice, 'The dock does not wake the monitor after sleep');
  a = await answer(bob, q);
});
after(async () => {
  await server.stop();
  assert.deepEqual(server.errors, []);
});

test('each member sees their own votes and token on a page the others share', async () => {
  assert.equal((await carol.api('POST', `/posts/${a}/vote`, { value: 1 })).status, 200);
  assert.equal((await bob.api('POST', `/posts/${q}/vote`, { value: -1 })).status, 200);
  // The member worker's figures and badges for the votes are writes, and a write renews the
  // kept thread: they go first.
  await membersSettled(server);
  // Read in turn, so that later readers get the kept page.
  for (let round = 0; round < 2; round++) {
    const [forBob, forCarol, forAnon] = [await page(bob), await page(carol), await page(anon)];
    assert.ok(pressed(forBob, q, 'down'), 'bob sees his vote down on the question');
    assert.ok(!pressed(forBob, a, 'up'), 'and not carol\'s vote on his answer');
    assert.ok(pressed(forCarol, a, 'up'), 'carol sees her vote up on the answer');
    assert.ok(!pressed(forCarol, q, 'down'), 'and not bob\'s vote');
    assert.deepEqual(tokensIn(forBob), [bob.csrf], 'only bob\'s token on bob\'s page');
    assert.deepEqual(tokensIn(forCarol), [carol.csrf]);
    assert.deepEqual(tokensIn(forAnon), []);
    assert.ok(!pressed(forAnon, q, 'down') && !pressed(forAnon, a, 'up'));
    assert.match(forBob, /title="Your profile">bob /);
    assert.match(forCarol, /title="Your profile">carol /);
  }
  // The thread was rendered once for them: a member's next page only adds their part to it.
  const kept = await carol.request('GET', `/questions/${q}`);
  assert.match(kept.headers.get('server-timing'), /^viewer;dur=[\d.]+, total;dur=[\d.]+$/);
});

test('the page offers each member what they may do, and nothing of anyone else\'s', async () => {
  const forAlice = await page(alice);
  const forBob = await page(bob);
  // Alice asked: she may accept, edit her question, not flag it or vote on it.
  assert.match(forAlice, new RegExp(`formaction="/answers/${a}/accept" name="action" value="accept"`));
  assert.match(forAlice, new RegExp(`href="/posts/${q}/edit"`));
  assert.doesNotMatch(forAlice, new RegExp(`href="\\?flag=${q}#`));
  assert.match(forAlice, /title="You cannot vote on your own post\."/);
  // Bob answered: no accept button, his own answer to edit, her question to flag.
  assert.doesNotMatch(forBob, /\/accept"/);
  assert.match(forBob, new RegExp(`href="/posts/${a}/edit"`));
  assert.doesNotMatch(forBob, new RegExp(`href="/posts/${q}/edit"`));
  assert.match(forBob, new RegExp(`href="\\?flag=${q}#flag-${q}"`));
  // Moderators get their tools; members do not, though they read the same thread.
  const forMod = await page(mod);
  assert.match(forMod, new RegExp(`formaction="/posts/${a}/moderate" name="action" value="delete"`));
  assert.doesNotMatch(forBob, /\/moderate"/);
});

test('a write shows to members at once', async () => {
  await page(bob);
  const c = await carol.api('POST', `/posts/${a}/comments`, { body: 'Which dock model is it, the USB-C one?' });
  assert.equal(c.status, 201);
  const after = await page(bob);
  assert.match(after, /Which dock model is it, the USB-C one\?/);
  assert.match(after, new RegExp(`href="\\?flag_comment=${c.body.id}#flag-comment-${c.body.id}"`), 'bob may flag carol\'s comment');
  assert.doesNotMatch(await page(carol), new RegExp(`href="\\?flag_comment=${c.body.id}#`), 'carol may not flag her own');
});

test('without scripts: vote, accept, comment, reply and flag through plain forms', async () => {
  // The vote button posts the page's one form to its own address.
  const html = await page(carol);
  assert.match(html, /<form id="act" method="post" action="\/questions\/\d+" hidden><input type="hidden" name="csrf_token" value="[^"]+"><\/form>/);
  const voted = await formPost(carol, `/posts/${q}/vote`, { value: '1' });
  assert.equal(voted.status, 303);
  assert.ok(pressed(await page(carol), q, 'up'), 'the vote shows after the redirect');
  const accepted = await formPost(alice, `/answers/${a}/accept`, { action: 'accept' });
  assert.equal(accepted.status, 303);
  assert.match(await page(alice), new RegExp(`formaction="/answers/${a}/accept" name="action" value="unaccept"`));
  // "Add a comment" leads to the page with that form open, and only that one.
  const link = new RegExp(`href="(\\?comment=${a}#add-comment-${a})"`).exec(html)[1];
  const open = await page(carol, `/questions/${q}${link.split('#')[0]}`);
  assert.equal((open.match(/class="comment-form comment-box open-form"/g) || []).length, 1);
  assert.match(open, new RegExp(`<form method="post" action="/posts/${a}/comments" class="comment-form comment-box open-form" id="add-comment-${a}">`));
  const commented = await formPost(carol, `/posts/${a}/comments`, { body: 'It is the USB-C dock from last year.' });
  assert.equal(commented.status, 303);
  const comment = /#comment-(\d+)$/.exec(commented.headers.get('location'))[1];
  // A reply, from the Reply link's page.
  const replyPage = await page(bob, `/questions/${q}?reply=${comment}`);
  assert.match(replyPage, new RegExp(`id="reply-form-${comment}"[\\s\\S]*?name="reply_to" value="${comment}"`));
  assert.equal((await formPost(bob, `/posts/${a}/comments`, { body: 'Thanks, that narrows it down.', reply_to: comment })).status, 303);
  // A flag, from the Flag link's page: the post's form, with nothing chosen.
  const flagPage = await page(bob, `/questions/${q}?flag=${q}`);
  const form = new RegExp(`<form method="post" action="/posts/${q}/flag"[\\s\\S]*?</form>`).exec(flagPage)[0];
  assert.doesNotMatch(form, /\b(checked|selected)\b/);
  const flagged = await formPost(bob, `/posts/${q}/flag`, { reason: 'off_topic' });
  assert.equal(flagged.status, 201);
  // A form that a member may not use is not opened for them, whatever the link says.
  assert.doesNotMatch(await page(alice, `/questions/${q}?flag=${q}`), new RegExp(`action="/posts/${q}/flag"`), 'not her own post');
  assert.doesNotMatch(await page(anon, `/questions/${q}?comment=${a}`), /class="comment-form/, 'not signed out');
});

test('the signed-in page weighs little more than the anonymous one', async () => {
  // Several answers and comments, where forms repeated per post used to double the page.
  for (let i = 0; i < 6; i++) {
    const id = await answer(i % 2 ? bob : carol, q, `Answer ${i}: unplug the dock, wait ten seconds and plug it in again.`);
    await alice.api('POST', `/posts/${id}/comments`, { body: `Did answer ${i} work for anyone else here?` });
  }
  const member = Buffer.byteLength(await page(carol));
  const anonymous = Buffer.byteLength(await page(anon));
  assert.ok(member <= anonymous * 1.25, `signed in ${member} bytes, anonymous ${anonymous}`);
});

test('list pages share their content among members, and each keeps their own header', async () => {
  for (let round = 0; round < 2; round++) {
    const [forBob, forCarol] = [await page(bob, '/'), await page(carol, '/')];
    assert.match(forBob, /title="Your profile">bob /);
    assert.doesNotMatch(forBob, /title="Your profile">carol /);
    assert.match(forCarol, /title="Your profile">carol /);
    assert.deepEqual(tokensIn(forBob), [bob.csrf], 'the sign-out form carries bob\'s token alone');
    assert.deepEqual(tokensIn(forCarol), [carol.csrf]);
  }
  const fresh = await ask(carol, 'Bluetooth mouse lags on the second monitor');
  assert.match(await page(bob, '/'), new RegExp(`href="/questions/${fresh}"`), 'a new question shows at once');
});
