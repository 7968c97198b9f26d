// Live notifications as Server-Sent Events from the real server: the stream's head (no length,
// no buffering by proxies), the first event, a notification arriving without a new request,
// the bounds on open streams, and who may open one.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Client, ask, answer, startServer } from '../support/server.mjs';
import { startCommunity } from '../support/community.mjs';
import { membersSettled } from '../support/members.mjs';

let server, alice, bob;
const open = new Set();

before(async () => {
  let clients;
  ({ server, clients } = await startCommunity({ members: ['alice', 'bob'] }));
  ({ alice, bob } = clients);
});
after(async () => {
  for (const s of open) s.close();
  await server?.stop();
});

// Opens the event stream as who; events are parsed as they arrive.
function connect(who, headers = {}) {
  return new Promise((resolve, reject) => {
    const url = new URL('/api/v1/events', server.url);
    const req = request(url, { headers: { cookie: who.cookieHeader(), accept: 'text/event-stream', ...headers } }, (res) => {
      const stream = { res, status: res.statusCode, headers: res.headers, events: [], comments: 0, text: '', closed: false };
      stream.close = () => { req.destroy(); open.delete(stream); };
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        stream.text += chunk;
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(':')) { stream.comments++; continue; }
          const name = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (name) stream.events.push({ name, data: JSON.parse(data) });
        }
      });
      res.on('end', () => { stream.closed = true; });
      res.on('error', () => { stream.closed = true; });
      open.add(stream);
      resolve(stream);
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(stream, match, what, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = stream.events.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${stream.text}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('a signed-in member gets a stream that a buffering proxy passes on, starting with the count', async () => {
  const s = await connect(alice);
  assert.equal(s.status, 200);
  assert.match(s.headers['content-type'], /^text\/event-stream/);
  assert.equal(s.headers['x-accel-buffering'], 'no');
  assert.equal(s.headers['cache-control'], 'no-store');
  assert.equal(s.headers['content-length'], undefined);
  assert.equal(s.headers['content-encoding'], undefined);
  const ready = await waitFor(s, (e) => e.name === 'ready', 'the ready event');
  assert.equal(ready.data.unread, 0);
  assert.match(s.text, /^retry: \d+\n\n/);
  s.close();
});

test('an answer arrives on the asker\'s open stream without a new request', async () => {
  const s = await connect(alice);
  await waitFor(s, (e) => e.name === 'ready', 'ready');
  const q = await ask(alice, 'Why does the router restart every night at three?');
  // A first question earns a badge, told a moment later: it comes first, and counts.
  await membersSettled(server);
  const unread = (await alice.api('GET', '/notifications?unread=true')).body.unread;
  const a = await answer(bob, q, 'An automatic firmware update is scheduled then; turn it off in the admin page.');
  const e = await waitFor(s, (x) => x.name === 'notification' && x.data.notification.kind === 'answer', 'a notification event');
  assert.equal(e.data.unread, unread + 1);
  assert.equal(e.data.notification.kind, 'answer');
  assert.equal(e.data.notification.post_id, a);
  assert.equal(e.data.notification.url, `/questions/${q}#answer-${a}`);
  assert.equal(e.data.notification.actor.username, 'bob');
  // Reading it elsewhere brings the count down on the stream too.
  assert.equal((await alice.api('POST', '/notifications/read', { all: true })).status, 204);
  await waitFor(s, (x) => x.name === 'notification' && x.data.unread === 0, 'the count back at zero');
  // Bob's own answer never reaches bob's stream (his first answer's badge is told before).
  await membersSettled(server);
  const b = await connect(bob);
  await waitFor(b, (x) => x.name === 'ready', 'ready');
  await answer(bob, q, 'And another thought on the scheduled firmware update.');
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(b.events.filter((x) => x.name === 'notification').length, 0);
  s.close();
  b.close();
});

test('streams are bounded per member; closing one frees its place; visitors are refused', async () => {
  const streams = [];
  for (let i = 0; i < 4; i++) {
    const s = await connect(bob);
    assert.equal(s.status, 200);
    streams.push(s);
  }
  const fifth = await connect(bob);
  assert.equal(fifth.status, 429);
  assert.ok(Number(fifth.headers['retry-after']) > 0);
  // Another member is not affected.
  const other = await connect(alice);
  assert.equal(other.status, 200);
  other.close();
  streams.pop().close();
  let again;
  for (let i = 0; i < 40; i++) {
    again = await connect(bob);
    if (again.status === 200) break;
    again.close();
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(again.status, 200);
  for (const s of [...streams, again]) s.close();
  const anonymous = await connect(new Client(server.url));
  assert.equal(anonymous.status, 401);
});

test('the server keeps answering other requests while streams are open, and stops promptly', async (t) => {
  const s2 = await startServer({ t });
  const carol = new Client(s2.url);
  await carol.signUp('carol');
  const streams = [];
  const url = s2.url;
  const saved = server.url;
  server.url = url;
  try {
    for (let i = 0; i < 3; i++) streams.push(await connect(carol));
  } finally {
    server.url = saved;
  }
  const started = Date.now();
  for (let i = 0; i < 20; i++) assert.equal((await carol.request('GET', '/questions')).status, 200);
  assert.ok(Date.now() - started < 5000);
  const stopping = Date.now();
  await s2.stop();
  assert.ok(Date.now() - stopping < 8000, 'the server waited for the streams');
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(streams.every((s) => s.closed));
});
