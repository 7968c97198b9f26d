// The server itself: limits, static files, health, logs, shutdown, durability, command line.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import net from 'node:net';
import { writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startServer, Client, peerdesk, freshDataDir } from '../support/server.mjs';

// Sends raw bytes and resolves with what the server answered before closing or going quiet.
function raw(url, bytes, { quietMs = 1500 } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    let data = '';
    let timer;
    const done = () => { clearTimeout(timer); socket.destroy(); resolve(data); };
    socket.on('data', (d) => { data += d; clearTimeout(timer); timer = setTimeout(done, 200); });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(bytes);
    timer = setTimeout(done, quietMs);
  });
}

test('oversized bodies get 413 and oversized headers 431, and the server keeps serving', async (t) => {
  const server = await startServer({ t });
  try {
    const big = await raw(server.url, `POST /api/v1/questions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`);
    assert.match(big, /^HTTP\/1\.1 413/);
    const headers = await raw(server.url, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
    assert.match(headers, /^HTTP\/1\.1 431/);
    const garbage = await raw(server.url, 'NOT HTTP AT ALL\r\n\r\n');
    assert.match(garbage, /^HTTP\/1\.1 400/);
    const health = await fetch(server.url + '/healthz');
    assert.equal(health.status, 200);
    assert.equal(await health.text(), 'ok\n');
  } finally {
    await server.stop();
  }
  assert.deepEqual(server.errors, []);
});

test('idle connections and stalled requests are closed after their timeouts', async (t) => {
  const server = await startServer({ t, args: ['--idle-timeout', '1', '--read-timeout', '1'] });
  try {
    const { port } = new URL(server.url);
    const closedAfter = (bytes) => new Promise((resolve) => {
      const started = Date.now();
      const socket = net.connect(Number(port), '127.0.0.1');
      socket.on('connect', () => { if (bytes) socket.write(bytes); });
      socket.on('data', () => {});
      socket.on('close', () => resolve(Date.now() - started));
      socket.on('error', () => {});
      setTimeout(() => { socket.destroy(); resolve(Infinity); }, 8000);
    });
    const idle = await closedAfter('');
    assert.ok(idle >= 900 && idle < 5000, `idle connection closed after ${idle} ms`);
    const stalled = await closedAfter('POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"user');
    assert.ok(stalled >= 900 && stalled < 5000, `stalled request closed after ${stalled} ms`);
    assert.equal((await fetch(server.url + '/healthz')).status, 200, 'others are still served');
  } finally {
    await server.stop();
  }
});

test('static files have their types, caching headers and ETags, and no path escapes the folder', async (t) => {
  const server = await startServer({ t });
  try {
    const page = await (await fetch(server.url + '/')).text();
    const cssUrl = /href="(\/static\/app\.css\?v=[0-9a-f]+)"/.exec(page)[1];
    const css = await fetch(server.url + cssUrl);
    assert.equal(css.status, 200);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.match(css.headers.get('cache-control'), /immutable/);
    const etag = css.headers.get('etag');
    const again = await fetch(server.url + cssUrl, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    const js = await fetch(server.url + '/static/app.js');
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.doesNotMatch(js.headers.get('cache-control'), /immutable/);
    for (const path of ['/static/../CMakeLists.txt', '/static/%2e%2e/CMakeLists.txt', '/static/..%2fschema/0001_init.sql', '/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd']) {
      const r = await raw(server.url, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.match(r, /^HTTP\/1\.1 404/, path);
      assert.doesNotMatch(r, /cmake_minimum_required|CREATE TABLE|root:/);
    }
  } finally {
    await server.stop();
  }
});

test('every response carries the security headers, and each request is logged as one JSON line', async (t) => {
  const server = await startServer({ t });
  try {
    for (const path of ['/', '/api/v1/questions', '/healthz', '/nothing']) {
      const r = await fetch(server.url + path);
      assert.match(r.headers.get('content-security-policy'), /script-src 'self'/, path);
      assert.doesNotMatch(r.headers.get('content-security-policy'), /unsafe-inline/);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.match(r.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    }
  } finally {
    await server.stop();
  }
  const lines = server.log.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  const entry = lines.find((l) => l.path === '/nothing');
  assert.equal(entry.status, 404);
  assert.equal(entry.method, 'GET');
  assert.ok(entry.us >= 0 && entry.remote === '127.0.0.1');
});

test('SIGTERM lets a request in flight finish, then the server exits cleanly', async (t) => {
  const server = await startServer({ t });
  const c = new Client(server.url);
  await c.signUp('closer');
  // A slow request: the body arrives in two parts, with the signal in between.
  const { port } = new URL(server.url);
  const body = JSON.stringify({ title: 'Posted during a graceful shutdown', body: 'This answer must be stored and acknowledged.', tags: ['shutdown'] });
  const response = new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let data = '';
    socket.on('data', (d) => { data += d; });
    socket.on('close', () => resolve(data));
    socket.setTimeout(15000, () => socket.destroy());
    socket.write(`POST /api/v1/questions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nCookie: ${c.cookieHeader()}\r\nX-CSRF-Token: ${c.csrf}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
    socket.write(body.slice(0, 10));
    setTimeout(() => {
      server.child.kill('SIGTERM');
      setTimeout(() => socket.write(body.slice(10)), 300);
    }, 300);
  });
  const answer = await response;
  assert.match(answer, /^HTTP\/1\.1 201/);
  assert.match(answer, /[Cc]onnection: close/);
  const exit = await server.exited;
  assert.equal(exit.code, 0);
  // The acknowledged question is there after a restart.
  const again = await startServer({ t, dataDir: server.dir });
  try {
    const list = await (new Client(again.url)).api('GET', '/questions?tag=shutdown');
    assert.equal(list.body.total, 1);
  } finally {
    await again.stop();
    await rm(server.dir, { recursive: true, force: true });
  }
});

test('SIGTERM while connections open and close exits promptly, round after round', async (t) => {
  // A session that ends just as shutdown walks the open connections once deadlocked the
  // server (its destructor wanted the lock the walk held). Found from a hung server's stacks;
  // the window is microseconds, so this churn does not reliably reproduce it, but it keeps
  // shutdown under connection churn and many idle connections exercised.
  for (let round = 0; round < 10; round++) {
    const server = await startServer({ t });
    const { port } = new URL(server.url);
    let stop = false;
    const churn = Array.from({ length: 20 }, async () => {
      while (!stop) {
        await new Promise((resolve) => {
          const socket = net.connect(Number(port), '127.0.0.1', () => {
            socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
            setTimeout(() => socket.destroy(), Math.random() * 5);
          });
          socket.on('error', () => {});
          socket.on('close', resolve);
        });
      }
    });
    // And many idle keep-alive connections, each one that shutdown closes.
    const idle = await Promise.all(Array.from({ length: 60 }, () => new Promise((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
      socket.once('data', () => resolve(socket));
      socket.on('error', () => resolve(socket));
      socket.setTimeout(10000, () => { socket.destroy(); resolve(socket); });
    })));
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 50));
    server.child.kill('SIGTERM');
    const exit = await Promise.race([server.exited, new Promise((r) => setTimeout(() => r('hung'), 12000))]);
    stop = true;
    await Promise.all(churn);
    for (const socket of idle) socket.destroy();
    if (exit === 'hung') server.child.kill('SIGKILL');
    assert.notEqual(exit, 'hung', `round ${round}: the server did not exit after SIGTERM`);
    assert.equal(exit.code, 0);
    await rm(server.dir, { recursive: true, force: true });
  }
});

test('kill -9 right after acknowledged writes loses none of them', async (t) => {
  const dir = await freshDataDir();
  const server = await startServer({ t, dataDir: dir });
  const c = new Client(server.url);
  await c.signUp('durable');
  const ids = [];
  for (let i = 0; i < 20; i++) {
    const r = await c.api('POST', '/questions', { title: `Durable question number ${i} here`, body: 'Acknowledged means durable.', tags: ['durable'] });
    assert.equal(r.status, 201);
    ids.push(r.body.id);
  }
  server.child.kill('SIGKILL');
  await server.exited;
  const again = await startServer({ t, dataDir: dir });
  try {
    const list = await (new Client(again.url)).api('GET', '/questions?tag=durable&pagesize=100');
    assert.deepEqual(list.body.items.map((q) => q.id).sort((x, y) => x - y), ids);
  } finally {
    await again.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the command line refuses unknown options with usage, reads PEERDESK_* variables, and creates admins', async (t) => {
  await assert.rejects(peerdesk(['serve', '--prot', '1']), (e) => e.code === 2 && /unknown option --prot/.test(e.stderr) && /usage:/.test(e.stderr));
  await assert.rejects(peerdesk(['serve', '--port', 'eighty']), (e) => e.code === 2 && /--port takes a whole number/.test(e.stderr));
  await assert.rejects(peerdesk(['frobnicate']), (e) => e.code === 2 && /unknown command/.test(e.stderr));
  await assert.rejects(peerdesk(['serve', 'now']), (e) => e.code === 2 && /unexpected argument now/.test(e.stderr));
  const dir = await freshDataDir();
  const passwordFile = join(dir, 'password');
  await writeFile(passwordFile, 'an admin password here\n');
  const created = await peerdesk(['user', 'create', 'boss', '--email', 'boss@example.com', '--password-file', passwordFile, '--role', 'admin'], { env: { PEERDESK_DATA: dir } });
  assert.match(created.stdout, /created admin boss/);
  await assert.rejects(peerdesk(['user', 'create', 'boss', '--email', 'b2@example.com', '--password-file', passwordFile, '--data', dir]), /taken/);
  await peerdesk(['settings', 'set', 'privilege.upvote', '1', '--data', dir]);
  await assert.rejects(peerdesk(['settings', 'set', 'privilege.upvote', 'many', '--data', dir]), /privilege.upvote must be a whole number from 0 to 1000000, not many/);
  await assert.rejects(peerdesk(['settings', 'set', 'post.max_characters', '10', '--data', dir]), /from 1000 to 100000/);
  await assert.rejects(peerdesk(['settings', 'set', 'no.such.key', '1', '--data', dir]), (e) => e.code === 2 && /unknown setting/.test(e.stderr));
  await peerdesk(['settings', 'set', 'post.max_characters', '1000', '--data', dir]);

  const server = await startServer({ t, dataDir: dir });
  try {
    const boss = new Client(server.url);
    await boss.signIn('boss', 'an admin password here');
    assert.equal(boss.user.role, 'admin');
    const newbie = new Client(server.url);
    await newbie.signUp('newbie');
    const q = (await boss.api('POST', '/questions', { title: 'A question from the admin', body: 'Upvotes need only 1 reputation here.', tags: ['config'] })).body;
    const up = await newbie.api('POST', `/posts/${q.id}/vote`, { value: 1 });
    assert.equal(up.status, 200, 'the configured threshold applies');
    const long = await newbie.api('POST', `/questions/${q.id}/answers`, { body: 'x'.repeat(1001) });
    assert.equal(long.status, 422);
    assert.match(long.body.error.message, /at most 1000 characters; it has 1001/);
    const fits = await newbie.api('POST', `/questions/${q.id}/answers`, { body: 'y'.repeat(1000) });
    assert.equal(fits.status, 201, 'the configured size limit applies');
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
