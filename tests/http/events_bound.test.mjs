// The bound on live notification streams in all (256), beside the bound per member that
// events.test.mjs shows: 64 members with four tabs each fill the server; the next member is
// refused with a 429 that says the server is full (not that their tabs are too many), and gets a
// place as soon as any stream closes. The pages still answer meanwhile.
import { test, before, after } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Client, freshDataDir, startServer } from '../support/server.mjs';

const inAll = 256;
const perMember = 4;
let server;
const open = new Set();

before(async () => {
  const dir = await freshDataDir();
  // Every stream comes from 127.0.0.1: the per-address bound on connections must not come first.
  server = await startServer({ dataDir: dir, args: ['--max-connections-per-address', '1000'] });
});
after(async () => {
  for (const s of open) s.close();
  await server?.stop();
});

// Opens the event stream with a member's cookie; answers once the head has arrived.
function connect(who) {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/api/v1/events', server.url), { headers: { cookie: who.cookieHeader(), accept: 'text/event-stream' } }, (res) => {
      const stream = { status: res.statusCode, headers: res.headers, text: '' };
      stream.close = () => { req.destroy(); open.delete(stream); };
      res.setEncoding('utf8');
      res.on('data', (chunk) => { stream.text += chunk; });
      res.on('error', () => {});
      open.add(stream);
      resolve(stream);
    });
    req.on('error', reject);
    req.end();
  });
}

test('streams are bounded in all: the server full refuses the next member clearly, then frees a place', async () => {
  const members = [];
  for (let i = 0; i <= inAll / perMember; i++) {
    const c = new Client(server.url);
    await c.signUp(`tab${i}`);
    members.push(c);
  }
  const late = members.pop();
  const streams = [];
  for (const m of members) {
    for (let i = 0; i < perMember; i++) {
      const s = await connect(m);
      assert.equal(s.status, 200, `stream ${streams.length + 1}: ${s.text}`);
      streams.push(s);
    }
  }
  assert.equal(streams.length, inAll);
  const refused = await connect(late);
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.headers['retry-after']) > 0);
  await new Promise((r) => setTimeout(r, 200));
  const body = JSON.parse(refused.text);
  assert.equal(body.error.code, 'too_many_streams');
  assert.match(body.error.message, /as many live connections open as it allows \(256\)/);
  refused.close();
  // Pages still answer, with the count the stream would have carried.
  const page = await late.request('GET', '/questions');
  assert.equal(page.status, 200);
  assert.match(page.text, /aria-label="Notifications: 0 unread"/);

  streams.pop().close();
  let again;
  for (let i = 0; i < 40; i++) {
    again = await connect(late);
    if (again.status === 200) break;
    again.close();
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(again.status, 200);
  for (const s of [...streams, again]) s.close();
});
