// The anonymous page cache: repeat visits get the same page (and 304 for its ETag) until
// anything is written; signed-in visitors and pages with a visitor's own form token never get
// a shared page.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { Client, startWithThread, eventually } from '../support/server.mjs';
import { membersSettled } from '../support/members.mjs';

let ctx;
before(async () => { ctx = await startWithThread(); });
after(async () => {
  await ctx?.server.stop();
  assert.deepEqual(ctx.server.errors, []);
});

test('a repeat anonymous visit gets the same page and a 304 for its ETag; a write shows at once', async () => {
  const anon = new Client(ctx.server.url);
  const path = `/questions/${ctx.q.id}`;
  const first = await anon.request('GET', path);
  const second = await anon.request('GET', path);
  assert.equal(second.text, first.text);
  const etag = second.headers.get('etag');
  assert.ok(etag);
  assert.match(second.headers.get('content-security-policy'), /default-src 'self'/, 'cached pages keep the security headers');
  const unchanged = await anon.request('GET', path, { headers: { 'if-none-match': etag } });
  assert.equal(unchanged.status, 304);
  const r = await ctx.bob.api('POST', `/questions/${ctx.q.id}/answers`, { body: 'A second answer, written after the page was cached.' });
  assert.equal(r.status, 201);
  const fresh = await anon.request('GET', path, { headers: { 'if-none-match': etag } });
  assert.equal(fresh.status, 200);
  assert.match(fresh.text, /A second answer, written after the page was cached/);
});

test('signed-in visitors and pages with a visitor\'s form token are never shared', async () => {
  const path = `/questions/${ctx.q.id}`;
  await new Client(ctx.server.url).request('GET', path);  // warm the shared copy
  const mine = await ctx.alice.request('GET', path);
  assert.match(mine.text, /alice/, 'the signed-in header');
  assert.match(mine.text, new RegExp(ctx.alice.csrf));
  const a = new Client(ctx.server.url);
  const b = new Client(ctx.server.url);
  const formA = await a.request('GET', '/signin');
  const formB = await b.request('GET', '/signin');
  const token = (t) => /name="csrf_token" value="([^"]+)"/.exec(t)[1];
  assert.notEqual(token(formA.text), token(formB.text), 'each visitor gets their own token');
});

test('Server-Timing says where the time went: the whole request, and a hit from the page cache', async () => {
  const anon = new Client(ctx.server.url);
  const path = `/questions/${ctx.q.id}`;
  const c = await ctx.alice.api('POST', `/posts/${ctx.q.id}/comments`, { body: 'A comment that empties the page cache.' });
  assert.equal(c.status, 201, c.text);
  // The member worker's writes (after the thread's posts) would empty the cache between the two.
  await membersSettled(ctx.server);
  const rendered = await anon.request('GET', path);
  // A question page says how long its related questions took (from the index or kept), the
  // thread's shared part (which includes them) and the viewer's part.
  assert.match(rendered.headers.get('server-timing'), /^related;dur=\d+\.\d\d, thread;dur=\d+\.\d\d, viewer;dur=\d+\.\d\d, total;dur=\d+\.\d\d$/);
  const hit = await anon.request('GET', path);
  assert.match(hit.headers.get('server-timing'), /^cache;desc="hit", total;dur=\d+\.\d\d$/);
  const api = await anon.request('GET', '/api/v1/questions');
  assert.match(api.headers.get('server-timing'), /total;dur=/);
});

test('a page grown old (4 to 6 seconds) is rendered again by one visitor while the others still get it', async () => {
  const path = `/questions/${ctx.q.id}`;
  const anon = () => new Client(ctx.server.url);
  const c = await ctx.alice.api('POST', `/posts/${ctx.q.id}/comments`, { body: 'A comment before the page grows old.' });
  assert.equal(c.status, 201, c.text);
  // The member worker writes a moment after the thread's posts (figures, badges); any write
  // empties the cache, so it goes first.
  await membersSettled(ctx.server);
  await anon().request('GET', path);  // rendered and kept
  // A second page, kept just after the first: once it is rendered again for being old, the
  // first is old too within two seconds (each page grows old after its own 4 to 6 seconds).
  // Watching it, not a clock, says when (it is only read, never the first).
  const witness = '/tags';
  await anon().request('GET', witness);
  assert.match((await anon().request('GET', path)).headers.get('server-timing'), /cache;desc="hit"/);
  await eventually(async () => !/cache;desc="hit"/.test((await anon().request('GET', witness)).headers.get('server-timing')),
    'the kept pages to grow old', 20000);
  await new Promise((r) => setTimeout(r, 2100));
  const burst = await Promise.all(Array.from({ length: 12 }, () => anon().request('GET', path)));
  const rendered = burst.filter((r) => !/cache;desc="hit"/.test(r.headers.get('server-timing')));
  assert.equal(rendered.length, 1, 'one visitor renders it again');
  assert.ok(burst.every((r) => r.status === 200 && r.text.includes('A comment before the page grows old.')), 'everyone gets the page');
  assert.match((await anon().request('GET', path)).headers.get('server-timing'), /cache;desc="hit"/);
});
