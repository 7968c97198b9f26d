// What the README promises an operator: `serve --address`, the PEERDESK_* variables for
// serve's options, the open-file limit raised toward the hard limit, `peerdesk recount`
// repairing wrong kept counts, and the query log's `days=N` window.
import { test } from '../support/test.mjs';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import https from 'node:https';
import { createServer, connect } from 'node:net';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { startServer, Client, peerdesk, freshDataDir, createAccount, binary, eventually } from '../support/server.mjs';

const run = promisify(execFile);
const sql = (dir, statement) => run('sqlite3', ['-cmd', '.timeout 5000', join(dir, 'peerdesk.db'), statement]);

// A port that was free a moment ago.
async function freePort() {
  const s = createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

// `peerdesk serve` with exactly the arguments and environment given (startServer adds its
// own --port, --data and --rate-limits), optionally behind prlimit. Resolves once listening.
async function serve({ args = [], env = {}, prlimit } = {}) {
  const command = prlimit ? 'prlimit' : binary;
  const argv = prlimit ? [prlimit, '--', binary, 'serve', ...args] : ['serve', ...args];
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PEERDESK_') || k === 'PEERDESK_BIN'));
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...clean, ...env } });
  const errors = [];
  createInterface({ input: child.stderr }).on('line', (line) => errors.push(line));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('peerdesk did not start: ' + errors.join('\n'))), 15000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`peerdesk exited with ${code}: ${errors.join('\n')}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /listening on (https?:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  return {
    url,
    child,
    errors,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

// Whether a TCP connection to host:port is accepted.
function accepts(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// Opens a connection (from localAddress), asks for /healthz and keeps the connection open:
// resolves with the socket and the answer's status.
function askOver(port, localAddress) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    let answer = '';
    socket.once('error', reject);
    socket.on('data', (d) => {
      answer += d;
      if (/\r\n\r\n/.test(answer)) resolve({ socket, status: Number(answer.slice(9, 12)) });
    });
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  });
}

const openFileLimit = async (pid) => {
  const limits = await readFile(`/proc/${pid}/limits`, 'utf8');
  const [, soft, hard] = /Max open files\s+(\d+)\s+(\d+)/.exec(limits);
  return { soft: Number(soft), hard: Number(hard) };
};

test('serve --address listens on that address only', { timeout: 120000 }, async (t) => {
  const server = await startServer({ args: ['--address', '127.0.0.2'] });
  t.after(() => server.stop());
  const { hostname, port } = new URL(server.url);
  assert.equal(hostname, '127.0.0.2');
  assert.equal((await fetch(server.url + '/healthz')).status, 200);
  assert.equal(await accepts('127.0.0.1', port), false, 'nothing listens on 127.0.0.1 at that port');
});

test('serve reads PEERDESK_<OPTION> for its options', { timeout: 120000 }, async (t) => {
  const dir = await freshDataDir();
  let server;
  t.after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await createAccount(dir, 'pia', 'member');
  await peerdesk(['settings', 'set', 'rate.searches_per_minute', '2', '--data', dir]);
  const port = await freePort();
  server = await serve({
    env: {
      PEERDESK_PORT: String(port),
      PEERDESK_ADDRESS: '127.0.0.2',
      PEERDESK_DATA: dir,
      PEERDESK_RATE_LIMITS: 'on',
      PEERDESK_IDLE_TIMEOUT: '1',
    },
  });
  assert.equal(server.url, `http://127.0.0.2:${port}`, 'PEERDESK_PORT and PEERDESK_ADDRESS');

  // PEERDESK_DATA: the account made in that directory signs in.
  const c = new Client(server.url);
  await c.signIn('pia');

  // PEERDESK_RATE_LIMITS=on: the third search in a minute is refused.
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await c.request('GET', '/api/v1/search?q=anything')).status);
  assert.deepEqual(statuses, [200, 200, 429]);

  // PEERDESK_IDLE_TIMEOUT=1: a keep-alive connection is closed a second after its last answer
  // (the default would keep it for a minute).
  const socket = connect({ host: '127.0.0.2', port });
  t.after(() => socket.destroy());
  let answer = '';
  let answeredAt = 0;
  const closed = new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => resolve(Date.now()));
  });
  socket.on('data', (d) => {
    answer += d;
    if (!answeredAt && /\r\n\r\n/.test(answer)) answeredAt = Date.now();
  });
  socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.2\r\n\r\n');
  const deadline = new Promise((resolve) => setTimeout(() => resolve(null), 10000).unref());
  const closedAt = await Promise.race([closed, deadline]);
  assert.match(answer, /^HTTP\/1\.1 200/);
  assert.ok(closedAt, 'the idle connection was closed');
  assert.ok(closedAt - answeredAt >= 500 && closedAt - answeredAt < 5000, `closed ${closedAt - answeredAt} ms after the answer`);
});

