// Ideas against the real server: proposing, the board, votes from a budget, statuses with a
// public history and their notifications, merging, links from questions, search, the feed, and
// every bad input the issue names — each a clear 4xx that changes nothing.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Client, ask, eventually, peerdesk, startServer } from '../support/server.mjs';
import { startCommunity } from '../support/community.mjs';

let server, dir, mod, alice, bob, carol, dave;
const budget = 3;

before(async () => {
  let clients;
  ({ dir, server, clients } = await startCommunity({
    staff: { mod: 'moderator' },
    settings: { 'privilege.upvote': 0, 'privilege.comment': 0, 'ideas.vote_budget': budget },
    members: ['alice', 'bob', 'carol', 'dave'],
  }));
  ({ mod, alice, bob, carol, dave } = clients);
});
after(async () => {
  await server?.stop();
});

let n = 0;
async function propose(who, what, tags = ['export']) {
  const r = await who.api('POST', '/ideas', {
    title: `${what}: an idea worth building, number ${++n}`,
    body: `It would help us a lot if the product could do this (${what}).`,
    tags,
  });
  assert.equal(r.status, 201, r.text);
  return r.body;
}
const get = async (id, who = alice) => (await who.api('GET', `/ideas/${id}`)).body;
const refused = (r, status, code) => {
  assert.equal(r.status, status, r.text);
  assert.equal(r.body.error.code, code, r.text);
  assert.ok(r.body.error.message.length > 10, r.text);
};

test('a proposed idea is on the board and in its API shape, never in the question lists or tag counts', async () => {
  const questionsBefore = (await alice.api('GET', '/questions')).body.total;
  const tagsBefore = (await alice.api('GET', '/tags')).body.items;
  const idea = await propose(alice, 'board', ['billing']);
  assert.equal(idea.status, 'new');
  assert.equal(idea.votes, 0);
  assert.equal(idea.my_vote, 0);
  assert.equal(idea.merged_into, null);
  assert.deepEqual(idea.status_history, []);
  assert.deepEqual(idea.linked_questions, []);
  assert.match(idea.body_html, /<p>It would help/);
  const board = (await bob.api('GET', '/ideas?sort=newest')).body;
  assert.ok(board.items.some((i) => i.id === idea.id && i.url === `/ideas/${idea.id}`), JSON.stringify(board));
  assert.ok(board.total >= 1);
  const questions = (await alice.api('GET', '/questions?sort=newest')).body;
  assert.equal(questions.total, questionsBefore);
  assert.ok(!questions.items.some((q) => q.id === idea.id));
  assert.deepEqual((await alice.api('GET', '/tags')).body.items, tagsBefore);
  const tagged = (await alice.api('GET', '/questions?tag=billing')).body;
  assert.ok(!tagged.items.some((q) => q.id === idea.id));
  // The idea's page, and the question address leads there.
  const page = await alice.request('GET', `/ideas/${idea.id}`);
  assert.equal(page.status, 200);
  assert.match(page.text, /an idea worth building/);
  assert.match(page.text, /Vote for this idea|You have/);
  const old = await alice.request('GET', `/questions/${idea.id}`);
  assert.equal(old.status, 301);
  assert.equal(old.headers.get('location'), `/ideas/${idea.id}`);
  // Filters by status and tag.
  assert.ok((await bob.api('GET', '/ideas?status=new&tag=billing')).body.items.some((i) => i.id === idea.id));
  assert.ok(!(await bob.api('GET', '/ideas?status=planned')).body.items.some((i) => i.id === idea.id));
  refused(await bob.api('GET', '/ideas?status=someday'), 422, 'invalid_field');
  refused(await bob.api('GET', '/ideas?sort=best'), 422, 'invalid_field');
});

