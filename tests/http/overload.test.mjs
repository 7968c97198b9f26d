// Overload and abuse at the connection level: request smuggling shapes, slow clients, and
// the caps on open connections. Each test also checks that other clients are still served.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from '../support/server.mjs';

// Sends raw bytes and resolves with everything the server sent until it closed or went quiet.
function exchange(port, bytes, { quietMs = 1500, localAddress } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    let data = '';
    let closed = false;
    let timer;
    const done = () => { clearTimeout(timer); socket.destroy(); resolve({ data, closed }); };
    socket.on('data', (d) => { data += d; clearTimeout(timer); timer = setTimeout(done, 300); });
    socket.on('error', done);
    socket.on('close', () => { closed = true; done(); });
    socket.write(bytes);
    timer = setTimeout(done, quietMs);
  });
}

// An open keep-alive connection, idle after one answered request (so the server has surely
// accepted it).
function idleSocket(port, localAddress) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
    socket.once('data', (d) => (/^HTTP\/1\.1 200/.test(String(d)) ? resolve(socket) : reject(new Error(String(d)))));
    socket.on('error', reject);
    socket.setTimeout(10000, () => socket.destroy(new Error('no answer in 10 s')));
  });
}

const statuses = (text) => [...text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((m) => Number(m[1]));

async function latency(url, path, n = 20) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(url + path);
    await r.arrayBuffer();
    assert.equal(r.status, 200);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(n / 2)];
}