test('PEERDESK_MAX_CONNECTIONS_PER_ADDRESS caps connections from one address', { timeout: 120000 }, async (t) => {
  const server = await startServer({ env: { PEERDESK_MAX_CONNECTIONS_PER_ADDRESS: '1' } });
  let held;
  t.after(async () => {
    held?.destroy();
    await server.stop();
  });
  const { port } = new URL(server.url);
  held = connect({ host: '127.0.0.1', port });
  await new Promise((resolve, reject) => {
    held.once('connect', resolve);
    held.once('error', reject);
  });
  const r = await eventually(async () => {
    const x = await fetch(server.url + '/healthz').catch(() => null);
    return x && x.status === 503 ? x : null;
  }, 'the second connection refused', 5000);
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  held.destroy();
  await eventually(async () => (await fetch(server.url + '/healthz').catch(() => null))?.status === 200, 'served again once the first is gone', 5000);
});

test('PEERDESK_TLS_CERT and PEERDESK_TLS_KEY serve HTTPS', { timeout: 120000 }, async (t) => {
  const dir = await freshDataDir();
  let server;
  t.after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'),
    '-out', join(dir, 'cert.pem'), '-subj', '/CN=localhost', '-days', '2', '-addext', 'subjectAltName=IP:127.0.0.1']);
  const redirectPort = await freePort();
  server = await serve({
    args: ['--port', '0', '--data', dir],
    env: { PEERDESK_TLS_CERT: join(dir, 'cert.pem'), PEERDESK_TLS_KEY: join(dir, 'key.pem'), PEERDESK_HTTP_REDIRECT_PORT: String(redirectPort) },
  });
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const ca = await readFile(join(dir, 'cert.pem'));
  const status = await new Promise((resolve, reject) => {
    https.get(server.url + '/healthz', { ca }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject);
  });
  assert.equal(status, 200);
  const redirect = await fetch(`http://127.0.0.1:${redirectPort}/tags`, { redirect: 'manual' });
  assert.equal(redirect.status, 301, 'PEERDESK_HTTP_REDIRECT_PORT');
  assert.equal(redirect.headers.get('location'), server.url + '/tags');
});

test('PEERDESK_READ_TIMEOUT and PEERDESK_MAX_CONNECTIONS', { timeout: 120000 }, async (t) => {
  const server = await startServer({ env: { PEERDESK_READ_TIMEOUT: '1', PEERDESK_MAX_CONNECTIONS: '1' } });
  const sockets = [];
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await server.stop();
  });
  const { port } = new URL(server.url);
  // A request that never ends its headers gets 408 after a second (the default is 15).
  const slow = connect({ host: '127.0.0.1', port });
  sockets.push(slow);
  let answer = '';
  slow.on('data', (d) => (answer += d));
  const closed = new Promise((resolve) => slow.once('close', resolve));
  slow.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  const deadline = new Promise((resolve) => setTimeout(() => resolve('deadline'), 6000).unref());
  assert.notEqual(await Promise.race([closed, deadline]), 'deadline', 'closed within the read timeout');
  assert.match(answer, /^HTTP\/1\.1 408/);

  // One connection in all: while one is open and served, a second, even from another
  // address, gets 503. (The timed-out connection may take a moment to be counted out.)
  const held = await eventually(async () => {
    const r = await askOver(port, '127.0.0.1');
    sockets.push(r.socket);
    if (r.status === 200) return r.socket;
    r.socket.destroy();
    return null;
  }, 'a connection served', 5000);
  const other = await askOver(port, '127.0.0.2');
  sockets.push(other.socket);
  assert.equal(other.status, 503);
  held.destroy();
});