test('votes are a budget: one per idea, not your own, and 422 vote_budget_exhausted past it', async () => {
  const ideas = [];
  for (let i = 0; i < budget + 1; i++) ideas.push(await propose(alice, `budget ${i}`));
  const first = await bob.api('POST', `/ideas/${ideas[0].id}/vote`);
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.body, { votes: 1, my_vote: 1, votes_left: budget - 1 });
  refused(await bob.api('POST', `/ideas/${ideas[0].id}/vote`), 409, 'already_voted');
  refused(await alice.api('POST', `/ideas/${ideas[0].id}/vote`), 403, 'own_idea');
  for (let i = 1; i < budget; i++) assert.equal((await bob.api('POST', `/ideas/${ideas[i].id}/vote`)).status, 200);
  const over = await bob.api('POST', `/ideas/${ideas[budget].id}/vote`);
  refused(over, 422, 'vote_budget_exhausted');
  assert.equal((await get(ideas[budget].id)).votes, 0, 'nothing half-done');
  // Taking one back frees it.
  const back = await bob.api('DELETE', `/ideas/${ideas[0].id}/vote`);
  assert.deepEqual(back.body, { votes: 0, my_vote: 0, votes_left: 1 });
  refused(await bob.api('DELETE', `/ideas/${ideas[0].id}/vote`), 409, 'not_voted');
  assert.equal((await bob.api('POST', `/ideas/${ideas[budget].id}/vote`)).status, 200);
  // The post vote is not a way around the budget; signed out is 401; a missing idea 404.
  refused(await carol.api('POST', `/posts/${ideas[0].id}/vote`, { value: 1 }), 422, 'use_idea_vote');
  assert.equal((await new Client(server.url).api('POST', `/ideas/${ideas[0].id}/vote`)).status, 401);
  refused(await carol.api('POST', '/ideas/999999/vote'), 404, 'not_found');
  // Give bob's votes back for the tests that follow.
  for (let i = 1; i <= budget; i++) await bob.api('DELETE', `/ideas/${ideas[i].id}/vote`);
  const page = await bob.request('GET', '/ideas');
  assert.match(page.text, new RegExp(`you have <b>${budget}</b> votes left`));
  // The board is kept for all members; each still reads their own votes left in it.
  assert.equal((await carol.api('POST', `/ideas/${ideas[1].id}/vote`)).status, 200);
  const left = async (who) => /you have <b>(\d+)<\/b> votes? left/.exec((await who.request('GET', '/ideas')).text)?.[1];
  assert.equal(await left(carol), String(budget - 1));
  assert.equal(await left(bob), String(budget));
  assert.equal(await left(carol), String(budget - 1));
  assert.doesNotMatch((await new Client(server.url).request('GET', '/ideas')).text, /votes left/);
  await carol.api('DELETE', `/ideas/${ideas[1].id}/vote`);
});