test('request smuggling shapes get 400 and the connection is closed, so no second request hides in the body', async (t) => {
  const server = await startServer({ t });
  try {
    const port = Number(new URL(server.url).port);
    const post = 'POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n';
    const smuggled = 'GET /api/v1/me HTTP/1.1\r\nHost: x\r\n\r\n';
    const shapes = {
      'Content-Length and Transfer-Encoding': `${post}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      'chunked not last': `${post}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${smuggled}`,
      'unknown coding before chunked': `${post}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      'two Transfer-Encoding headers': `${post}Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n${smuggled}`,
      'chunked in HTTP/1.0': `POST /api/v1/users HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      'two different Content-Lengths': `${post}Content-Length: 5\r\nContent-Length: 40\r\n\r\nabcde${smuggled}`,
      'negative Content-Length': `${post}Content-Length: -1\r\n\r\n${smuggled}`,
      'chunk size not hexadecimal': `${post}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n${smuggled}`,
      'chunk size overflowing': `${post}Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nabc\r\n0\r\n\r\n${smuggled}`,
      'bare LF inside a header': `GET / HTTP/1.1\r\nHost: x\r\nX-A: a\nb\r\n\r\n${smuggled}`,
    };
    for (const [name, bytes] of Object.entries(shapes)) {
      const { data, closed } = await exchange(port, bytes);
      assert.deepEqual(statuses(data), [400], `${name}: exactly one answer, a 400 (got ${data.slice(0, 200)})`);
      assert.ok(closed, `${name}: the connection is closed after the 400`);
      assert.match(data, /"code":"(malformed_request|bad_transfer_encoding)"/, name);
    }
    // A well-formed chunked body still works.
    const ok = await exchange(port, `${post}Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`);
    assert.deepEqual(statuses(ok.data), [422], 'a valid chunked request reaches the handler');
    assert.equal((await fetch(server.url + '/healthz')).status, 200);
  } finally {
    await server.stop();
  }
  assert.deepEqual(server.errors, []);
});

test('slowloris headers and slow bodies get 408 within the read timeout while other clients are served at normal latency', async (t) => {
  const server = await startServer({ t, args: ['--read-timeout', '2'] });
  const sockets = [];
  try {
    const port = Number(new URL(server.url).port);
    const before = await latency(server.url, '/');
    // 40 clients trickle a header a byte at a time, 10 send a body a byte at a time.
    const slow = [];
    for (let i = 0; i < 50; i++) {
      slow.push(new Promise((resolve) => {
        const started = Date.now();
        const socket = net.connect(port, '127.0.0.1');
        sockets.push(socket);
        const text = i < 40
          ? `GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(200)}\r\n\r\n`
          : `POST /api/v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n${'{'.repeat(200)}`;
        // Body senders send their header at once, then the body slowly.
        let at = i < 40 ? 0 : text.indexOf('\r\n\r\n') + 4;
        if (at) socket.write(text.slice(0, at));
        let data = '';
        const tick = setInterval(() => { if (at < text.length && !socket.destroyed) socket.write(text[at++]); }, 100);
        socket.on('data', (d) => { data += d; });
        socket.on('error', () => {});
        // A server that never closes it fails the timing check below instead of hanging the test.
        const guard = setTimeout(() => socket.destroy(), 15000);
        socket.on('close', () => { clearInterval(tick); clearTimeout(guard); resolve({ data, ms: Date.now() - started }); });
      }));
    }
    await new Promise((r) => setTimeout(r, 500));
    const during = await latency(server.url, '/');
    const results = await Promise.all(slow);
    for (const r of results) {
      assert.deepEqual(statuses(r.data), [408], `a slow client is told 408 (got ${r.data.slice(0, 80)})`);
      assert.ok(r.ms >= 1800 && r.ms < 6000, `closed after ${r.ms} ms, near the 2 s read timeout`);
    }
    // Generous, as loopback timings on a shared machine are noisy: the point is that 50 slow
    // clients do not hold up the others by seconds.
    assert.ok(during < Math.max(10 * before, 50), `median page time ${during.toFixed(1)} ms during the attack, ${before.toFixed(1)} ms before`);
  } finally {
    for (const s of sockets) s.destroy();
    await server.stop();
  }
  assert.deepEqual(server.errors, []);
});

test('a client that stops reading its responses is dropped after the timeout and does not hold up others', async (t) => {
  const server = await startServer({ t, args: ['--read-timeout', '2'] });
  try {
    const port = Number(new URL(server.url).port);
    // Thousands of pipelined page requests, and never a read: the server's writes back up.
    const socket = net.connect(port, '127.0.0.1');
    socket.pause();
    await new Promise((r) => socket.on('connect', r));
    const closed = new Promise((r) => socket.on('close', r));
    socket.on('error', () => {});
    socket.write('GET /static/app.css HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(4000));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await fetch(server.url + '/healthz')).status, 200, 'others are served while one client stalls');
    await new Promise((r) => setTimeout(r, 3000));
    socket.resume();  // drain what the kernel holds; the server must have closed its side
    const outcome = await Promise.race([closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('open'), 5000))]);
    assert.equal(outcome, 'closed', 'the stalled reader was disconnected');
    assert.equal((await fetch(server.url + '/healthz')).status, 200);
  } finally {
    await server.stop();
  }
  assert.deepEqual(server.errors, []);
});

test('open connections are capped per address and in all: over the cap a client gets 503 with Retry-After', async (t) => {
  const server = await startServer({ t, args: ['--max-connections-per-address', '4', '--max-connections', '6'] });
  const held = [];
  try {
    const port = Number(new URL(server.url).port);
    for (let i = 0; i < 4; i++) held.push(await idleSocket(port, '127.0.0.1'));
    const refused = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { localAddress: '127.0.0.1' });
    assert.deepEqual(statuses(refused.data), [503], 'a fifth connection from one address');
    assert.match(refused.data, /Retry-After: 5/);
    assert.match(refused.data, /too_many_connections/);
    // Another address still gets in, up to the overall cap.
    const other = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { localAddress: '127.0.0.2' });
    assert.deepEqual(statuses(other.data), [200], 'another address is served');
    held.push(await idleSocket(port, '127.0.0.2'), await idleSocket(port, '127.0.0.2'));
    const full = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', { localAddress: '127.0.0.3' });
    assert.deepEqual(statuses(full.data), [503], 'over the overall cap');
    // Closing connections makes room again.
    held.shift().destroy();
    held.shift().destroy();
    await new Promise((r) => setTimeout(r, 200));
    const again = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { localAddress: '127.0.0.1' });
    assert.deepEqual(statuses(again.data), [200], 'served once others have closed');
  } finally {
    for (const s of held) s.destroy();
    await server.stop();
  }
  assert.deepEqual(server.errors, []);
});