test('the open-file limit is raised toward the hard limit, with a warning when it cannot fit', { timeout: 120000 }, async (t) => {
  const dir = await freshDataDir();
  const started = [];
  t.after(async () => {
    for (const s of started) await s.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const roomy = await serve({ args: ['--port', '0', '--data', dir, '--max-connections', '1024'], prlimit: '--nofile=256:4096' });
  started.push(roomy);
  const raised = await openFileLimit(roomy.child.pid);
  await roomy.stop();
  assert.equal(raised.hard, 4096);
  assert.ok(raised.soft >= 1024 + 64 && raised.soft <= 4096, `soft limit ${raised.soft}: room for 1,024 connections`);
  assert.ok(!roomy.errors.some((e) => /open-file limit/.test(e)), roomy.errors.join('\n'));

  const tight = await serve({ args: ['--port', '0', '--data', dir, '--max-connections', '1024'], prlimit: '--nofile=100:300' });
  started.push(tight);
  const capped = await openFileLimit(tight.child.pid);
  await tight.stop();
  assert.equal(capped.soft, 300, 'raised as far as the hard limit goes');
  assert.ok(tight.errors.some((e) => /open-file limit \(300\) is below --max-connections \(1024\).*ulimit -n/.test(e)), tight.errors.join('\n'));
});

test('peerdesk recount repairs wrong reputation totals and question counts', { timeout: 120000 }, async (t) => {
  const dir = await freshDataDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  await createAccount(dir, 'rosa', 'member');
  await createAccount(dir, 'sam', 'member');
  let ids;
  const look = async () => {
    const server = await startServer({ dataDir: dir });
    try {
      const rosa = new Client(server.url);
      await rosa.signIn('rosa');
      const sam = new Client(server.url);
      await sam.signIn('sam');
      if (!ids) {
        const q = (await rosa.api('POST', '/questions', { title: 'How do I count things again?', body: 'The counts look wrong to me.', tags: ['counting'] })).body.id;
        const a = (await sam.api('POST', `/questions/${q}/answers`, { body: 'Run the recount command from the shell.' })).body.id;
        assert.equal((await rosa.api('POST', `/answers/${a}/accept`)).status, 200);
        ids = { sam: sam.user.id };
      }
      const tags = (await rosa.api('GET', '/tags')).body.items;
      return {
        reputation: (await rosa.api('GET', `/users/${ids.sam}`)).body.reputation,
        tag: tags.find((x) => x.name === 'counting')?.count,
        total: (await rosa.api('GET', '/questions')).body.total,
      };
    } finally {
      await server.stop();
    }
  };
  const right = await look();
  assert.deepEqual(right, { reputation: 16, tag: 1, total: 1 });

  await sql(dir, "UPDATE users SET reputation = 999 WHERE username = 'sam'; " +
    "UPDATE tags SET question_count = 7 WHERE name = 'counting'; " +
    "UPDATE site_counts SET value = 42 WHERE name = 'live_questions';");
  assert.deepEqual(await look(), { reputation: 999, tag: 7, total: 42 }, 'the kept counts are what readers see');

  const { stdout } = await peerdesk(['recount', '--data', dir]);
  assert.match(stdout, /recounted reputation; 1 total\(s\) corrected/);
  assert.match(stdout, /recounted questions per tag and in all; 2 count\(s\) corrected/);
  assert.deepEqual(await look(), right);
  const again = await peerdesk(['recount', '--data', dir]);
  assert.match(again.stdout, /0 total\(s\) corrected[\s\S]*0 count\(s\) corrected/, 'nothing left to repair');
});

test('the query log answers for the last N days with days=N (30 by default)', { timeout: 120000 }, async (t) => {
  const dir = await freshDataDir();
  await createAccount(dir, 'boss', 'admin');
  // Searches made 10 days ago (with hits) and 40 days ago (twice, without), as the log keeps
  // them: counts per day and query.
  const day = 86400;
  const now = Math.floor(Date.now() / 1000);
  const dayOf = (t) => Math.floor(t / day);
  await sql(dir, 'INSERT INTO search_days (day, source, widget_key, query, searches, no_results, last_at) VALUES ' +
    `(${dayOf(now - 10 * day)}, 'site', 0, 'ten days ago', 1, 0, ${now - 10 * day}), ` +
    `(${dayOf(now - 40 * day)}, 'api', 0, 'forty days ago', 2, 2, ${now - 40 * day})`);
  const server = await startServer({ dataDir: dir });
  t.after(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const boss = new Client(server.url);
  await boss.signIn('boss');
  await boss.request('GET', '/api/v1/search?q=just+now');
  await eventually(async () => (await boss.api('GET', '/admin/searches?days=1')).body.items.some((i) => i.query === 'just now'), 'the new search logged');

  const queries = async (params) => {
    const r = await boss.api('GET', '/admin/searches' + params);
    assert.equal(r.status, 200, r.text);
    return Object.fromEntries(r.body.items.map((i) => [i.query, i.count]));
  };
  assert.deepEqual(await queries('?days=1'), { 'just now': 1 });
  assert.deepEqual(await queries('?days=11'), { 'just now': 1, 'ten days ago': 1 });
  assert.deepEqual(await queries(''), { 'just now': 1, 'ten days ago': 1 }, '30 days by default');
  assert.deepEqual(await queries('?days=41'), { 'just now': 1, 'ten days ago': 1, 'forty days ago': 2 });
  assert.deepEqual(await queries('?no_hits=true&days=41'), { 'just now': 1, 'forty days ago': 2 });
  assert.deepEqual(await queries('?no_hits=true&days=5'), { 'just now': 1 });
  for (const bad of ['0', '3651', 'week']) {
    const r = await boss.api('GET', `/admin/searches?days=${bad}`);
    assert.equal(r.status, 422, `days=${bad}`);
    assert.match(r.body.error.message, /days must be a whole number from 1 to 3650/);
  }
});