test('a status change is public, answered with a response, told to author, voters and followers; delivery returns the votes', async () => {
  const idea = await propose(alice, 'status');
  await bob.api('POST', `/ideas/${idea.id}/vote`);
  await carol.api('POST', `/ideas/${idea.id}/vote`);
  assert.equal((await dave.api('POST', `/ideas/${idea.id}/follow`)).status, 204);
  const repBefore = await alice.reputation();
  // Bad input first: nothing changes.
  refused(await bob.api('POST', `/ideas/${idea.id}/status`, { status: 'planned', response: 'Yes.' }), 403, 'forbidden');
  refused(await mod.api('POST', `/ideas/${idea.id}/status`, { status: 'someday', response: 'Maybe.' }), 422, 'invalid_field');
  refused(await mod.api('POST', `/ideas/${idea.id}/status`, { status: 'duplicate', response: 'Seen it.' }), 422, 'use_merge');
  refused(await mod.api('POST', `/ideas/${idea.id}/status`, { status: 'planned', response: '   ' }), 422, 'invalid_field');
  refused(await mod.api('POST', `/ideas/${idea.id}/status`, { status: 'planned' }), 422, 'invalid_field');
  refused(await mod.api('POST', '/ideas/999999/status', { status: 'planned', response: 'We will.' }), 404, 'not_found');
  assert.equal((await get(idea.id)).status, 'new');

  const planned = await mod.api('POST', `/ideas/${idea.id}/status`, { status: 'planned', response: 'We will build this in **spring**.' });
  assert.equal(planned.status, 200, planned.text);
  assert.equal(planned.body.status, 'planned');
  assert.equal(planned.body.status_history.length, 1);
  assert.match(planned.body.status_history[0].response_html, /<strong>spring<\/strong>/);
  assert.equal(planned.body.status_history[0].by.username, 'mod');
  assert.equal(await alice.reputation(), repBefore + 10);
  for (const who of [alice, bob, carol, dave]) {
    const told = await eventually(async () => {
      const box = (await who.api('GET', '/notifications')).body;
      return box.items.find((x) => x.kind === 'idea_status' && x.question_id === idea.id);
    }, `${who.user.username} told`);
    assert.match(told.text, /is now planned/);
    assert.equal(told.url, `/ideas/${idea.id}`);
  }
  // Planned again does not pay twice; delivered pays once and gives the votes back.
  const bobLeft = (await get(idea.id, bob)).votes_left;
  await mod.api('POST', `/ideas/${idea.id}/status`, { status: 'in_progress', response: 'Started.' });
  await mod.api('POST', `/ideas/${idea.id}/status`, { status: 'planned', response: 'Paused, back to planned.' });
  assert.equal(await alice.reputation(), repBefore + 10);
  const delivered = await mod.api('POST', `/ideas/${idea.id}/status`, { status: 'delivered', response: 'Shipped in 4.2.' });
  assert.equal(delivered.status, 200);
  assert.equal(delivered.body.status_history.length, 4);
  assert.equal(await alice.reputation(), repBefore + 30);
  assert.equal((await get(idea.id, bob)).votes_left, bobLeft + 1);
  assert.equal((await get(idea.id)).votes, 2, 'the count of who voted stays');
  refused(await dave.api('POST', `/ideas/${idea.id}/vote`), 409, 'idea_closed');
  refused(await bob.api('DELETE', `/ideas/${idea.id}/vote`), 409, 'idea_closed');
  // The roadmap and its feed show it; the audit log keeps the decisions.
  const roadmap = await bob.request('GET', '/ideas/roadmap');
  assert.equal(roadmap.status, 200);
  assert.match(roadmap.text, new RegExp(`/ideas/${idea.id}`));
  const feed = await bob.request('GET', '/feeds/ideas.atom');
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get('content-type'), /atom/);
  assert.match(feed.text, /delivered/);
  assert.match(feed.text, /Shipped in 4\.2/);
  const audit = await mod.api('GET', '/audit');
  assert.ok(audit.body.items.some((e) => e.action === 'idea_status'), audit.text);
});

