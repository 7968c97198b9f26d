// Atom feeds read by a real feed parser (Debian's python3-feedparser): valid Atom 1.0 for the
// newest questions, a tag, a thread and a member; removed posts left out; links in each page's
// head; conditional GET.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { Client, answer, ask } from '../support/server.mjs';
import { parseFeed } from '../support/feeds.mjs';
import { startCommunity } from '../support/community.mjs';

let server, alice, bob, mod, q, a;

async function feed(path, headers = {}) {
  const r = await new Client(server.url).request('GET', path, { headers });
  return r;
}

before(async () => {
  let clients;
  ({ server, clients } = await startCommunity({ members: ['alice', 'bob'] }));
  ({ alice, bob } = clients);
  q = await ask(alice, 'Printer & scanner: "paper jam" <every> time', 'The **paper** jams at page 3 & page 7.', ['printers']);
  a = await answer(bob, q, 'Open the back flap and pull the roller <gently>; see https://example.com/help.');
});
after(async () => {
  await server?.stop();
});

test('the newest questions: valid Atom, escaped titles, HTML content, absolute links', async () => {
  const r = await feed('/feeds/questions.atom');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/atom\+xml/);
  const f = await parseFeed(r.text);
  assert.equal(f.bozo, false, f.bozo_exception);
  assert.equal(f.version, 'atom10');
  assert.equal(f.title, 'Newest questions');
  assert.ok(f.links.some((l) => l.rel === 'self' && l.href === `${server.url}/feeds/questions.atom`));
  assert.ok(f.links.some((l) => l.rel === 'alternate' && l.href === `${server.url}/questions`));
  const e = f.entries.find((x) => x.link === `${server.url}/questions/${q}#post-${q}`);
  assert.ok(e, JSON.stringify(f.entries));
  assert.equal(e.title, 'Printer & scanner: "paper jam" <every> time');
  assert.equal(e.author, 'alice');
  assert.equal(e.content_type, 'text/html');
  assert.match(e.content, /<strong>paper<\/strong> jams at page 3 &amp; page 7/);
  assert.match(e.published, /^\d{4}-\d\d-\d\dT/);
});

test('a tag, a thread and a member have feeds; unknown ones answer 404', async () => {
  const tag = await parseFeed((await feed('/feeds/tags/printers.atom')).text);
  assert.equal(tag.bozo, false, tag.bozo_exception);
  assert.equal(tag.title, 'Questions tagged printers');
  assert.equal(tag.entries.length, 1);
  const thread = await parseFeed((await feed(`/feeds/questions/${q}.atom`)).text);
  assert.equal(thread.bozo, false, thread.bozo_exception);
  assert.deepEqual(thread.entries.map((e) => e.link), [`${server.url}/questions/${q}#answer-${a}`, `${server.url}/questions/${q}#post-${q}`]);
  assert.match(thread.entries[0].title, /^Answer to: Printer & scanner/);
  assert.match(thread.entries[0].content, /pull the roller/);
  assert.match(thread.entries[0].content, /<a href="https:\/\/example.com\/help" rel="nofollow ugc noopener">/);
  const user = await parseFeed((await feed(`/feeds/users/${bob.user.id}.atom`)).text);
  assert.equal(user.bozo, false, user.bozo_exception);
  assert.equal(user.title, 'Posts by bob');
  assert.equal(user.entries.length, 1);
  for (const path of ['/feeds/tags/nothing-here.atom', '/feeds/tags/printers.rss', '/feeds/questions/999999.atom',
    '/feeds/questions/abc.atom', '/feeds/users/999999.atom', '/feeds/users/.atom', `/feeds/questions/${a}.atom`])
    assert.equal((await feed(path)).status, 404, path);
});

test('conditional GET: 304 while nothing changed, 200 with the new entry after', async () => {
  const first = await feed(`/feeds/questions/${q}.atom`);
  const etag = first.headers.get('etag');
  const modified = first.headers.get('last-modified');
  assert.ok(etag && modified);
  assert.equal((await feed(`/feeds/questions/${q}.atom`, { 'if-none-match': etag })).status, 304);
  assert.equal((await feed(`/feeds/questions/${q}.atom`, { 'if-modified-since': modified })).status, 304);
  const a2 = await answer(alice, q, 'Thanks, opening the back flap fixed it for me.');
  const again = await feed(`/feeds/questions/${q}.atom`, { 'if-none-match': etag });
  assert.equal(again.status, 200);
  assert.notEqual(again.headers.get('etag'), etag);
  assert.ok((await parseFeed(again.text)).entries.some((e) => e.link.endsWith(`#answer-${a2}`)));
});

test('a removed post leaves the feeds; each page links its feed from the head', async () => {
  const doomed = await answer(bob, q, 'A second answer that bob deletes again right away.');
  assert.ok((await parseFeed((await feed(`/feeds/questions/${q}.atom`)).text)).entries.some((e) => e.link.endsWith(`#answer-${doomed}`)));
  assert.equal((await bob.api('DELETE', `/posts/${doomed}`)).status, 204);
  const after = await parseFeed((await feed(`/feeds/questions/${q}.atom`)).text);
  assert.ok(!after.entries.some((e) => e.link.endsWith(`#answer-${doomed}`)));
  assert.ok(!(await parseFeed((await feed(`/feeds/users/${bob.user.id}.atom`)).text)).entries.some((e) => e.link.endsWith(`#answer-${doomed}`)));
  const link = (html) => /<link rel="alternate" type="application\/atom\+xml" title="([^"]*)" href="([^"]*)">/.exec(html)?.slice(1);
  assert.deepEqual(link((await feed('/questions')).text), ['Newest questions', '/feeds/questions.atom']);
  assert.deepEqual(link((await feed('/tags/printers')).text), ['Questions tagged printers', '/feeds/tags/printers.atom']);
  assert.deepEqual(link((await feed(`/questions/${q}`)).text), ['Answers to this question', `/feeds/questions/${q}.atom`]);
  assert.deepEqual(link((await feed(`/users/${bob.user.id}`)).text), ['Posts by bob', `/feeds/users/${bob.user.id}.atom`]);
});
