// A question list asked for a page past its end says so and leads back, rather than
// claiming the community is empty.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { startServer, Client } from '../support/server.mjs';

let server, alice;
before(async () => {
  server = await startServer();
  alice = new Client(server.url);
  await alice.signUp('alice');
});
after(async () => {
  await server.stop();
  assert.deepEqual(server.errors, []);
});

const ask = async (n, tags = ['general']) => {
  const r = await alice.api('POST', '/questions', { title: `Question number ${n} about the printer`, body: 'A body that is long enough to post.', tags });
  assert.equal(r.status, 201, r.text);
};

test('past the last page: a 404 that says so, with links to the last and the first page', async () => {
  for (let n = 1; n <= 7; n++) await ask(n);
  const r = await alice.request('GET', '/questions?page=5');
  assert.equal(r.status, 404);
  assert.doesNotMatch(r.text, /No questions here yet/);
  assert.match(r.text, /There is no page 5: the 7 questions fit on 1 page\./);
  assert.match(r.text, /<a href="\/questions\?sort=newest">the first page<\/a>/);
  assert.doesNotMatch(r.text, /<ul class="summaries">/, 'no empty list box under the message');

  for (let n = 8; n <= 31; n++) await ask(n);
  const two = await alice.request('GET', '/questions?sort=votes&page=9');
  assert.equal(two.status, 404);
  assert.match(two.text, /the 31 questions fit on 2 pages\. Go to <a href="\/questions\?sort=votes&amp;page=2">the last page \(2\)<\/a> or <a href="\/questions\?sort=votes">the first page<\/a>/);
  assert.equal((await alice.request('GET', '/questions?sort=votes&page=2')).status, 200, 'the last page is there');
});

test('a tag\'s list past its end leads back the same way; an empty community still invites the first question', async () => {
  const tagged = await alice.request('GET', '/tags/general?page=3');
  assert.equal(tagged.status, 404);
  assert.match(tagged.text, /There is no page 3/);
  assert.match(tagged.text, /href="\/tags\/general\?sort=newest&amp;page=2"/);
  const fresh = await startServer();
  try {
    const empty = await new Client(fresh.url).request('GET', '/questions');
    assert.equal(empty.status, 200);
    assert.match(empty.text, /No questions here yet/);
  } finally {
    await fresh.stop();
  }
});

test('a tag page shared by members carries each member\'s own Follow button and token', async () => {
  await ask(100, ['routers']);
  const bob = new Client(server.url);
  await bob.signUp('bob');
  const button = (html) => /<form method="post" action="\/tags\/routers\/follow" class="inline follow">\s*<input type="hidden" name="csrf_token" value="([^"]+)">\s*<input type="hidden" name="action" value="(\w+)">/.exec(html);
  // Both see the list; the first view is kept and the second member's comes from it.
  const a1 = button((await alice.request('GET', '/tags/routers')).text);
  const b1 = button((await bob.request('GET', '/tags/routers')).text);
  assert.deepEqual([a1[1], a1[2]], [alice.csrf, 'follow']);
  assert.deepEqual([b1[1], b1[2]], [bob.csrf, 'follow']);
  const followed = await alice.form('/tags/routers/follow', { csrf_token: alice.csrf, action: 'follow' });
  assert.ok(followed.status === 303 || followed.status === 302, followed.text);
  assert.equal(button((await alice.request('GET', '/tags/routers')).text)[2], 'unfollow', 'alice follows it now');
  assert.equal(button((await bob.request('GET', '/tags/routers')).text)[2], 'follow', 'bob does not');
  const anonymous = await new Client(server.url).request('GET', '/tags/routers');
  assert.doesNotMatch(anonymous.text, /\/tags\/routers\/follow/, 'visitors get no button');
  assert.match(anonymous.text, /Question number 100 about the printer/);
});