test('merging moves votes once per member, followers and links; the duplicate leads to the survivor', async () => {
  const keep = await propose(alice, 'keep');
  const dup = await propose(carol, 'dup');
  await bob.api('POST', `/ideas/${keep.id}/vote`);
  await bob.api('POST', `/ideas/${dup.id}/vote`);
  await dave.api('POST', `/ideas/${dup.id}/vote`);
  await alice.api('POST', `/ideas/${dup.id}/vote`);  // the survivor's author: no vote for their own idea
  await dave.api('POST', `/ideas/${dup.id}/follow`);
  const q = await ask(dave, 'How can I export my invoices as a spreadsheet file?');
  assert.equal((await dave.api('POST', `/ideas/${dup.id}/links`, { question_id: q })).status, 201);
  const bobLeft = (await get(keep.id, bob)).votes_left;

  refused(await bob.api('POST', `/ideas/${dup.id}/merge`, { into: keep.id }), 403, 'forbidden');
  refused(await mod.api('POST', `/ideas/${dup.id}/merge`, { into: dup.id }), 422, 'merge_into_self');
  refused(await mod.api('POST', `/ideas/${dup.id}/merge`, { into: 999999 }), 422, 'invalid_field');
  refused(await mod.api('POST', `/ideas/${dup.id}/merge`, { into: 'twelve' }), 422, 'invalid_field');
  refused(await mod.api('POST', `/ideas/${dup.id}/merge`, {}), 422, 'invalid_field');
  assert.equal((await get(dup.id)).status, 'new');

  const merged = await mod.api('POST', `/ideas/${dup.id}/merge`, { into: keep.id });
  assert.equal(merged.status, 200, merged.text);
  assert.equal(merged.body.id, keep.id);
  assert.equal(merged.body.votes, 2, 'bob once, dave moved; alice never on her own idea');
  assert.equal(merged.body.demand, 1);
  assert.equal(merged.body.linked_questions[0].id, q);
  assert.equal((await get(keep.id, bob)).votes_left, bobLeft + 1, "bob's second vote came back");
  const gone = await get(dup.id);
  assert.equal(gone.status, 'duplicate');
  assert.equal(gone.merged_into, keep.id);
  const page = await bob.request('GET', `/ideas/${dup.id}`);
  assert.equal(page.status, 301);
  assert.equal(page.headers.get('location'), `/ideas/${keep.id}`);
  const following = (await dave.api('GET', '/me/following')).body;
  assert.ok(following.questions.some((x) => x.id === keep.id), JSON.stringify(following));
  // Merged once is merged: again, into it, or voting on it are refused.
  refused(await mod.api('POST', `/ideas/${dup.id}/merge`, { into: keep.id }), 409, 'already_merged');
  const third = await propose(bob, 'third');
  refused(await mod.api('POST', `/ideas/${third.id}/merge`, { into: dup.id }), 409, 'into_merged');
  refused(await carol.api('POST', `/ideas/${dup.id}/vote`), 409, 'idea_merged');
  refused(await mod.api('POST', `/ideas/${dup.id}/status`, { status: 'planned', response: 'No.' }), 409, 'idea_merged');
  assert.ok(!(await bob.api('GET', '/ideas?sort=newest')).body.items.some((i) => i.id === dup.id));
  assert.ok((await bob.api('GET', '/ideas?status=duplicate')).body.items.some((i) => i.id === dup.id));
});

test('questions are linked by their asker or a moderator, and count as demand', async () => {
  const idea = await propose(alice, 'links');
  const q = await ask(bob, 'Is there a way to export every invoice at once?');
  refused(await bob.api('POST', `/ideas/${idea.id}/links`, { question_id: 999999 }), 422, 'no_such_question');
  refused(await bob.api('POST', `/ideas/${idea.id}/links`, { question_id: idea.id }), 422, 'no_such_question');
  refused(await bob.api('POST', `/ideas/${idea.id}/links`, { question_id: -3 }), 422, 'invalid_field');
  refused(await bob.api('POST', `/ideas/${idea.id}/links`, {}), 422, 'invalid_field');
  refused(await carol.api('POST', `/ideas/${idea.id}/links`, { question_id: q }), 403, 'forbidden');
  const linked = await bob.api('POST', `/ideas/${idea.id}/links`, { question_id: q });
  assert.equal(linked.status, 201, linked.text);
  assert.equal(linked.body.demand, 1);
  refused(await mod.api('POST', `/ideas/${idea.id}/links`, { question_id: q }), 409, 'already_linked');
  const q2 = await ask(carol, 'Could invoices be exported to accounting tools?');
  assert.equal((await mod.api('POST', `/ideas/${idea.id}/links`, { question_id: q2 })).status, 201);
  assert.equal((await get(idea.id)).demand, 2);
  const page = await alice.request('GET', `/ideas/${idea.id}`);
  assert.match(page.text, /Could invoices be exported/);
  // The question says what it asks for.
  const thread = await carol.request('GET', `/questions/${q}`);
  assert.match(thread.text, new RegExp(`This question asks for <a href="/ideas/${idea.id}">`));
});

test('ideas are posts: comments, revisions, flags, delete and undelete; the board forgets a deleted idea', async () => {
  const idea = await propose(alice, 'posts');
  const c = await bob.api('POST', `/posts/${idea.id}/comments`, { body: 'Yes please, we need this too.' });
  assert.equal(c.status, 201, c.text);
  assert.equal((await get(idea.id)).comments.length, 1);
  assert.equal((await alice.api('GET', `/posts/${idea.id}/revisions`)).status, 200);
  assert.equal((await carol.api('POST', `/posts/${idea.id}/flags`, { reason: 'off_topic' })).status, 201);
  const total = (await bob.api('GET', '/ideas')).body.total;
  assert.equal((await mod.api('DELETE', `/posts/${idea.id}`, { reason: 'test' })).status < 300, true);
  assert.equal((await bob.api('GET', '/ideas')).body.total, total - 1);
  assert.equal((await bob.api('GET', `/ideas/${idea.id}`)).status, 404);
  refused(await bob.api('POST', `/ideas/${idea.id}/vote`), 404, 'not_found');
  assert.equal((await mod.api('POST', `/posts/${idea.id}/undelete`)).status < 300, true);
  assert.equal((await bob.api('GET', '/ideas')).body.total, total);
  // A comment on the page form.
  const form = await carol.form(`/ideas/${idea.id}/comments`, { csrf_token: carol.csrf, body: 'Short' });
  assert.equal(form.status, 303, form.text);
  const bad = await carol.form(`/ideas/${idea.id}/comments`, { csrf_token: carol.csrf, body: '' });
  assert.equal(bad.status, 422);
});

test('a moderator deletes an idea from its page, still opens it, and undeletes it there', async () => {
  const idea = await propose(alice, 'undeletable');
  const own = await mod.request('GET', `/ideas/${idea.id}`);
  assert.match(own.text, /Delete idea/);
  assert.doesNotMatch((await alice.request('GET', `/ideas/${idea.id}`)).text, /Delete idea/);
  const gone = await mod.form(`/posts/${idea.id}/moderate`, { csrf_token: mod.csrf, action: 'delete' });
  assert.equal(gone.status, 303, gone.text);
  assert.equal(gone.headers.get('location'), '/ideas');
  assert.equal((await bob.request('GET', `/ideas/${idea.id}`)).status, 404);
  const seen = await mod.request('GET', `/ideas/${idea.id}`);
  assert.equal(seen.status, 200);
  assert.match(seen.text, /This idea is deleted/);
  assert.match(seen.text, /undeletable/);
  assert.match(seen.text, /Undelete idea/);
  // Not a live page: no votes, comments or status changes are offered on it.
  assert.doesNotMatch(seen.text, /Vote for this idea|Set status/);
  const back = await mod.form(`/posts/${idea.id}/moderate`, { csrf_token: mod.csrf, action: 'undelete' });
  assert.equal(back.status, 303, back.text);
  assert.equal(back.headers.get('location'), `/ideas/${idea.id}`);
  const live = await bob.request('GET', `/ideas/${idea.id}`);
  assert.equal(live.status, 200);
  assert.doesNotMatch(live.text, /This idea is deleted/);
});

test('idea badges: a first idea, a first vote for an idea, and an idea delivered', async () => {
  const erin = new Client(server.url);
  await erin.signUp('erin');
  const idea = await propose(erin, 'badges');
  assert.equal((await dave.api('POST', `/ideas/${idea.id}/vote`)).status < 300, true);
  const names = async (who) => (await who.api('GET', `/users/${who.user.id}/badges`)).body.items.map((b) => b.badge.name);
  await eventually(async () => (await names(erin)).includes('Idea Maker'), 'Idea Maker for the first idea');
  await eventually(async () => (await names(dave)).includes('Voice of the Customer'), 'a badge for the first idea vote');
  assert.ok(!(await names(erin)).includes('Shipped'));
  assert.equal((await mod.api('POST', `/ideas/${idea.id}/status`, { status: 'delivered', response: 'It is out.' })).status, 200);
  await eventually(async () => (await names(erin)).includes('Shipped'), 'Shipped when the idea is delivered');
  const mine = (await erin.api('GET', `/users/${erin.user.id}/badges`)).body.items;
  assert.equal(mine.find((b) => b.badge.name === 'Shipped').post_id, idea.id, 'the idea that earned it');
  const told = (await erin.api('GET', '/notifications')).body.items.filter((n) => n.kind === 'badge').map((n) => n.text);
  assert.ok(told.includes('You earned the gold badge “Shipped”.'), told.join('; '));
});

test('search finds ideas with is:idea and leaves them out of a support search', async () => {
  const idea = await propose(alice, 'zebracorn');
  const hit = await eventually(async () => {
    const r = await bob.api('GET', '/search?q=' + encodeURIComponent('zebracorn is:idea'));
    assert.equal(r.status, 200, r.text);
    return r.body.items.find((h) => h.question_id === idea.id);
  }, 'the idea indexed');
  assert.equal(hit.type, 'idea');
  assert.equal(hit.url, `/ideas/${idea.id}`);
  const plain = await bob.api('GET', '/search?q=zebracorn');
  assert.ok(!plain.body.items.some((h) => h.question_id === idea.id), plain.text);
  const similar = await eventually(async () => {
    const r = await bob.api('GET', '/ideas/similar?title=' + encodeURIComponent('zebracorn idea'));
    assert.equal(r.status, 200, r.text);
    return r.body.items.find((i) => i.id === idea.id);
  }, 'a similar idea');
  assert.equal(similar.url, `/ideas/${idea.id}`);
  refused(await bob.api('GET', '/ideas/similar'), 422, 'invalid_field');
  // Similar questions never offer an idea.
  const q = await bob.api('GET', '/similar?title=zebracorn');
  assert.ok(!q.body.items.some((h) => h.question_id === idea.id));
});

test('proposing checks its input like asking; the vote budget setting is validated', async () => {
  refused(await bob.api('POST', '/ideas', { title: 'short', body: 'A body long enough to be fine here.', tags: ['x'] }), 422, 'invalid_field');
  refused(await bob.api('POST', '/ideas', { title: 'A title that is long enough', body: 'tiny', tags: ['x'] }), 422, 'invalid_field');
  refused(await bob.api('POST', '/ideas', { title: 'A title that is long enough', body: 'A body long enough to be fine here.', tags: [] }), 422, 'invalid_field');
  assert.equal((await new Client(server.url).api('POST', '/ideas', { title: 'x', body: 'y', tags: [] })).status, 401);
  refused(await bob.api('GET', '/ideas/abc'), 404, 'not_found');
  await assert.rejects(peerdesk(['settings', 'set', 'ideas.vote_budget', '0', '--data', dir]));
  await assert.rejects(peerdesk(['settings', 'set', 'ideas.vote_budget', 'ten', '--data', dir]));
  // The prefilled form a content gap links to.
  const form = await mod.request('GET', '/ideas/new?title=' + encodeURIComponent('dark mode'));
  assert.equal(form.status, 200);
  assert.match(form.text, /value="dark mode"/);
});

test('a new member\'s idea with links waits for review like a question, and approval puts it on the board', async () => {
  const total = (await bob.api('GET', '/ideas')).body.total;
  const held = await dave.api('POST', '/ideas', {
    title: 'Import contacts from other address books',
    body: 'Like https://example.com/a and https://example.org/b do it.',
    tags: ['contacts'],
  });
  assert.equal(held.status, 202, held.text);
  assert.equal(held.body.state, 'held');
  assert.equal((await bob.api('GET', `/ideas/${held.body.id}`)).status, 404, 'not public while held');
  assert.equal((await bob.api('GET', '/ideas')).body.total, total);
  const item = (await mod.api('GET', '/review')).body.items.find((i) => i.post_id === held.body.id);
  assert.ok(item, 'in the review queue');
  const page = await mod.request('GET', '/review');
  assert.match(page.text, new RegExp(`Idea[\\s\\S]*?/ideas/${held.body.id}`));
  assert.equal((await mod.api('POST', `/review/${item.id}`, { action: 'approve' })).status, 200);
  assert.equal((await bob.api('GET', `/ideas/${held.body.id}`)).status, 200);
  assert.equal((await bob.api('GET', '/ideas')).body.total, total + 1);
  // The kept counts agree with a recount.
  await server.stop();
  const { stdout } = await peerdesk(['recount', '--data', dir]);
  assert.match(stdout, /idea votes, demand and the board; 0 count\(s\) corrected/);
  server = await startServer({ dataDir: dir });
});
